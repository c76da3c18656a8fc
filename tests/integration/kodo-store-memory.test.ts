import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_BLOCK_SIZE, openStore } from '../../agents/services/kodo/store';

/**
 * Kodo's store streams: a 64 MiB PUT and GET on 4+2 keep what the process holds within the bound
 * the README states (a few stripes: the stage, two codecs' k + m shards, one stripe handed to the
 * reader; about 5 MiB at 1 MiB stripes on 4+2) plus slack, far below the object's size. The body is
 * generated chunk by chunk and the read hashed chunk by chunk, so the test holds no copy of the
 * object. Sampled at every chunk: arrayBuffers after a forced collection every 1 MiB (what is held,
 * not garbage not yet collected), and rss, which only grows (the allocator keeps its pages).
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-store-memory-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const SIZE = 64 << 20;
const CHUNK = 64 << 10;
/** The stated bound (README: "Memory") and the slack allowed on top for the allocator and V8. */
const BOUND = 5 * DEFAULT_BLOCK_SIZE;
const SLACK = 4 << 20;
/** rss includes whatever the allocator keeps: bounded all the same, but by more. */
const RSS_LIMIT = 32 << 20;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

function chunkOf(i: number): Buffer {
  const out = Buffer.allocUnsafe(CHUNK);
  for (let j = 0; j < CHUNK; j += 4) out.writeUInt32LE((i * 2654435761 + j * 40503) >>> 0, j);
  return out;
}

it('puts and gets 64 MiB within the stated memory bound', async () => {
  const disks = Array.from({ length: 6 }, (_, i) => path.join(ROOT, `disk${i}`));
  for (const disk of disks) fs.mkdirSync(disk);
  const store = await openStore({ disks, layout: { k: 4, m: 2 } });
  await store.createBucket('bkt');
  // Warm up (the codec's module, first allocations), then measure from a settled baseline.
  await store.putObject('bkt', 'warm', Buffer.alloc(3 << 20));
  for await (const chunk of (await store.getObject('bkt', 'warm')).stream) void chunk;
  gc();
  await new Promise((resolve) => setTimeout(resolve, 5));
  const base = process.memoryUsage();
  let peakArrayBuffers = 0;
  let peakRss = 0;
  let samples = 0;
  // V8 frees ArrayBuffers' memory on a background thread after a collection: give it a turn
  // before reading what is held.
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));
  const sample = async () => {
    peakRss = Math.max(peakRss, process.memoryUsage().rss - base.rss);
    if (++samples % 16 !== 0) return;
    gc();
    await settle();
    peakArrayBuffers = Math.max(peakArrayBuffers, process.memoryUsage().arrayBuffers - base.arrayBuffers);
  };

  const expected = createHash('md5');
  async function* body() {
    for (let i = 0; i < SIZE / CHUNK; i++) {
      const chunk = chunkOf(i);
      expected.update(chunk);
      await sample();
      yield chunk;
    }
  }
  const info = await store.putObject('bkt', 'big', body());
  expect(info.size).toBe(SIZE);
  expect(info.etag).toBe(expected.digest('hex'));

  const got = createHash('md5');
  let length = 0;
  for await (const chunk of (await store.getObject('bkt', 'big')).stream) {
    got.update(chunk as Buffer);
    length += (chunk as Buffer).length;
    await sample();
  }
  expect(length).toBe(SIZE);
  expect(got.digest('hex')).toBe(info.etag);

  console.log(
    `kodo-store memory: 64 MiB put + get on 4+2, peak growth: held arrayBuffers ${(peakArrayBuffers / 2 ** 20).toFixed(1)} MiB (bound ${BOUND / 2 ** 20} + ${SLACK / 2 ** 20} MiB), rss ${(peakRss / 2 ** 20).toFixed(1)} MiB (limit ${RSS_LIMIT / 2 ** 20} MiB)`,
  );
  expect(peakArrayBuffers).toBeLessThan(BOUND + SLACK);
  expect(peakRss).toBeLessThan(RSS_LIMIT);
});
