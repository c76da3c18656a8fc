import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createErasureCodec, ErasureCodingError, type ErasureCodec } from '../../agents/services/kodo/erasure';
import { gfInv, gfMul } from '../../agents/services/kodo/erasure/gf256';
import { cauchyEncodingMatrix } from '../../agents/services/kodo/erasure/gf-matrix';

/**
 * Kodo's erasure codec: the WebAssembly SIMD kernel against the scalar JavaScript reference on
 * random data, reconstruction of every loss it must survive, and the refusals. Byte identity with
 * ISA-L itself is tests/integration/erasure-isal.test.ts; the known answer below was printed by
 * ISA-L (bench/isal/isal-ec-bench.c encode 4 2 4), so this file holds the reference to it too.
 */

const ROOT = path.resolve(__dirname, '../..');
const LAYOUTS: [number, number][] = [[2, 1], [4, 2], [10, 1], [10, 2], [16, 4], [20, 2], [32, 8]];
const LENGTHS = [0, 1, 15, 16, 17, 4095, 65536 + 7];

beforeAll(() => {
  // The kernel is built by npm install; build it here too, so the test runs on any checkout.
  const built = spawnSync(process.execPath, [path.join(ROOT, 'scripts/build-erasure-wasm.mjs')], { encoding: 'utf8' });
  expect(built.status, built.stderr).toBe(0);
});

/** xorshift32: the same "random" bytes every run, so a failure repeats. */
function randomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed | 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

function stripe(k: number, m: number, length: number, seed: number): { data: Uint8Array[]; parity: Uint8Array[] } {
  return {
    data: Array.from({ length: k }, (_, i) => randomBytes(length, seed * 131 + i + 1)),
    parity: Array.from({ length: m }, () => new Uint8Array(length)),
  };
}

/** Every subset of {0…n-1} with 1 to `most` members. */
function lossPatterns(n: number, most: number): number[][] {
  const out: number[][] = [];
  const pick = (from: number, chosen: number[]) => {
    if (chosen.length > 0) out.push([...chosen]);
    if (chosen.length === most) return;
    for (let i = from; i < n; i++) pick(i + 1, [...chosen, i]);
  };
  pick(0, []);
  return out;
}

function randomPatterns(n: number, most: number, count: number, seed: number): number[][] {
  const bytes = randomBytes(count * (most + 1), seed);
  return Array.from({ length: count }, (_, c) => {
    const size = 1 + (bytes[c * (most + 1)]! % most);
    const lost = new Set<number>();
    for (let i = 1; lost.size < size; i++) lost.add((bytes[c * (most + 1) + (i % (most + 1))]! + i * 7) % n);
    return [...lost];
  });
}

/** Loses `lost` from a full stripe, rebuilds, and checks every shard is as it was. */
function expectRebuilt(codec: ErasureCodec, full: Uint8Array[], lost: number[], inPlace: boolean): void {
  const shards: (Uint8Array | null)[] = full.map((s) => s.slice());
  for (const i of lost) shards[i] = inPlace ? new Uint8Array(full[i]!.length).fill(0xa5) : null;
  const rebuilt = codec.reconstruct(shards, inPlace ? lost : []);
  rebuilt.forEach((shard, i) => expect(Buffer.compare(shard, full[i]!), `shard ${i} after losing ${lost.join(',')}`).toBe(0));
  if (inPlace) for (const i of lost) expect(rebuilt[i]).toBe(shards[i]);
}

