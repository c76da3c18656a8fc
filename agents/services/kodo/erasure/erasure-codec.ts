import { cauchyEncodingMatrix, invertMatrix, multiplyMatrices, pickRows } from './gf-matrix';
import type { GfKernel, GfKernelName } from './gf-kernel';
import { createJsKernel } from './js-kernel';
import { createWasmKernel, loadGfModule } from './wasm-kernel';

/**
 * Kodo's erasure code: systematic Reed–Solomon over GF(2^8) with ISA-L's Cauchy matrix
 * (gf_gen_cauchy1_matrix), so k data shards give m parity shards byte-identical to ISA-L's
 * ec_encode_data, and any k of the k + m shards rebuild the others.
 */
export interface ErasureCodec {
  readonly k: number;
  readonly m: number;
  /** The kernel doing the work: WebAssembly SIMD, or the scalar one where the runtime has none. */
  readonly kernel: GfKernelName;
  /** Computes the m parity shards of k equal-length data shards into `parity` (m buffers, same length). */
  encode(data: readonly Uint8Array[], parity: readonly Uint8Array[]): void;
  /**
   * Rebuilds lost shards from the others (k + m entries, data first). A null entry is lost and gets
   * a new buffer; an index in `lost` names a shard whose buffer holds bad data (it must not be
   * null) and is overwritten, so a caller can reuse buffers. Up to m lost shards, data or parity;
   * more is an error. Returns the full set.
   */
  reconstruct(shards: readonly (Uint8Array | null)[], lost?: readonly number[]): Uint8Array[];
  /**
   * k + m buffers of `shardLength` bytes that the kernel codes in place, without copying (the
   * WebAssembly kernel's own memory). One set per codec: a later call may reuse the same memory
   * or detach these views (their length becomes 0), so do not keep them across calls.
   */
  allocateShards(shardLength: number): Uint8Array[];
}

export interface ErasureCodecOptions {
  /** 'auto' (default): WebAssembly SIMD where the runtime has it, else the scalar kernel. */
  kernel?: 'auto' | 'wasm' | 'js';
  /** Where the built .wasm files are (default: wasm/build beside this module). */
  wasmDir?: string;
}

/** The layouts Kodo uses (2+1 … 10+1, 20+2) with room to spare; k + m ≤ 256 is GF(2^8)'s own limit. */
export const MAX_DATA_SHARDS = 32;
export const MAX_PARITY_SHARDS = 8;

export class ErasureCodingError extends Error {
  override readonly name = 'ErasureCodingError';
}

export function createErasureCodec(k: number, m: number, options: ErasureCodecOptions = {}): ErasureCodec {
  if (!Number.isInteger(k) || k < 1 || k > MAX_DATA_SHARDS) throw new ErasureCodingError(`erasure: k must be an integer from 1 to ${MAX_DATA_SHARDS}, not ${k}`);
  if (!Number.isInteger(m) || m < 1 || m > MAX_PARITY_SHARDS) throw new ErasureCodingError(`erasure: m must be an integer from 1 to ${MAX_PARITY_SHARDS}, not ${m}`);
  const kernel = pickKernel(k, m, options);
  const matrix = cauchyEncodingMatrix(k, m);
  const parityRows = matrix.subarray(k * k);
  const layout = `${k}+${m}`;

  function shardLength(shards: readonly (Uint8Array | null)[]): number {
    let length: number | undefined;
    let first = -1;
    shards.forEach((shard, i) => {
      if (!shard) return;
      if (length === undefined) {
        length = shard.length;
        first = i;
      } else if (shard.length !== length) {
        throw new ErasureCodingError(`erasure: shard ${i} is ${shard.length} bytes but shard ${first} is ${length}: every shard of a stripe must have the same length`);
      }
    });
    return length ?? 0;
  }

  return {
    k,
    m,
    kernel: kernel.name,
    encode(data, parity) {
      if (data.length !== k) throw new ErasureCodingError(`erasure: ${layout} encodes ${k} data shards, got ${data.length}`);
      if (parity.length !== m) throw new ErasureCodingError(`erasure: ${layout} makes ${m} parity shards, got ${parity.length} buffers for them`);
      const length = shardLength([...data, ...parity]);
      kernel.dotProducts(parityRows, data, parity, length);
    },
    reconstruct(shards, lost = []) {
      if (shards.length !== k + m) throw new ErasureCodingError(`erasure: ${layout} reconstructs from ${k + m} shards (null for a lost one), got ${shards.length}`);
      for (const i of lost) {
        if (!Number.isInteger(i) || i < 0 || i >= k + m) throw new ErasureCodingError(`erasure: lost shard ${i} is not a shard of ${layout} (0 to ${k + m - 1})`);
        if (!shards[i]) throw new ErasureCodingError(`erasure: shard ${i} is named lost but has no buffer to rebuild it into`);
      }
      const isLost = shards.map((shard, i) => !shard || lost.includes(i));
      const missing = isLost.flatMap((gone, i) => (gone ? [i] : []));
      if (missing.length > m) {
        throw new ErasureCodingError(`erasure: ${missing.length} shards lost (${missing.join(', ')}) but ${layout} rebuilds at most ${m}: the stripe is unrecoverable`);
      }
      // Buffers named in `lost` must be the stripe's length too: they are written whole.
      const length = shardLength(shards);
      const complete = shards.map((shard) => shard ?? new Uint8Array(length));
      if (missing.length === 0) return complete;

      // Any k survivors (the first k, as ISA-L's examples take them) with their rows of the
      // encoding matrix B satisfy B · data = survivors, so data = B⁻¹ · survivors: a lost data
      // shard i is row i of B⁻¹ applied to the survivors, a lost parity shard its encoding row
      // times B⁻¹.
      const survivors = isLost.flatMap((gone, i) => (gone ? [] : [i])).slice(0, k);
      const inverse = invertMatrix(pickRows(matrix, k, survivors), k);
      const decodeRows = multiplyMatrices(pickRows(matrix, k, missing), inverse, missing.length, k, k);
      kernel.dotProducts(
        decodeRows,
        survivors.map((i) => complete[i]!),
        missing.map((i) => complete[i]!),
        length,
      );
      return complete;
    },
    allocateShards(length) {
      if (!Number.isInteger(length) || length < 0) throw new ErasureCodingError(`erasure: a shard length must be a whole number of bytes, not ${length}`);
      return kernel.allocateShards(k + m, length);
    },
  };
}

function pickKernel(k: number, m: number, options: ErasureCodecOptions): GfKernel {
  const wanted = options.kernel ?? 'auto';
  if (wanted === 'js') return createJsKernel();
  const loaded = loadGfModule(options.wasmDir);
  if (loaded) return createWasmKernel(loaded, k, m);
  if (wanted === 'wasm') throw new ErasureCodingError('erasure: this runtime has no WebAssembly SIMD (the kernel module does not validate)');
  return createJsKernel();
}
