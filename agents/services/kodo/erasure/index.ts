// Kodo's erasure-coding kernel: see README.md beside this file.
export { createErasureCodec, ErasureCodingError, MAX_DATA_SHARDS, MAX_PARITY_SHARDS } from './erasure-codec';
export type { ErasureCodec, ErasureCodecOptions } from './erasure-codec';
export type { GfKernelName } from './gf-kernel';
