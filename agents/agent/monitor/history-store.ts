import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { MetricsSampleSchema, METRICS_SAMPLE_SCHEMA, type MetricsResult, type MetricsSample } from '../../protocol/payloads/metrics';
import type { Logger } from '../logging/logger';
import type { SampleBody } from './sample-builder';

/**
 * The monitor's history: the newest samples in a memory ring (what a polling console asks for)
 * and every sample in append-only segment files under `<stateDir>/monitor/`, bounded by size and
 * age, so 24 h and more survive an agent restart and the console can backfill after a disconnection.
 *
 * On disk: one JSON object per line, `{"v":1,"seq":…,…}` (v = METRICS_SAMPLE_SCHEMA). The segment
 * being written is plain text (`seg-<first seq>.jsonl`); when it reaches `segmentBytes` it is
 * sealed: gzipped to a temp file, fsynced, renamed to `seg-<first seq>.jsonl.gz`, and the plain file
 * removed. JSON lines because they append without rewriting anything and a crash can only tear the
 * last line; gzip on sealing because the same keys repeat in every line (measured in
 * bench/agent-monitor.bench.ts: about a tenth of the plain size).
 *
 * Crash safety: a torn last line (no newline, or garbage after a power loss) is cut off when the
 * segment is reopened and skipped when read; a crash between rename and unlink leaves both forms,
 * and the plain one is dropped at start; temp files are removed at start.
 */
export interface HistoryStore {
  readonly historyId: string;
  append(body: SampleBody): MetricsSample;
  query(params: { after?: string; limit: number }): Omit<MetricsResult, 'intervalMs'>;
  /** The newest sample, or null. */
  latest(): MetricsSample | null;
  /** Bytes of every segment file, for the log and tests. */
  diskBytes(): number;
  close(): void;
}

export interface HistoryStoreOptions {
  dir: string;
  memorySamples: number;
  maxDiskBytes: number;
  retentionMs: number;
  segmentBytes: number;
  now: () => number;
  log: Logger;
}

/** A page is cut here even below `limit`, to stay well inside the client's 8 MiB response limit. */
export const MAX_PAGE_BYTES = 4 * 1024 * 1024;

interface Segment {
  firstSeq: number;
  file: string;
  sealed: boolean;
  bytes: number;
  mtimeMs: number;
}

interface RingEntry {
  sample: MetricsSample;
  bytes: number;
}

const DECODED_KEEP_MS = 60_000;
const SEGMENT_NAME = /^seg-(\d{15})\.jsonl(\.gz)?$/;

