/**
 * One rollup bucket: everything needed to merge buckets exactly (min, max, sum, count), from
 * which a chart point's average is sum / count.
 */
export interface Agg {
  min: number;
  max: number;
  sum: number;
  count: number;
}

export function foldValue(a: Agg | undefined, v: number): Agg {
  if (!a) return { min: v, max: v, sum: v, count: 1 };
  if (v < a.min) a.min = v;
  if (v > a.max) a.max = v;
  a.sum += v;
  a.count += 1;
  return a;
}

export function mergeAgg(into: Agg | undefined, b: Agg): Agg {
  if (!into) return { min: b.min, max: b.max, sum: b.sum, count: b.count };
  if (b.min < into.min) into.min = b.min;
  if (b.max > into.max) into.max = b.max;
  into.sum += b.sum;
  into.count += b.count;
  return into;
}

/** Where decoded buckets go: the chart read path appends them to columns (point-columns.ts). */
export interface BucketSink {
  push(bucket: number, min: number, max: number, sum: number, count: number): void;
}

/**
 * A block: up to 64 consecutive buckets of one series (60 one-minute buckets of an hour, 24
 * one-hour buckets of a day) stored as one BLOB, so a 30-day chart reads 720 rows instead of
 * 43,200 — row materialisation, not SQLite's B-tree walk, is what made the row-per-bucket read slow.
 *
 * Layout (platform byte order: little endian on x64 and arm64, all the console ships for), for
 * the k present slots: u32 presence bits for slots 0–31, u32 for
 * slots 32–63, then k f64 minimums, k f64 maximums, k f64 sums, k u32 counts. Columns rather than
 * entries so a read copies the BLOB once and walks typed-array views. Absent buckets cost nothing,
 * so a series that stops mid-hour stores only what it has.
 */
const HEADER = 8;
const ENTRY = 28;

/** Reusable aligned scratch space for decoding (BLOBs from SQLite come at arbitrary offsets). */
let scratch = new ArrayBuffer(HEADER + 64 * ENTRY);
let scratchBytes = new Uint8Array(scratch);

function views(buf: Uint8Array): { lo: number; hi: number; k: number; min: Float64Array; max: Float64Array; sum: Float64Array; count: Uint32Array } {
  if (buf.byteLength > scratch.byteLength) {
    scratch = new ArrayBuffer(buf.byteLength);
    scratchBytes = new Uint8Array(scratch);
  }
  scratchBytes.set(buf);
  const head = new Uint32Array(scratch, 0, 2);
  const lo = head[0]!;
  const hi = head[1]!;
  const k = popcount(lo) + popcount(hi);
  if (buf.byteLength !== HEADER + k * ENTRY) throw new Error(`rollup block has ${buf.byteLength} bytes, expected ${HEADER + k * ENTRY} for ${k} buckets`);
  return {
    lo,
    hi,
    k,
    min: new Float64Array(scratch, HEADER, k),
    max: new Float64Array(scratch, HEADER + 8 * k, k),
    sum: new Float64Array(scratch, HEADER + 16 * k, k),
    count: new Uint32Array(scratch, HEADER + 24 * k, k),
  };
}

function popcount(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  return (((x + (x >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

const present = (lo: number, hi: number, i: number) => (i < 32 ? (lo >>> i) & 1 : (hi >>> (i - 32)) & 1);

export class SlotBlock {
  readonly min: Float64Array;
  readonly max: Float64Array;
  readonly sum: Float64Array;
  /** 0 = no bucket in that slot. */
  readonly count: Uint32Array;

  constructor(readonly slots: number) {
    if (slots > 64) throw new Error(`a block holds at most 64 buckets, asked for ${slots}`);
    this.min = new Float64Array(slots);
    this.max = new Float64Array(slots);
    this.sum = new Float64Array(slots);
    this.count = new Uint32Array(slots);
  }

  clear(): void {
    this.count.fill(0);
  }

  merge(slot: number, min: number, max: number, sum: number, count: number): void {
    if (this.count[slot] === 0) {
      this.min[slot] = min;
      this.max[slot] = max;
      this.sum[slot] = sum;
      this.count[slot] = count;
      return;
    }
    if (min < this.min[slot]!) this.min[slot] = min;
    if (max > this.max[slot]!) this.max[slot] = max;
    this.sum[slot]! += sum;
    this.count[slot]! += count;
  }

  /** Every present slot folded into one bucket (an hour from its minutes, a day from its hours). */
  total(): Agg | undefined {
    let out: Agg | undefined;
    for (let i = 0; i < this.slots; i++) {
      const c = this.count[i]!;
      if (c) out = mergeAgg(out, { min: this.min[i]!, max: this.max[i]!, sum: this.sum[i]!, count: c });
    }
    return out;
  }

  encode(): Buffer {
    let lo = 0;
    let hi = 0;
    let k = 0;
    for (let i = 0; i < this.slots; i++) {
      if (!this.count[i]) continue;
      k++;
      if (i < 32) lo |= 1 << i;
      else hi |= 1 << (i - 32);
    }
    const ab = new ArrayBuffer(HEADER + k * ENTRY);
    const head = new Uint32Array(ab, 0, 2);
    head[0] = lo >>> 0;
    head[1] = hi >>> 0;
    const min = new Float64Array(ab, HEADER, k);
    const max = new Float64Array(ab, HEADER + 8 * k, k);
    const sum = new Float64Array(ab, HEADER + 16 * k, k);
    const count = new Uint32Array(ab, HEADER + 24 * k, k);
    let j = 0;
    for (let i = 0; i < this.slots; i++) {
      if (!this.count[i]) continue;
      min[j] = this.min[i]!;
      max[j] = this.max[i]!;
      sum[j] = this.sum[i]!;
      count[j] = this.count[i]!;
      j++;
    }
    return Buffer.from(ab);
  }

  /** Merges an encoded block into this one (so decoding into a cleared block is a plain read). */
  mergeEncoded(buf: Uint8Array): void {
    const v = views(buf);
    let j = 0;
    for (let i = 0; i < 64 && j < v.k; i++) {
      if (!present(v.lo, v.hi, i)) continue;
      if (i >= this.slots) throw new Error(`rollup block has bucket ${i}, beyond its ${this.slots} slots`);
      this.merge(i, v.min[j]!, v.max[j]!, v.sum[j]!, v.count[j]!);
      j++;
    }
  }
}

/** Sends every bucket of an encoded block whose index (base + slot) is in [from, to) to `sink`, in order. */
export function readBlock(buf: Uint8Array, base: number, from: number, to: number, sink: BucketSink): void {
  const v = views(buf);
  let j = 0;
  for (let i = 0; i < 64 && j < v.k; i++) {
    if (!present(v.lo, v.hi, i)) continue;
    const bucket = base + i;
    if (bucket >= from && bucket < to) sink.push(bucket, v.min[j]!, v.max[j]!, v.sum[j]!, v.count[j]!);
    j++;
  }
}
