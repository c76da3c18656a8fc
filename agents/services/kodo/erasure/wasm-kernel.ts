import fs from 'node:fs';
import path from 'node:path';
import { writeNibbleTables } from './gf256';
import type { GfKernel, GfKernelName } from './gf-kernel';
import { createJsKernel } from './js-kernel';

/**
 * The WebAssembly SIMD kernel (wasm/gf-dot-prod.wat.mjs, assembled into wasm/build/ by
 * scripts/build-erasure-wasm.mjs). WebAssembly reads only its own memory, so:
 *  - buffers from allocateShards() live in that memory and are coded in place (the fast path:
 *    a copy in and out costs about as much as the coding itself);
 *  - any other Uint8Array is copied through a staging area in chunks of STAGING_CHUNK bytes,
 *    small enough to stay in the core's cache between the copy and the kernel.
 *
 * The module's memory (one per kernel, so codecs never share buffers):
 *   [source pointers][output pointers][nibble tables][staging: inputs, outputs][allocated shards]
 */

// Keep these three in step with wasm/gf-dot-prod.wat.mjs (the tests would catch a mismatch).
/** Lengths handed to the kernel are multiples of this; a shorter tail is done by the scalar kernel. */
const STEP_BYTES = 64;
const MAX_OUTPUTS_PER_PASS = 4;
const TABLE_BYTES = 32;

const STAGING_CHUNK = 16 * 1024;
const POINTER_AREA = 256; // 64 i32 pointers, more than k ≤ 32 sources or m ≤ 8 outputs need
const PAGE = 64 * 1024;

export const DEFAULT_WASM_DIR = path.join(__dirname, 'wasm', 'build');

/**
 * The part of the WebAssembly JavaScript API used here. TypeScript declares the API in its DOM
 * library, which tsconfig.node.json (agents run in Node) does not load; Node has it all the same.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule) => { exports: unknown };
}
type WasmModule = { readonly wasmModule: unique symbol };
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** gf_dot_prod_R(len, sources, tables, srcPtrs, dstPtrs): see wasm/gf-dot-prod.wat.mjs. */
type DotProductPass = (len: number, sources: number, tables: number, srcPtrs: number, dstPtrs: number) => void;

interface GfExports {
  memory: { readonly buffer: ArrayBuffer; grow(pages: number): number };
  gf_dot_prod_1: DotProductPass;
  gf_dot_prod_2: DotProductPass;
  gf_dot_prod_3: DotProductPass;
  gf_dot_prod_4: DotProductPass;
}

interface LoadedModule {
  module: WasmModule;
  name: Extract<GfKernelName, 'wasm-simd' | 'wasm-simd-relaxed'>;
}

const loaded = new Map<string, LoadedModule | null>();

/**
 * The best kernel module this runtime runs: the relaxed-SIMD build where it validates (Node 22),
 * else the SIMD one; null where the runtime has no WebAssembly SIMD at all. Throws when the
 * kernels were never built, which is a broken install, not a slow machine.
 */
export function loadGfModule(wasmDir: string = DEFAULT_WASM_DIR): LoadedModule | null {
  const cached = loaded.get(wasmDir);
  if (cached !== undefined) return cached;
  const candidates: [string, LoadedModule['name']][] = [
    ['gf-dot-prod-relaxed.wasm', 'wasm-simd-relaxed'],
    ['gf-dot-prod.wasm', 'wasm-simd'],
  ];
  let result: LoadedModule | null = null;
  for (const [file, name] of candidates) {
    const bytes = readKernelFile(path.join(wasmDir, file));
    if (wasmApi.validate(bytes)) {
      result = { module: new wasmApi.Module(bytes), name };
      break;
    }
  }
  loaded.set(wasmDir, result);
  return result;
}

function readKernelFile(file: string): Uint8Array {
  try {
    return fs.readFileSync(file);
  } catch (err) {
    const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'is missing' : `cannot be read (${(err as Error).message})`;
    throw new Error(`erasure: the WebAssembly kernel ${file} ${why}: build it with \`node scripts/build-erasure-wasm.mjs\` (npm install does)`);
  }
}