export function openHistoryStore(opts: HistoryStoreOptions): HistoryStore {
  fs.mkdirSync(opts.dir, { recursive: true, mode: 0o700 });
  const historyId = readOrCreateHistoryId(opts.dir);
  const segments = scanSegments(opts.dir, opts.log);
  const ring: RingEntry[] = [];
  let ringStart = 0; // index of the oldest entry once the ring is full
  let writeFailed = false;
  /** The last sealed segment read, decompressed: a backfill pages through one segment many times. */
  let decoded: { file: string; lines: string[]; usedAt: number } | null = null;

  // Reopen the active segment: cut a torn tail so the next line does not glue onto it.
  let active = segments.at(-1)?.sealed === false ? segments.at(-1)! : null;
  if (active) truncateTornTail(active);
  let nextSeq = 1;
  const seed = lastSamples(opts.memorySamples);
  for (const s of seed) pushRing(s);
  if (seed.length) nextSeq = seed.at(-1)!.seq + 1;
  else {
    // No sample readable at all: still never reuse a sequence number a segment name has used.
    const last = segments.at(-1);
    if (last) nextSeq = last.firstSeq + 1;
  }
  let fd: number | null = null;

  function pushRing(sample: MetricsSample, bytes = 3000): void {
    const entry = { sample, bytes };
    if (ring.length < opts.memorySamples) ring.push(entry);
    else {
      ring[ringStart] = entry;
      ringStart = (ringStart + 1) % ring.length;
    }
  }

  function ringOrdered(): RingEntry[] {
    return ringStart === 0 ? ring : [...ring.slice(ringStart), ...ring.slice(0, ringStart)];
  }

  function readLines(seg: Segment): string[] {
    if (decoded?.file === seg.file && seg.sealed) {
      decoded.usedAt = opts.now();
      return decoded.lines;
    }
    let text: string;
    try {
      const raw = fs.readFileSync(path.join(opts.dir, seg.file));
      text = seg.sealed ? zlib.gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    } catch (err) {
      opts.log.warn('monitor.segment-unreadable', { file: seg.file, error: err as Error });
      return [];
    }
    const lines = text.split('\n');
    lines.pop(); // after the last newline: empty, or a torn line
    // Only sealed segments are cached: they never change, and one is enough for paging through them.
    if (seg.sealed) decoded = { file: seg.file, lines, usedAt: opts.now() };
    return lines;
  }

  function parseLine(line: string): MetricsSample | null {
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      return null;
    }
    if (typeof obj !== 'object' || obj === null || (obj as { v?: unknown }).v !== METRICS_SAMPLE_SCHEMA) return null;
    const parsed = MetricsSampleSchema.safeParse(obj);
    return parsed.success ? parsed.data : null;
  }

  /** The newest `n` samples on disk, oldest first (seeds the ring at start). */
  function lastSamples(n: number): MetricsSample[] {
    const out: MetricsSample[] = [];
    for (let i = segments.length - 1; i >= 0 && out.length < n; i--) {
      const lines = readLines(segments[i]!);
      for (let j = lines.length - 1; j >= 0 && out.length < n; j--) {
        const s = parseLine(lines[j]!);
        if (s) out.push(s);
      }
    }
    return out.reverse();
  }

  function truncateTornTail(seg: Segment): void {
    const file = path.join(opts.dir, seg.file);
    const buf = fs.readFileSync(file);
    const end = buf.lastIndexOf(0x0a) + 1;
    if (end < buf.length) {
      fs.truncateSync(file, end);
      opts.log.warn('monitor.torn-tail-removed', { file: seg.file, bytes: buf.length - end });
      seg.bytes = end;
    }
  }

  function openActive(firstSeq: number): void {
    const file = `seg-${String(firstSeq).padStart(15, '0')}.jsonl`;
    active = { firstSeq, file, sealed: false, bytes: 0, mtimeMs: opts.now() };
    segments.push(active);
  }

  function seal(seg: Segment): void {
    if (fd !== null) {
      fs.closeSync(fd);
      fd = null;
    }
    const plain = path.join(opts.dir, seg.file);
    const gzFile = `${seg.file}.gz`;
    const tmp = path.join(opts.dir, `${gzFile}.tmp`);
    // Synchronous on purpose: a 1 MiB segment compresses in ~10–20 ms about once an hour at the
    // default interval, and a sync seal cannot interleave with an append.
    const gz = zlib.gzipSync(fs.readFileSync(plain), { level: 6 });
    const tfd = fs.openSync(tmp, 'w', 0o600);
    try {
      fs.writeSync(tfd, gz);
      fs.fsyncSync(tfd);
    } finally {
      fs.closeSync(tfd);
    }
    fs.renameSync(tmp, path.join(opts.dir, gzFile));
    fs.unlinkSync(plain);
    seg.file = gzFile;
    seg.sealed = true;
    seg.bytes = gz.length;
    seg.mtimeMs = opts.now();
  }

  function enforceBounds(): void {
    const cutoff = opts.now() - opts.retentionMs;
    let total = segments.reduce((n, s) => n + s.bytes, 0);
    // Whole sealed segments go, oldest first; the active segment is never removed.
    while (segments.length > 1 && segments[0]!.sealed && (total > opts.maxDiskBytes || segments[0]!.mtimeMs < cutoff)) {
      const gone = segments.shift()!;
      total -= gone.bytes;
      try {
        fs.unlinkSync(path.join(opts.dir, gone.file));
      } catch (err) {
        opts.log.warn('monitor.segment-remove-failed', { file: gone.file, error: err as Error });
      }
    }
  }

  function write(sample: MetricsSample, line: string): void {
    try {
      if (active && active.bytes > 0 && active.bytes + line.length > opts.segmentBytes) {
        seal(active);
        active = null;
        enforceBounds();
      }
      if (!active) openActive(sample.seq);
      if (fd === null) fd = fs.openSync(path.join(opts.dir, active!.file), 'a', 0o600);
      fs.writeSync(fd, line);
      active!.bytes += Buffer.byteLength(line);
      active!.mtimeMs = opts.now();
      if (writeFailed) opts.log.info('monitor.history-write-recovered', {});
      writeFailed = false;
    } catch (err) {
      // A full or read-only state disk must not stop sampling: the ring still serves recent samples.
      if (!writeFailed) opts.log.error('monitor.history-write-failed', { error: err as Error, msg: 'metrics history is kept in memory only until the state directory is writable again' });
      writeFailed = true;
      if (fd !== null) {
        try {
          fs.closeSync(fd);
        } catch {
          // already unusable
        }
        fd = null;
      }
    }
  }

  const cursor = (seq: number) => `${historyId}.${seq}`;

  function oldestSeq(): number | null {
    const ringOldest = ring.length ? ringOrdered()[0]!.sample.seq : null;
    const diskOldest = segments[0]?.firstSeq ?? null;
    if (ringOldest === null) return diskOldest;
    if (diskOldest === null) return ringOldest;
    return Math.min(ringOldest, diskOldest);
  }

  function newestSeq(): number | null {
    return ring.length ? ringOrdered().at(-1)!.sample.seq : null;
  }

  function collect(afterSeq: number, limit: number): { samples: MetricsSample[]; more: boolean } {
    const samples: MetricsSample[] = [];
    let bytes = 0;
    const ordered = ringOrdered();
    const ringFirst = ordered[0]?.sample.seq ?? Infinity;
    const full = () => samples.length >= limit || bytes >= MAX_PAGE_BYTES;
    // From disk only what the ring does not hold.
    if (afterSeq + 1 < ringFirst) {
      let i = segments.findLastIndex((s) => s.firstSeq <= afterSeq + 1);
      if (i < 0) i = 0;
      for (; i < segments.length && !full(); i++) {
        if (segments[i]!.firstSeq >= ringFirst) break;
        for (const line of readLines(segments[i]!)) {
          if (full()) break;
          const s = parseLine(line);
          if (!s || s.seq <= afterSeq || s.seq >= ringFirst) continue;
          samples.push(s);
          bytes += line.length;
        }
      }
    }
    const last = samples.at(-1)?.seq ?? afterSeq;
    for (const e of ordered) {
      if (full()) break;
      if (e.sample.seq <= last) continue;
      samples.push(e.sample);
      bytes += e.bytes;
    }
    const newest = newestSeq();
    return { samples, more: newest !== null && (samples.at(-1)?.seq ?? afterSeq) < newest };
  }

  return {
    historyId,
    append(body) {
      const sample: MetricsSample = { seq: nextSeq++, ...body };
      const line = `${JSON.stringify({ v: METRICS_SAMPLE_SCHEMA, ...sample })}\n`;
      write(sample, line);
      pushRing(sample, line.length);
      // A backfill is over after a minute without a read: give the decompressed segment back.
      if (decoded && opts.now() - decoded.usedAt > DECODED_KEEP_MS) decoded = null;
      return sample;
    },
    query({ after, limit }) {
      const oldest = oldestSeq();
      const newest = newestSeq();
      let afterSeq = oldest === null ? 0 : oldest - 1;
      let gap = false;
      if (after !== undefined) {
        const dot = after.lastIndexOf('.');
        const id = after.slice(0, dot);
        const seq = Number(after.slice(dot + 1));
        // Another history, or a cursor from the future of this one (a restored state directory):
        // start over from the oldest sample and say so.
        if (id !== historyId || (newest !== null && seq > newest) || (newest === null && seq > 0)) gap = true;
        else if (oldest !== null && seq < oldest - 1) gap = true;
        else afterSeq = seq;
      }
      const { samples, more } = collect(afterSeq, limit);
      const lastSeq = samples.at(-1)?.seq ?? (afterSeq > 0 ? afterSeq : null);
      return {
        historyId,
        samples,
        next: lastSeq === null ? null : cursor(lastSeq),
        oldest: oldest === null ? null : cursor(oldest),
        newest: newest === null ? null : cursor(newest),
        gap,
        more,
      };
    },
    latest: () => (ring.length ? ringOrdered().at(-1)!.sample : null),
    diskBytes: () => segments.reduce((n, s) => n + s.bytes, 0),
    close() {
      if (fd !== null) fs.closeSync(fd);
      fd = null;
    },
  };
}

