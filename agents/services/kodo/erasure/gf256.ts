/**
 * Arithmetic in GF(2^8) with the polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11d) and generator 2:
 * the field of ISA-L's erasure code (erasure_code/ec_base.c), so our matrices and parity are
 * byte for byte those of ec_encode_data.
 */

const POLYNOMIAL = 0x11d;

/** EXP[i] = 2^i, written twice over (0…509) so a product needs no "mod 255". */
const EXP = new Uint8Array(510);
/** LOG[x] = i with 2^i = x, for x ≠ 0 (LOG[0] is unused). */
const LOG = new Uint8Array(256);

for (let i = 0, x = 1; i < 255; i++) {
  EXP[i] = x;
  EXP[i + 255] = x;
  LOG[x] = i;
  x <<= 1;
  if (x & 0x100) x ^= POLYNOMIAL;
}

export function gfMul(a: number, b: number): number {
  if (a === 0 || b === 0) return 0;
  return EXP[LOG[a]! + LOG[b]!]!;
}

/** The multiplicative inverse; 0 has none, and like ISA-L's gf_inv this returns 0 for it. */
export function gfInv(a: number): number {
  if (a === 0) return 0;
  return EXP[255 - LOG[a]!]!;
}

/**
 * The 256 products c·0 … c·255, the row of the full multiplication table the scalar kernel looks
 * bytes up in.
 */
export function gfMulRow(c: number): Uint8Array {
  const row = new Uint8Array(256);
  for (let x = 1; x < 256; x++) row[x] = gfMul(c, x);
  return row;
}

/**
 * The split-nibble tables of c (ISA-L's gf_vect_mul_init layout): 16 products c·0x00…c·0x0f, then
 * 16 products c·0x00, c·0x10…c·0xf0. Since c·x = c·(x & 0x0f) ^ c·(x & 0xf0), two 16-entry
 * lookups — one SIMD shuffle each — multiply 16 bytes at once.
 */
export function writeNibbleTables(c: number, into: Uint8Array, offset: number): void {
  for (let i = 0; i < 16; i++) {
    into[offset + i] = gfMul(c, i);
    into[offset + 16 + i] = gfMul(c, i << 4);
  }
}
