/**
 * The one operation erasure coding spends its time in, for encode and reconstruct alike: each
 * output is a GF(2^8) linear combination of the inputs,
 *
 *   outputs[r][i] = XOR over j of coefs[r · inputs.length + j] · inputs[j][i]   for i < length.
 *
 * Encoding takes the parity rows of the encoding matrix as coefs; reconstruction the rows of an
 * inverted one. Two implementations: the WebAssembly SIMD kernel (wasm-kernel.ts) and the scalar
 * table-driven reference (js-kernel.ts), which is the tests' oracle and the fallback where the
 * runtime has no WebAssembly SIMD.
 */
export interface GfKernel {
  /** Which implementation: 'wasm-simd-relaxed' and 'wasm-simd' differ in i8x16 swizzle only. */
  readonly name: GfKernelName;
  dotProducts(coefs: Uint8Array, inputs: readonly Uint8Array[], outputs: readonly Uint8Array[], length: number): void;
  /**
   * Buffers for `count` shards of `length` bytes where this kernel reads and writes without a copy
   * (the WebAssembly kernel's own memory; plain arrays for the scalar kernel).
   */
  allocateShards(count: number, length: number): Uint8Array[];
}

export type GfKernelName = 'wasm-simd-relaxed' | 'wasm-simd' | 'js-scalar';