export function createWasmKernel(loadedModule: LoadedModule, maxInputs: number, maxOutputs: number): GfKernel {
  const gf = new wasmApi.Instance(loadedModule.module).exports as GfExports;
  /** By outputs per pass: passes[R] computes R outputs. */
  const passes: DotProductPass[] = [() => {}, gf.gf_dot_prod_1, gf.gf_dot_prod_2, gf.gf_dot_prod_3, gf.gf_dot_prod_4];
  const scalar = createJsKernel();

  const srcPointers = 0;
  const dstPointers = POINTER_AREA;
  const tables = 2 * POINTER_AREA;
  const stagingIn = alignUp(tables + maxInputs * maxOutputs * TABLE_BYTES, STEP_BYTES);
  const stagingOut = stagingIn + maxInputs * STAGING_CHUNK;
  const shardsArea = stagingOut + maxOutputs * STAGING_CHUNK;
  ensureMemory(shardsArea);

  /** The coefficients whose tables are in memory now, so a run of equal calls writes them once. */
  let tablesFor: { coefs: Uint8Array; inputs: number } | null = null;

  function ensureMemory(bytes: number): void {
    const missing = bytes - gf.memory.buffer.byteLength;
    // Growing detaches every view of the old buffer: allocateShards says so to its callers.
    if (missing > 0) gf.memory.grow(Math.ceil(missing / PAGE));
  }
  const bytes = () => new Uint8Array(gf.memory.buffer);
  const words = () => new Uint32Array(gf.memory.buffer);

  /** Nibble tables for every pass: pass rows r0…r0+R-1 at tables + r0·inputs·32, (j·R + r)·32 within. */
  function writeTables(coefs: Uint8Array, inputs: number, outputs: number): void {
    if (tablesFor && tablesFor.inputs === inputs && equalBytes(tablesFor.coefs, coefs)) return;
    const memory = bytes();
    for (let r0 = 0; r0 < outputs; r0 += MAX_OUTPUTS_PER_PASS) {
      const rows = Math.min(MAX_OUTPUTS_PER_PASS, outputs - r0);
      const base = tables + r0 * inputs * TABLE_BYTES;
      for (let j = 0; j < inputs; j++) {
        for (let r = 0; r < rows; r++) writeNibbleTables(coefs[(r0 + r) * inputs + j]!, memory, base + (j * rows + r) * TABLE_BYTES);
      }
    }
    tablesFor = { coefs: Uint8Array.from(coefs), inputs };
  }

  /** Runs the passes over inputs and outputs already in memory, at these addresses. */
  function runPasses(length: number, inputAddresses: readonly number[], outputAddresses: readonly number[]): void {
    const pointers = words();
    inputAddresses.forEach((address, j) => (pointers[srcPointers / 4 + j] = address));
    outputAddresses.forEach((address, r) => (pointers[dstPointers / 4 + r] = address));
    const inputs = inputAddresses.length;
    for (let r0 = 0; r0 < outputAddresses.length; r0 += MAX_OUTPUTS_PER_PASS) {
      const rows = Math.min(MAX_OUTPUTS_PER_PASS, outputAddresses.length - r0);
      passes[rows]!(length, inputs, tables + r0 * inputs * TABLE_BYTES, srcPointers, dstPointers + r0 * 4);
    }
  }

  return {
    name: loadedModule.name,
    dotProducts(coefs, inputs, outputs, length) {
      if (inputs.length > maxInputs || outputs.length > maxOutputs) {
        throw new Error(`erasure: this kernel was made for at most ${maxInputs} inputs and ${maxOutputs} outputs`);
      }
      if (length === 0 || outputs.length === 0) return;
      writeTables(coefs, inputs.length, outputs.length);
      const inMemory = (a: Uint8Array) => a.buffer === gf.memory.buffer;
      if (inputs.every(inMemory) && outputs.every(inMemory)) {
        // In place: the whole steps here, the tail (< 64 bytes) by the scalar kernel, since
        // reading or writing past a buffer's end would touch its neighbour.
        const bulk = length - (length % STEP_BYTES);
        if (bulk > 0) runPasses(bulk, inputs.map((a) => a.byteOffset), outputs.map((a) => a.byteOffset));
        if (bulk < length) scalar.dotProducts(coefs, inputs.map((a) => a.subarray(bulk, length)), outputs.map((a) => a.subarray(bulk, length)), length - bulk);
        return;
      }
      const memory = bytes();
      const stagedIn = inputs.map((_, j) => stagingIn + j * STAGING_CHUNK);
      const stagedOut = outputs.map((_, r) => stagingOut + r * STAGING_CHUNK);
      for (let pos = 0; pos < length; pos += STAGING_CHUNK) {
        const n = Math.min(STAGING_CHUNK, length - pos);
        inputs.forEach((input, j) => memory.set(input.subarray(pos, pos + n), stagedIn[j]));
        // The last chunk is rounded up to a whole step: the bytes past n are stale and so are
        // the outputs computed from them, which are never copied out.
        runPasses(alignUp(n, STEP_BYTES), stagedIn, stagedOut);
        outputs.forEach((output, r) => output.set(memory.subarray(stagedOut[r]!, stagedOut[r]! + n), pos));
      }
    },
    allocateShards(count, length) {
      const slot = alignUp(Math.max(length, 1), STEP_BYTES);
      ensureMemory(shardsArea + count * slot);
      const buffer = gf.memory.buffer;
      return Array.from({ length: count }, (_, i) => new Uint8Array(buffer, shardsArea + i * slot, length));
    },
  };
}

function alignUp(n: number, to: number): number {
  return Math.ceil(n / to) * to;
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
