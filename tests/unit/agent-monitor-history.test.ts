/**
 * The monitor's history store on a real file system (temp dir): cursor paging, gaps, reopening
 * after a restart, a torn last line, a seal cut short, the size cap and retention.
 */
import * as z from 'zod/mini';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { openHistoryStore, type HistoryStore, type HistoryStoreOptions } from '../../agents/agent/monitor/history-store';
import type { SampleBody } from '../../agents/agent/monitor/sample-builder';
import { createLogRing } from '../../agents/agent/logging/log-ring';
import { createLogger } from '../../agents/agent/logging/logger';
import { MetricsResultSchema } from '../../agents/protocol/payloads/metrics';
import { makeTempDir } from '../helpers/temp-dir';

const ring = createLogRing({ capacity: 1000, runId: 'test' });
const log = createLogger({ level: 'debug', clock: { now: () => Date.now(), setTimer: () => ({ id: 0 }), clearTimer: () => undefined }, ring, file: null, redact: (t) => t });
const events = () => ring.query({ limit: 1000 }).entries.map((e) => e.event);

function body(i: number, t0 = Date.UTC(2026, 0, 1)): SampleBody {
  return {
    time: new Date(t0 + i * 10_000).toISOString(),
    intervalMs: 10_000,
    cpu: { busyPercent: i % 100, userPercent: 1, systemPercent: 1, iowaitPercent: 0, stealPercent: 0, coresBusyPercent: [1, 2] },
    load: { load1: 0.1, load5: 0.2, load15: 0.3 },
    memory: { totalBytes: 8e9, availableBytes: 6e9, usedBytes: 2e9, buffersBytes: 1e6, cachedBytes: 1e9, swapTotalBytes: 0, swapUsedBytes: 0 },
    net: [{ name: 'eth0', rxBytesPerSec: i, txBytesPerSec: 2, rxPacketsPerSec: 1, txPacketsPerSec: 1, rxErrorsPerSec: 0, txErrorsPerSec: 0, rxDropsPerSec: 0, txDropsPerSec: 0 }],
    disks: [{ name: 'sda', sizeBytes: 1e12, readOpsPerSec: 1, writeOpsPerSec: 2, readBytesPerSec: 4096, writeBytesPerSec: 8192, utilPercent: 1, readAwaitMs: 0.5, writeAwaitMs: 1, inFlight: 0 }],
    filesystems: [{ mountpoint: '/', device: '/dev/sda1', fsType: 'ext4', sizeBytes: 1e12, usedBytes: 1e11, availableBytes: 9e11, usePercent: 10, inodesTotal: 1000, inodesUsed: 10, inodesUsePercent: 1, readOnly: false }],
    temperatures: [],
    services: [],
    agent: { cpuPercent: 0.1, rssBytes: 5e7 },
  };
}