function readOrCreateHistoryId(dir: string): string {
  const file = path.join(dir, 'history-id');
  try {
    const id = fs.readFileSync(file, 'utf8').trim();
    if (/^[a-z0-9]{1,32}$/.test(id)) return id;
  } catch {
    // first start: made below
  }
  const id = crypto.randomBytes(6).toString('hex');
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, `${id}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
  return id;
}

function scanSegments(dir: string, log: Logger): Segment[] {
  const names = fs.readdirSync(dir);
  const byFirst = new Map<number, { plain?: string; gz?: string }>();
  for (const name of names) {
    if (name.endsWith('.tmp')) {
      fs.rmSync(path.join(dir, name), { force: true }); // a seal or id write cut short
      continue;
    }
    const m = SEGMENT_NAME.exec(name);
    if (!m) continue;
    const first = Number(m[1]);
    const entry = byFirst.get(first) ?? {};
    if (m[2]) entry.gz = name;
    else entry.plain = name;
    byFirst.set(first, entry);
  }
  const out: Segment[] = [];
  const firsts = [...byFirst.keys()].sort((a, b) => a - b);
  for (const [i, first] of firsts.entries()) {
    const e = byFirst.get(first)!;
    if (e.gz && e.plain) {
      // The seal's rename happened, its unlink did not: the gzip is complete (fsynced before rename).
      fs.rmSync(path.join(dir, e.plain), { force: true });
      log.info('monitor.segment-seal-finished', { file: e.gz });
      delete e.plain;
    }
    const file = e.gz ?? e.plain!;
    const st = fs.statSync(path.join(dir, file));
    const sealed = e.gz !== undefined;
    // Only the newest segment may be plain; an older plain one (should not happen) is read as is.
    if (!sealed && i !== firsts.length - 1) log.warn('monitor.segment-unsealed', { file });
    out.push({ firstSeq: first, file, sealed, bytes: st.size, mtimeMs: st.mtimeMs });
  }
  return out;
}
