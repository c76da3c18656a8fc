// The WebAssembly SIMD kernel of Kodo's erasure coding, as WebAssembly text (WAT).
//
// One operation does all the work, for encode and for reconstruct alike: given `sources` input
// buffers and R output buffers, out[r] = XOR over j of coef[r][j] · in[j] in GF(2^8). A
// multiplication by a constant c is two 16-entry lookups, one per 4-bit half of each byte
// (c·x = c·(x & 0x0f) ^ c·(x & 0xf0)), done 16 bytes at a time with i8x16.swizzle: the same
// split-nibble pshufb technique as ISA-L's gf_vect_dot_prod (tables as ec_init_tables makes them).
//
// The text is generated, not written out by hand, because the kernel is one loop unrolled for
// R = 1…4 outputs: each 16-byte vector of a source is loaded once per pass and feeds R
// accumulators, so 10+2 reads its data once; more outputs (m up to 8) take two passes. A source's
// tables are loaded once per step and serve V vectors (VECTORS_PER_STEP: as many as fit the
// registers).
//
// scripts/build-erasure-wasm.mjs assembles this text with wabt (an npm devDependency) into
// wasm/build/ (gitignored) on `npm install`; nothing is compiled on an appliance.

/** Lengths handed to the kernel are multiples of this (the widest step of any gf_dot_prod_R). */
export const STEP_BYTES = 64;
/** The most outputs one call computes (gf_dot_prod_1 … gf_dot_prod_4). */
export const MAX_OUTPUTS_PER_PASS = 4;
/** Bytes of lookup tables per (source, output) pair: 16 for the low nibble, 16 for the high. */
export const TABLE_BYTES = 32;

/**
 * 16-byte vectors per loop step for R outputs, so that the R·V accumulators, the 2·R tables and
 * one vector's data, nibbles and mask (4) fit x64's 16 SIMD registers: R·V + 2·R + 4 ≤ 16.
 */
const VECTORS_PER_STEP = { 1: 4, 2: 4, 3: 2, 4: 1 };
const range = (n) => Array.from({ length: n }, (_, i) => i);

/**
 * gf_dot_prod_R(len, sources, tables, srcPtrs, dstPtrs):
 *   srcPtrs holds `sources` i32 addresses of the inputs, dstPtrs R addresses of the outputs, each
 *   `len` bytes (a multiple of STEP_BYTES). tables holds, per source j and output r, at
 *   tables + (j·R + r)·32, the 16 products coef·0x00…coef·0x0f, then coef·0x00, coef·0x10…coef·0xf0.
 */
function dotProductFunction(outputs, swizzle) {
  const vs = range(VECTORS_PER_STEP[outputs]);
  const rs = range(outputs);
  const step = vs.length * 16;
  const acc = (r, v) => `$acc${r}_${v}`;
  const locals = ['$x', '$lo', '$hi', ...rs.flatMap((r) => [`$tlo${r}`, `$thi${r}`]), ...rs.flatMap((r) => vs.map((v) => acc(r, v)))];
  const lines = (items, indent) => items.join(`\n${' '.repeat(indent)}`);

  // Per source: its 2·R tables are loaded first and stay in registers; then each vector is loaded,
  // split into nibbles and multiplied into the R accumulators. Only one vector's nibbles are live
  // at a time, so R·V accumulators + 2·R tables + 4 fit the registers.
  const loadTables = rs.flatMap((r) => [
    `(local.set $tlo${r} (v128.load offset=${r * TABLE_BYTES} (local.get $tbl)))`,
    `(local.set $thi${r} (v128.load offset=${r * TABLE_BYTES + 16} (local.get $tbl)))`,
  ]);
  const perVector = vs.flatMap((v) => [
    `;; vector ${v}: its low and high nibbles, looked up in each output's tables`,
    `(local.set $x (v128.load offset=${v * 16} (local.get $src)))`,
    `(local.set $lo (v128.and (local.get $x) (local.get $mask)))`,
    `(local.set $hi (v128.and (i16x8.shr_u (local.get $x) (i32.const 4)) (local.get $mask)))`,
    ...rs.map(
      (r) =>
        `(local.set ${acc(r, v)} (v128.xor (local.get ${acc(r, v)}) (v128.xor (${swizzle} (local.get $tlo${r}) (local.get $lo)) (${swizzle} (local.get $thi${r}) (local.get $hi)))))`,
    ),
  ]);
  const store = rs.flatMap((r) => [
    `(local.set $dst (i32.add (i32.load offset=${r * 4} (local.get $dstPtrs)) (local.get $pos)))`,
    ...vs.map((v) => `(v128.store offset=${v * 16} (local.get $dst) (local.get ${acc(r, v)}))`),
  ]);

  return `
  (func (export "gf_dot_prod_${outputs}")
    (param $len i32) (param $sources i32) (param $tables i32) (param $srcPtrs i32) (param $dstPtrs i32)
    (local $pos i32) (local $j i32) (local $ptr i32) (local $src i32) (local $tbl i32) (local $dst i32) (local $mask v128)
    ${locals.map((name) => `(local ${name} v128)`).join(' ')}
    (local.set $mask (i8x16.splat (i32.const 0x0f)))
    (block $done
      (loop $each_step
        (br_if $done (i32.ge_u (local.get $pos) (local.get $len)))
        ${lines(rs.flatMap((r) => vs.map((v) => `(local.set ${acc(r, v)} (v128.const i64x2 0 0))`)), 8)}
        (local.set $ptr (local.get $srcPtrs))
        (local.set $tbl (local.get $tables))
        (local.set $j (local.get $sources))
        (loop $each_source
          ;; this step of source j, each byte loaded once for all R outputs
          (local.set $src (i32.add (i32.load (local.get $ptr)) (local.get $pos)))
          ${lines(loadTables, 10)}
          ${lines(perVector, 10)}
          (local.set $ptr (i32.add (local.get $ptr) (i32.const 4)))
          (local.set $tbl (i32.add (local.get $tbl) (i32.const ${outputs * TABLE_BYTES})))
          (br_if $each_source (local.tee $j (i32.sub (local.get $j) (i32.const 1)))))
        ${lines(store, 8)}
        (local.set $pos (i32.add (local.get $pos) (i32.const ${step})))
        (br $each_step)))
  )`;
}

/**
 * The whole module. `relaxed` uses i8x16.relaxed_swizzle (relaxed SIMD, which Node 22's V8 ships
 * and Node 20's keeps behind a flag): on x64 it is a bare pshufb, where i8x16.swizzle must first
 * clamp its indices (paddusb). Our indices are nibbles, always in range, so both give the same
 * bytes; the loader takes the relaxed build wherever the runtime validates it.
 */
export function gfDotProdWat({ relaxed = false } = {}) {
  const swizzle = relaxed ? 'i8x16.relaxed_swizzle' : 'i8x16.swizzle';
  return `;; Generated by agents/services/kodo/erasure/wasm/gf-dot-prod.wat.mjs${relaxed ? ' (relaxed SIMD)' : ''}.
(module
  ;; Memory grows from JavaScript to what a codec's layout needs (wasm-kernel.ts).
  (memory (export "memory") 1)
${range(MAX_OUTPUTS_PER_PASS)
  .map((i) => dotProductFunction(i + 1, swizzle))
  .join('\n')}
)
`;
}