describe('GF(2^8) with polynomial 0x11d', () => {
  /** Multiplication the long way: shift and add, reducing by 0x11d. */
  const slowMul = (a: number, b: number) => {
    let p = 0;
    for (; b; b >>= 1, a = a & 0x80 ? ((a << 1) ^ 0x11d) & 0xff : a << 1) if (b & 1) p ^= a;
    return p;
  };

  it('multiplies and inverts as the field does', () => {
    const wrong: string[] = [];
    for (let a = 0; a < 256; a++) {
      for (let b = 0; b < 256; b++) if (gfMul(a, b) !== slowMul(a, b)) wrong.push(`${a}·${b}`);
      if (a > 0 && gfMul(a, gfInv(a)) !== 1) wrong.push(`1/${a}`);
    }
    expect(wrong).toEqual([]);
  });

  it("builds ISA-L's gf_gen_cauchy1_matrix: identity on top, 1/(i ^ j) below", () => {
    const a = cauchyEncodingMatrix(3, 2);
    expect([...a.subarray(0, 9)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
    expect([...a.subarray(9)]).toEqual([3 ^ 0, 3 ^ 1, 3 ^ 2, 4 ^ 0, 4 ^ 1, 4 ^ 2].map(gfInv));
  });
});

describe('erasure codec', () => {
  it('takes the WebAssembly SIMD kernel here (so the comparisons below test it)', () => {
    expect(createErasureCodec(10, 2).kernel).toMatch(/^wasm-simd/);
  });

  it('encodes what ISA-L encodes (known answer from ec_encode_data, 4+2)', () => {
    const input = [0x00, 0x01, 0x02, 0x03, 0x10, 0x20, 0x30, 0x40, 0xff, 0xfe, 0xfd, 0xfc, 0x55, 0xaa, 0x0f, 0xf0];
    for (const kernel of ['wasm', 'js'] as const) {
      const codec = createErasureCodec(4, 2, { kernel });
      const data = [0, 1, 2, 3].map((i) => Uint8Array.from(input.slice(i * 4, i * 4 + 4)));
      const parity = [new Uint8Array(4), new Uint8Array(4)];
      codec.encode(data, parity);
      expect(Buffer.concat(parity).toString('hex'), kernel).toBe('a0919d1e64d14de8');
    }
  });

  for (const [k, m] of LAYOUTS) {
    it(`${k}+${m}: WebAssembly parity equals the scalar reference's at every length, in and outside the kernel's memory`, () => {
      const wasm = createErasureCodec(k, m, { kernel: 'wasm' });
      const js = createErasureCodec(k, m, { kernel: 'js' });
      for (const length of LENGTHS) {
        const { data, parity } = stripe(k, m, length, k * 100 + length);
        const expected = data.length ? parity.map((p) => p.slice()) : [];
        js.encode(data, expected);
        // Ordinary arrays: copied through the kernel's staging area.
        wasm.encode(data, parity);
        parity.forEach((p, r) => expect(Buffer.compare(p, expected[r]!), `${k}+${m} length ${length} parity ${r}`).toBe(0));
        // The kernel's own buffers: coded in place.
        const own = wasm.allocateShards(length);
        data.forEach((d, i) => own[i]!.set(d));
        wasm.encode(own.slice(0, k), own.slice(k));
        own.slice(k).forEach((p, r) => expect(Buffer.compare(p, expected[r]!), `${k}+${m} length ${length} in place, parity ${r}`).toBe(0));
        if (length > 0) expect(expected.some((p) => p.some((b) => b !== 0))).toBe(true);
      }
    });
  }

  for (const [k, m] of LAYOUTS) {
    const everyLoss = k + m <= 22 && m <= 2;
    it(`${k}+${m}: rebuilds ${everyLoss ? 'every combination' : 'random combinations'} of up to ${m} lost shards, data or parity`, () => {
      const codec = createErasureCodec(k, m);
      const length = 4095; // not a whole number of kernel steps: the tail path runs too
      const { data, parity } = stripe(k, m, length, k + m);
      codec.encode(data, parity);
      const full = [...data, ...parity];
      const patterns = everyLoss || k + m <= 6 ? lossPatterns(k + m, m) : randomPatterns(k + m, m, 40, k * m);
      patterns.forEach((lost, n) => expectRebuilt(codec, full, lost, n % 2 === 1));
      // the worst case for each layout is always among them: m lost, data first
      expectRebuilt(codec, full, Array.from({ length: m }, (_, i) => i), false);
    });
  }

  it('rebuilds with the scalar kernel too', () => {
    const codec = createErasureCodec(4, 2, { kernel: 'js' });
    const { data, parity } = stripe(4, 2, 300, 9);
    codec.encode(data, parity);
    for (const lost of lossPatterns(6, 2)) expectRebuilt(codec, [...data, ...parity], lost, false);
  });

  it('refuses more lost shards than parity, saying so', () => {
    const codec = createErasureCodec(10, 2);
    const { data, parity } = stripe(10, 2, 64, 3);
    codec.encode(data, parity);
    const shards: (Uint8Array | null)[] = [...data, ...parity];
    shards[0] = shards[5] = shards[11] = null;
    expect(() => codec.reconstruct(shards)).toThrow(ErasureCodingError);
    expect(() => codec.reconstruct(shards)).toThrow('3 shards lost (0, 5, 11) but 10+2 rebuilds at most 2');
    expect(() => codec.reconstruct([...data, ...parity], [1, 2, 3])).toThrow(/rebuilds at most 2/);
  });

  it('refuses shards of different lengths, naming them', () => {
    const codec = createErasureCodec(4, 2);
    const { data, parity } = stripe(4, 2, 100, 4);
    const short = [...data.slice(0, 3), data[3]!.subarray(0, 99)];
    expect(() => codec.encode(short, parity)).toThrow('shard 3 is 99 bytes but shard 0 is 100: every shard of a stripe must have the same length');
    expect(() => codec.encode(data, [parity[0]!, new Uint8Array(101)])).toThrow(/shard 5 is 101 bytes/);
    codec.encode(data, parity);
    expect(() => codec.reconstruct([null, data[1]!, data[2]!, data[3]!.subarray(1), parity[0]!, parity[1]!])).toThrow(/shard 3 is 99 bytes/);
  });

  it('refuses wrong shard counts and layouts out of range', () => {
    const codec = createErasureCodec(4, 2);
    expect(() => codec.encode([new Uint8Array(1)], [new Uint8Array(1), new Uint8Array(1)])).toThrow('4+2 encodes 4 data shards, got 1');
    expect(() => codec.reconstruct([null, null])).toThrow(/from 6 shards/);
    expect(() => codec.reconstruct(Array.from({ length: 6 }, () => new Uint8Array(1)), [6])).toThrow(/not a shard of 4\+2/);
    expect(() => createErasureCodec(0, 1)).toThrow(/k must be/);
    expect(() => createErasureCodec(33, 1)).toThrow(/k must be/);
    expect(() => createErasureCodec(4, 9)).toThrow(/m must be/);
  });
});
