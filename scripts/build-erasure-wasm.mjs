#!/usr/bin/env node
// Assembles Kodo's erasure-coding kernel (agents/services/kodo/erasure/wasm/gf-dot-prod.wat.mjs)
// into WebAssembly with wabt, the WebAssembly Binary Toolkit compiled to JavaScript (an npm
// devDependency: no compiler from apt, nothing built on an appliance):
//
//   node scripts/build-erasure-wasm.mjs
//
// → agents/services/kodo/erasure/wasm/build/gf-dot-prod.wasm (SIMD) and gf-dot-prod-relaxed.wasm
//   (relaxed SIMD), gitignored. The same text gives the same bytes, so a file is rewritten only
//   when its bytes change. `npm install` runs this (scripts/postinstall.mjs); the erasure tests
//   and bench call buildErasureWasm() themselves, so they work before an install has.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Buffer } from 'node:buffer';
import { createRequire } from 'node:module';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const KERNEL_DIR = path.join(ROOT, 'agents/services/kodo/erasure/wasm');
export const ERASURE_WASM_DIR = path.join(KERNEL_DIR, 'build');

/** Builds both kernels; returns the files it (re)wrote, [] when they were current. */
export async function buildErasureWasm() {
  const { gfDotProdWat } = await import(pathToFileURL(path.join(KERNEL_DIR, 'gf-dot-prod.wat.mjs')).href);
  const wabt = await createRequire(import.meta.url)('wabt')();
  fs.mkdirSync(ERASURE_WASM_DIR, { recursive: true });
  const written = [];
  for (const [file, relaxed] of [['gf-dot-prod.wasm', false], ['gf-dot-prod-relaxed.wasm', true]]) {
    const parsed = wabt.parseWat(file.replace('.wasm', '.wat'), gfDotProdWat({ relaxed }), { simd: true, relaxed_simd: relaxed });
    try {
      parsed.validate();
      const bytes = Buffer.from(parsed.toBinary({ write_debug_names: true }).buffer);
      const target = path.join(ERASURE_WASM_DIR, file);
      if (fs.existsSync(target) && fs.readFileSync(target).equals(bytes)) continue;
      // Written beside and renamed, so a reader never sees half a module.
      fs.writeFileSync(`${target}.tmp`, bytes);
      fs.renameSync(`${target}.tmp`, target);
      written.push(path.relative(ROOT, target));
    } finally {
      parsed.destroy();
    }
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  buildErasureWasm().then(
    (written) => console.log(written.length ? `built ${written.join(', ')}` : 'erasure kernels are up to date'),
    (err) => {
      console.error(`building the erasure kernels failed: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    },
  );
}
