import { gfMulRow } from './gf256';
import type { GfKernel } from './gf-kernel';

/**
 * The scalar reference kernel: one 256-entry product row per coefficient, one lookup per byte.
 * Plain and slow (~1/20 of the SIMD kernel), so obviously right: the tests compare the WebAssembly
 * kernel with it, and it is what a runtime without WebAssembly SIMD gets.
 */
export function createJsKernel(): GfKernel {
  /** Product rows by coefficient, made on first use (a layout uses at most k·m + k² of them). */
  const rows = new Map<number, Uint8Array>();
  const rowOf = (c: number): Uint8Array => {
    let row = rows.get(c);
    if (!row) rows.set(c, (row = gfMulRow(c)));
    return row;
  };

  return {
    name: 'js-scalar',
    dotProducts(coefs, inputs, outputs, length) {
      outputs.forEach((out, r) => {
        out.fill(0, 0, length);
        inputs.forEach((input, j) => {
          const c = coefs[r * inputs.length + j]!;
          if (c === 0) return;
          const row = rowOf(c);
          for (let i = 0; i < length; i++) out[i]! ^= row[input[i]!]!;
        });
      });
    },
    allocateShards(count, length) {
      return Array.from({ length: count }, () => new Uint8Array(length));
    },
  };
}
