import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type ObjectStore } from '../../agents/services/kodo/store';

/**
 * Durability of Kodo's store end to end, over directories on tmpfs (/dev/shm when there is one:
 * the fsyncs cost nothing there, so the run measures the store, not the disk): objects of mixed
 * sizes (empty, inline, one stripe, several), one shard corrupted and healed on read, m disks'
 * contents removed (every object still byte-identical), the emptied disks taken back in by a
 * rescan and rebuilt by the scanner until every object is on all k + m disks (checked on disk),
 * then m OTHER disks emptied so the rebuilt shards are what the reads need — and the usage
 * figures checked against what is on the disks.
 *
 * Chosen to stay under ~60 s on this 2-core machine: 4+2 with 1,000 objects (≈ 40 % up to 4 KiB,
 * 30 % up to 128 KiB — inlined —, 20 % up to 1 MiB, 10 % 1–3 MiB: ≈ 330 MB in all), and 10+2
 * with 300 objects of the same mix.
 */

const base = fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir();
const ROOT = fs.mkdtempSync(path.join(base, 'kodo-durability-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const KIB = 1024;
const MIB = KIB * KIB;
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Deterministic sizes in the mix above (a linear congruential sequence, so a failure reproduces). */
function sizes(count: number): number[] {
  let x = 12345;
  const next = () => (x = (x * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i) => {
    if (i < 2) return i; // 0 and 1 byte always
    const r = next();
    if (r < 0.4) return Math.floor(next() * 4 * KIB);
    if (r < 0.7) return Math.floor(next() * 128 * KIB);
    if (r < 0.9) return 128 * KIB + Math.floor(next() * (MIB - 128 * KIB));
    return MIB + Math.floor(next() * 2 * MIB);
  });
}

async function readHash(store: ObjectStore, bucket: string, key: string): Promise<string> {
  const { stream } = await store.getObject(bucket, key);
  const hash = createHash('sha256');
  for await (const chunk of stream as Readable) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

function emptyDir(dir: string): void {
  for (const name of fs.readdirSync(dir)) fs.rmSync(path.join(dir, name), { recursive: true, force: true });
}

interface MetaOnDisk {
  versions: { versionId: string; size: number; erasure: { shardIndex: number }; dataDir?: string; parts?: { number: number }[] }[];
}

function metaOf(disk: string, bucket: string, key: string): MetaOnDisk | null {
  const file = path.join(disk, bucket, ...key.split('/'), 'meta.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as MetaOnDisk) : null;
}

/** Bytes of every meta.json and data file under a bucket on every disk: what rawBytes must say. */
function rawBytesOnDisks(disks: string[], bucket: string): number {
  let total = 0;
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else total += fs.statSync(full).size;
    }
  };
  for (const disk of disks) walk(path.join(disk, bucket));
  return total;
}

describe.each([
  [4, 2, 1000],
  [10, 2, 300],
])('durability on %i+%i with %i objects', (k, m, count) => {
  it('survives m lost disks and a corrupt shard, and heals replaced disks back to full redundancy', async () => {
    const n = k + m;
    const disks = Array.from({ length: n }, (_, i) => path.join(ROOT, `${k}+${m}`, `disk${i}`));
    for (const disk of disks) fs.mkdirSync(disk, { recursive: true });
    // No scheduled cycle during the test: the cycles it waits for are the ones it causes.
    const store = await openStore({ disks, layout: { k, m }, healing: { priority: 'high', firstCycleAfterMs: 3600_000 } });
    const buckets = ['photos', 'logs'];
    for (const b of buckets) await store.createBucket(b);
    const objects = sizes(count).map((size, i) => ({ bucket: buckets[i % 2]!, key: `dir${i % 7}/obj-${i}`, size, hash: '' }));
    for (const o of objects) {
      const data = randomBytes(o.size);
      o.hash = sha(data);
      await store.putObject(o.bucket, o.key, data);
    }

    // One shard corrupted (a data shard, which a healthy read uses): right bytes, and healed on read.
    const striped = objects.find((o) => o.size > 2 * MIB)!;
    const holder = disks.find((d) => metaOf(d, striped.bucket, striped.key)!.versions[0]!.erasure.shardIndex === 0)!;
    const record = metaOf(holder, striped.bucket, striped.key)!.versions[0]!;
    const part = path.join(holder, striped.bucket, ...striped.key.split('/'), record.dataDir!, 'part.1');
    const before = fs.readFileSync(part);
    const corrupt = Buffer.from(before);
    corrupt[100]! ^= 0xff;
    fs.writeFileSync(part, corrupt);
    expect(await readHash(store, striped.bucket, striped.key)).toBe(striped.hash);
    await store.healIdle();
    expect(fs.readFileSync(path.join(holder, striped.bucket, ...striped.key.split('/'), record.dataDir!, 'part.1')).equals(before)).toBe(true);
    expect(store.healStatus().queue.healed).toBeGreaterThanOrEqual(1);

    // m disks lost (their contents removed while the store runs): every object still reads right.
    const lost = [1, n - 2];
    for (const i of lost) emptyDir(disks[i]!);
    for (const o of objects) expect(await readHash(store, o.bucket, o.key), `${o.bucket}/${o.key}`).toBe(o.hash);

    // The blank disks taken back in: formatted into their indices, rebuilt by a cycle started at once.
    const slots = await store.rescanDisks();
    for (const i of lost) expect(slots[i]).toMatchObject({ path: disks[i], state: 'online', healing: true });
    await store.healIdle();
    const status = store.healStatus();
    expect(status.lastCycle).toMatchObject({ reason: 'disk-replaced', rebuilding: lost, errors: 0, objectsScanned: count });
    expect(store.disks().every((d) => d.state === 'online' && !d.healing)).toBe(true);
    const formats = disks.map((d) => JSON.parse(fs.readFileSync(path.join(d, '.kodo', 'format.json'), 'utf8')) as { diskIds: string[]; index: number });
    for (const f of formats) expect(f.diskIds).toEqual(formats[0]!.diskIds);

    // On disk: every object on all n disks, one distinct shard each, every data file present.
    for (const o of objects) {
      const metas = disks.map((d) => metaOf(d, o.bucket, o.key));
      expect(metas.every((meta) => meta?.versions.length === 1), `${o.bucket}/${o.key}`).toBe(true);
      expect(new Set(metas.map((meta) => meta!.versions[0]!.erasure.shardIndex)).size).toBe(n);
      metas.forEach((meta, i) => {
        const v = meta!.versions[0]!;
        if (v.dataDir) expect(fs.existsSync(path.join(disks[i]!, o.bucket, ...o.key.split('/'), v.dataDir, 'part.1'))).toBe(true);
      });
    }

    // Usage, counted while walking, against the disks.
    for (const b of buckets) {
      const mine = objects.filter((o) => o.bucket === b);
      expect(status.buckets.find((u) => u.name === b)).toEqual({ name: b, objects: mine.length, logicalBytes: mine.reduce((s, o) => s + o.size, 0), rawBytes: rawBytesOnDisks(disks, b) });
    }

    // m other disks gone: the rebuilt shards are needed now, and right.
    for (const i of [0, n - 1]) emptyDir(disks[i]!);
    for (const o of objects) expect(await readHash(store, o.bucket, o.key), `${o.bucket}/${o.key}`).toBe(o.hash);
    await store.close();
  });
});