describe('monitor history store', () => {
  const tmp = makeTempDir('mon-history');
  const opened: HistoryStore[] = [];
  let clock = Date.UTC(2026, 0, 1);
  afterEach(() => {
    for (const s of opened.splice(0)) s.close();
  });
  afterAll(() => tmp.cleanup());

  function open(dir: string, over: Partial<HistoryStoreOptions> = {}): HistoryStore {
    const s = openHistoryStore({ dir, memorySamples: 20, maxDiskBytes: 64 * 1024 * 1024, retentionMs: 48 * 3_600_000, segmentBytes: 1024 * 1024, now: () => clock, log, ...over });
    opened.push(s);
    return s;
  }
  const dirFor = (name: string) => path.join(tmp.dir, name);
  const seqs = (r: { samples: { seq: number }[] }) => r.samples.map((s) => s.seq);

  it('numbers samples from 1 and pages by cursor, first from the oldest', () => {
    const s = open(dirFor('paging'), { segmentBytes: 8 * 1024 });
    for (let i = 0; i < 50; i++) s.append(body(i));
    const id = s.historyId;
    expect(id).toMatch(/^[a-z0-9]{12}$/);
    const first = s.query({ limit: 15 });
    expect(z.omit(MetricsResultSchema, { intervalMs: true }).safeParse(first).success).toBe(true);
    expect(seqs(first)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    expect(first).toMatchObject({ historyId: id, next: `${id}.15`, oldest: `${id}.1`, newest: `${id}.50`, gap: false, more: true });
    // Page 2 straddles disk (seq ≤ 30) and the memory ring (the newest 20: 31–50).
    const second = s.query({ after: first.next!, limit: 30 });
    expect(seqs(second)).toEqual(Array.from({ length: 30 }, (_, i) => i + 16));
    const third = s.query({ after: second.next!, limit: 30 });
    expect(seqs(third)).toEqual([46, 47, 48, 49, 50]);
    expect(third.more).toBe(false);
    // Up to date: nothing new, and `next` stays where it was.
    expect(s.query({ after: third.next!, limit: 30 })).toMatchObject({ samples: [], next: `${id}.50`, gap: false, more: false });
    // Several segments were sealed to gzip on the way, and they read back.
    const files = fs.readdirSync(dirFor('paging')).filter((f) => f.startsWith('seg-'));
    expect(files.filter((f) => f.endsWith('.jsonl.gz')).length).toBeGreaterThan(1);
    expect(files.filter((f) => f.endsWith('.jsonl'))).toHaveLength(1);
  });

  it('says gap when the cursor is from another history or older than what is kept, and starts at the oldest', () => {
    const s = open(dirFor('gap'));
    for (let i = 0; i < 5; i++) s.append(body(i));
    const other = s.query({ after: 'abcdef012345.3', limit: 100 });
    expect(other).toMatchObject({ gap: true });
    expect(seqs(other)).toEqual([1, 2, 3, 4, 5]);
    const future = s.query({ after: `${s.historyId}.999`, limit: 100 });
    expect(future.gap).toBe(true);
    expect(seqs(future)[0]).toBe(1);
    expect(s.query({ after: `${s.historyId}.0`, limit: 100 }).gap).toBe(false);
  });

  it('keeps the history, its id and the sequence across a restart, without losing or repeating a sample', () => {
    const dir = dirFor('restart');
    const a = open(dir);
    for (let i = 0; i < 30; i++) a.append(body(i));
    const cursor = a.query({ after: `${a.historyId}.0`, limit: 12 }).next!;
    a.close();
    const b = open(dir);
    expect(b.historyId).toBe(a.historyId);
    for (let i = 30; i < 40; i++) b.append(body(i));
    const all: number[] = [];
    let after = cursor;
    for (let guard = 0; guard < 10; guard++) {
      const page = b.query({ after, limit: 7 });
      all.push(...seqs(page));
      after = page.next!;
      if (!page.more) break;
    }
    expect(all).toEqual(Array.from({ length: 28 }, (_, i) => i + 13));
  });

  it('cuts a torn last line when reopened, and a new sample then follows the last whole one', () => {
    const dir = dirFor('torn');
    const a = open(dir);
    for (let i = 0; i < 3; i++) a.append(body(i));
    a.close();
    const seg = fs.readdirSync(dir).find((f) => f.endsWith('.jsonl'))!;
    // A crash in the middle of writing sample 4: half a line, no newline.
    const line4 = `${JSON.stringify({ v: 1, seq: 4, ...body(3) })}\n`;
    fs.appendFileSync(path.join(dir, seg), line4.slice(0, 100));
    const b = open(dir);
    expect(events()).toContain('monitor.torn-tail-removed');
    expect(b.append(body(4)).seq).toBe(4);
    expect(seqs(b.query({ limit: 100 }))).toEqual([1, 2, 3, 4]);
    // A line of garbage in the middle (a power loss on a file system without ordered data) is skipped.
    b.close();
    fs.appendFileSync(path.join(dir, seg), '\0\0\0\0garbage\n');
    const c = open(dir, { memorySamples: 2 });
    c.append(body(5));
    expect(seqs(c.query({ limit: 100 }))).toEqual([1, 2, 3, 4, 5]);
  });

  it('finishes a seal cut short: both forms present keeps the gzip, temp files go', () => {
    const dir = dirFor('seal');
    const a = open(dir, { segmentBytes: 4 * 1024 });
    for (let i = 0; i < 10; i++) a.append(body(i));
    a.close();
    const gz = fs.readdirSync(dir).find((f) => f.endsWith('.jsonl.gz'))!;
    const plain = gz.slice(0, -3);
    // Crash after the rename, before the unlink: the plain file is back beside its gzip.
    fs.writeFileSync(path.join(dir, plain), zlib.gunzipSync(fs.readFileSync(path.join(dir, gz))));
    fs.writeFileSync(path.join(dir, 'seg-000000000000099.jsonl.gz.tmp'), 'partial');
    const b = open(dir, { segmentBytes: 4 * 1024 });
    expect(fs.existsSync(path.join(dir, plain))).toBe(false);
    expect(fs.existsSync(path.join(dir, 'seg-000000000000099.jsonl.gz.tmp'))).toBe(false);
    expect(seqs(b.query({ limit: 100 }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(b.append(body(10)).seq).toBe(11);
  });

  it('holds the disk cap by dropping the oldest sealed segments, then reports the gap to an old cursor', () => {
    const dir = dirFor('cap');
    const s = open(dir, { segmentBytes: 16 * 1024, maxDiskBytes: 24 * 1024 });
    for (let i = 0; i < 2000; i++) s.append(body(i));
    expect(s.diskBytes()).toBeLessThanOrEqual(24 * 1024 + 16 * 1024);
    const r = s.query({ after: `${s.historyId}.1`, limit: 5 });
    expect(r.gap).toBe(true);
    expect(r.samples[0]!.seq).toBeGreaterThan(2);
    expect(r.oldest).toBe(`${s.historyId}.${r.samples[0]!.seq}`);
  });

  it('drops sealed segments older than the retention', () => {
    const dir = dirFor('retention');
    clock = Date.UTC(2026, 0, 1);
    const s = open(dir, { segmentBytes: 4 * 1024, retentionMs: 3_600_000, memorySamples: 5 });
    for (let i = 0; i < 10; i++) s.append(body(i));
    const before = s.query({ limit: 1 }).oldest;
    clock += 2 * 3_600_000;
    for (let i = 10; i < 20; i++) s.append(body(i));
    const after = s.query({ limit: 1 });
    expect(after.oldest).not.toBe(before);
    expect(after.samples[0]!.seq).toBeGreaterThan(1);
  });

  it('keeps sampling into memory when the disk write fails, and says so once', () => {
    const dir = dirFor('readonly');
    const s = open(dir, { segmentBytes: 2 * 1024 });
    s.append(body(0));
    // The state directory becomes unusable (a full or failed disk would give ENOSPC/EIO).
    fs.rmSync(dir, { recursive: true, force: true });
    fs.writeFileSync(dir, 'not a directory');
    for (let i = 1; i < 10; i++) s.append(body(i));
    expect(events().filter((e) => e === 'monitor.history-write-failed')).toHaveLength(1);
    expect(seqs(s.query({ limit: 100 }))).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    fs.rmSync(dir);
  });
});
