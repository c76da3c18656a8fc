import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createErasureCodec } from '../../agents/services/kodo/erasure';

/**
 * Kodo's parity is byte-identical to Intel ISA-L's ec_encode_data with gf_gen_cauchy1_matrix, the
 * strongest check there is: the harness bench/isal/isal-ec-bench.c (`encode` mode) is built
 * against Debian's libisal-dev and fed the same random shards as our codec.
 */

const ROOT = path.resolve(__dirname, '../..');
const HEADER = '/usr/include/isa-l/erasure_code.h';
const skip = fs.existsSync(HEADER) ? undefined : `ISA-L is not installed (no ${HEADER}; Debian libisal-dev, which scripts/setup-system.sh installs)`;
if (skip) console.warn(`[skip] erasure parity vs ISA-L skipped: ${skip}`);

describe.skipIf(skip !== undefined)('erasure parity equals ISA-L', () => {
  let dir = '';
  let harness = '';

  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'erasure-isal-'));
    harness = path.join(dir, 'isal-ec-bench');
    const cc = spawnSync('cc', ['-O2', '-o', harness, path.join(ROOT, 'bench/isal/isal-ec-bench.c'), '-lisal'], { encoding: 'utf8' });
    expect(cc.status, cc.stderr || cc.error?.message).toBe(0);
    const wasm = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-erasure-wasm.mjs')], { encoding: 'utf8' });
    expect(wasm.status, wasm.stderr).toBe(0);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** ISA-L's m parity shards for these k data shards. */
  function isalParity(k: number, m: number, data: Uint8Array[]): Uint8Array[] {
    const length = data[0]!.length;
    const out = spawnSync(harness, ['encode', String(k), String(m), String(length)], { input: Buffer.concat(data), maxBuffer: 64 << 20 });
    expect(out.status, String(out.stderr)).toBe(0);
    expect(out.stdout.length).toBe(m * length);
    return Array.from({ length: m }, (_, r) => out.stdout.subarray(r * length, (r + 1) * length));
  }

  for (const [k, m] of [[10, 2], [20, 2], [4, 2], [32, 8]] as const) {
    it(`${k}+${m}: our parity, WebAssembly and scalar, is ISA-L's byte for byte`, () => {
      for (const length of [1, 4095, 65536 + 7]) {
        const data = Array.from({ length: k }, () => new Uint8Array(length));
        let x = k * 7919 + length;
        for (const shard of data) for (let i = 0; i < length; i++) shard[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
        const expected = isalParity(k, m, data);
        for (const kernel of ['wasm', 'js'] as const) {
          const parity = Array.from({ length: m }, () => new Uint8Array(length));
          createErasureCodec(k, m, { kernel }).encode(data, parity);
          parity.forEach((p, r) => expect(Buffer.compare(p, expected[r]!), `${kernel} ${k}+${m} length ${length} parity ${r}`).toBe(0));
        }
      }
    });
  }
});
