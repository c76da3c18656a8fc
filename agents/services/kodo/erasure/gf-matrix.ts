import { gfInv, gfMul } from './gf256';

/**
 * Matrices over GF(2^8), row-major in one Uint8Array (rows × cols bytes), as ISA-L keeps them.
 */

/**
 * The (k + m) × k encoding matrix of ISA-L's gf_gen_cauchy1_matrix: the identity on top (the code
 * is systematic: the first k shards are the data itself), and below it row i, column j holds
 * 1 / (i ^ j). Every k × k matrix made of any k of its rows is invertible, so any k shards
 * rebuild the rest.
 */
export function cauchyEncodingMatrix(k: number, m: number): Uint8Array {
  const a = new Uint8Array((k + m) * k);
  for (let i = 0; i < k; i++) a[i * k + i] = 1;
  for (let i = k; i < k + m; i++) {
    for (let j = 0; j < k; j++) a[i * k + j] = gfInv(i ^ j);
  }
  return a;
}

/** The rows `rows` of matrix `a` (cols wide), stacked in that order. */
export function pickRows(a: Uint8Array, cols: number, rows: readonly number[]): Uint8Array {
  const out = new Uint8Array(rows.length * cols);
  rows.forEach((row, i) => out.set(a.subarray(row * cols, (row + 1) * cols), i * cols));
  return out;
}

/**
 * The inverse of the n × n matrix `a` by Gauss–Jordan elimination (as ISA-L's gf_invert_matrix;
 * an inverse is unique, so the result is the same). Throws if `a` is singular, which a Cauchy
 * matrix's rows never are.
 */
export function invertMatrix(a: Uint8Array, n: number): Uint8Array {
  const work = Uint8Array.from(a);
  const inv = new Uint8Array(n * n);
  for (let i = 0; i < n; i++) inv[i * n + i] = 1;
  for (let col = 0; col < n; col++) {
    // A row at or below `col` with a non-zero pivot, swapped into place.
    let pivot = col;
    while (pivot < n && work[pivot * n + col] === 0) pivot++;
    if (pivot === n) throw new Error('erasure: the decoding matrix is singular (the encoding matrix is not MDS)');
    if (pivot !== col) {
      swapRows(work, n, pivot, col);
      swapRows(inv, n, pivot, col);
    }
    // Scale the pivot row to a leading 1, then clear the column from every other row.
    const scale = gfInv(work[col * n + col]!);
    scaleRow(work, n, col, scale);
    scaleRow(inv, n, col, scale);
    for (let row = 0; row < n; row++) {
      const factor = row === col ? 0 : work[row * n + col]!;
      if (factor === 0) continue;
      addScaledRow(work, n, row, col, factor);
      addScaledRow(inv, n, row, col, factor);
    }
  }
  return inv;
}

/** The product of a (r × n) and b (n × c). */
export function multiplyMatrices(a: Uint8Array, b: Uint8Array, r: number, n: number, c: number): Uint8Array {
  const out = new Uint8Array(r * c);
  for (let i = 0; i < r; i++) {
    for (let t = 0; t < n; t++) {
      const f = a[i * n + t]!;
      if (f === 0) continue;
      for (let j = 0; j < c; j++) out[i * c + j]! ^= gfMul(f, b[t * c + j]!);
    }
  }
  return out;
}

function swapRows(a: Uint8Array, n: number, x: number, y: number): void {
  for (let j = 0; j < n; j++) {
    const t = a[x * n + j]!;
    a[x * n + j] = a[y * n + j]!;
    a[y * n + j] = t;
  }
}

function scaleRow(a: Uint8Array, n: number, row: number, factor: number): void {
  for (let j = 0; j < n; j++) a[row * n + j] = gfMul(a[row * n + j]!, factor);
}

/** row ^= factor · source (addition in GF(2^8) is XOR). */
function addScaledRow(a: Uint8Array, n: number, row: number, source: number, factor: number): void {
  for (let j = 0; j < n; j++) a[row * n + j]! ^= gfMul(factor, a[source * n + j]!);
}
