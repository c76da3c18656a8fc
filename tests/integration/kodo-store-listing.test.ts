import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore, type ListOptions, type ObjectStore } from '../../agents/services/kodo/store';

/**
 * Kodo's listing: a merged walk of the disks' directories, checked page by page against a
 * reference (S3's ListObjectsV2 over the sorted key list) on ~2,000 keys: directory-like and flat
 * keys, unicode, and keys whose order differs between UTF-16 and UTF-8 or between a tree walk and
 * byte order ('a/b' vs 'a-b'), with prefix, delimiter, start-after, max-keys and continuation.
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-store-listing-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const byteOrder = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

const TRICKY = [
  'a', 'a/b', 'a-b', 'a/', 'a//b', 'a0', 'a.b', 'a/b/c', 'a/b-c', 'a/b/', 'A', 'z', '~', '\u007F', '\u0080', 'ä', 'é', 'e\u0301',
  '\uE000', '\uFFFD', '\u{1F600}', '\u{1F600}/x', '🙂/smile', '文档/报告-1.txt', '文档/报告-2.txt', '文档/子/x', 'données/été/1', 'données/hiver',
  '%', '%2F', '.', '..', '../x', '.hidden/x', 'meta.json', 'dir/meta.json', '/lead', 'sp ace/x', 'tab\tkey',
];

function allKeys(): string[] {
  const keys = [...TRICKY];
  for (const year of [2023, 2024]) for (let month = 1; month <= 12; month++) for (let i = 1; i <= 40; i++) keys.push(`photos/${year}/${String(month).padStart(2, '0')}/img-${String(i).padStart(4, '0')}.jpg`);
  for (let i = 0; i < 1000; i++) keys.push(`flat-${String(i).padStart(4, '0')}`);
  return keys;
}

/** S3's ListObjectsV2 over a sorted key list: what the store must return. */
function reference(keys: string[], options: ListOptions & { token?: string }): { items: string[]; truncated: boolean } {
  const prefix = options.prefix ?? '';
  const after = [options.startAfter ?? '', options.token ?? ''].sort(byteOrder)[1]!;
  const out: string[] = [];
  for (const key of keys) {
    if (!key.startsWith(prefix) || byteOrder(key, after) <= 0) continue;
    let item = key;
    if (options.delimiter) {
      const at = key.indexOf(options.delimiter, prefix.length);
      if (at !== -1) item = key.slice(0, at + options.delimiter.length);
    }
    if (out[out.length - 1] === item) continue;
    if (options.token !== undefined && byteOrder(item, options.token) <= 0) continue;
    out.push(item);
  }
  const max = options.maxKeys ?? 1000;
  return { items: out.slice(0, max), truncated: out.length > max };
}

let store: ObjectStore;
let keys: string[];
let disks: string[];

beforeAll(async () => {
  disks = Array.from({ length: 6 }, (_, i) => path.join(ROOT, `disk${i}`));
  for (const disk of disks) fs.mkdirSync(disk);
  store = await openStore({ disks, layout: { k: 4, m: 2 } });
  await store.createBucket('bkt');
  keys = allKeys().sort(byteOrder);
  const queue = [...keys];
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      for (let key = queue.pop(); key !== undefined; key = queue.pop()) await store.putObject('bkt', key, Buffer.from(key));
    }),
  );
}, 120_000);

/** Pages through a listing; checks each page against the reference; returns the items in order. */
async function pageThrough(options: ListOptions, target?: { store: ObjectStore; bucket: string; keys: string[] }): Promise<string[]> {
  const on = target ?? { store, bucket: 'bkt', keys };
  const seen: string[] = [];
  let token: string | undefined;
  for (let pages = 0; ; pages++) {
    const page = await on.store.listObjects(on.bucket, { ...options, ...(token !== undefined ? { continuationToken: token } : {}) });
    const items = [...page.objects.map((o) => o.key), ...page.commonPrefixes].sort(byteOrder);
    const expected = reference(on.keys, { ...options, ...(token !== undefined ? { token: seen[seen.length - 1]! } : {}) });
    expect(items, `page ${pages} of ${JSON.stringify(options)}`).toEqual(expected.items);
    expect(page.isTruncated).toBe(expected.truncated);
    for (const o of page.objects) expect(o.size).toBe(Buffer.byteLength(o.key));
    seen.push(...items);
    if (!page.isTruncated) return seen;
    token = page.nextContinuationToken;
    expect(token).toBeTruthy();
  }
}

describe('listing ~2,000 keys on 4+2', () => {
  it('lists everything in UTF-8 byte order, in pages of 1000 and 333', async () => {
    expect(keys.length).toBeGreaterThan(1900);
    expect(await pageThrough({})).toEqual(keys);
    expect(await pageThrough({ maxKeys: 333 })).toEqual(keys);
  });

  it('rolls keys up into common prefixes with a delimiter', async () => {
    const root = await pageThrough({ delimiter: '/' });
    expect(root).toContain('photos/');
    expect(root).toContain('a/');
    expect(root).toContain('a');
    expect(await pageThrough({ delimiter: '/', maxKeys: 3 })).toEqual(root);
    expect(await pageThrough({ prefix: 'photos/2024/', delimiter: '/' })).toEqual(Array.from({ length: 12 }, (_, i) => `photos/2024/${String(i + 1).padStart(2, '0')}/`));
    await pageThrough({ prefix: 'photos/', delimiter: '/', maxKeys: 1 });
    await pageThrough({ prefix: 'a', delimiter: '/' });
    await pageThrough({ prefix: 'a/', delimiter: '/' });
    await pageThrough({ prefix: '文档/', delimiter: '/' });
    await pageThrough({ delimiter: '-', prefix: 'a' });
    await pageThrough({ delimiter: '0', prefix: 'photos/2023/1', maxKeys: 2 });
  });

  it('starts after any key, inside or outside a prefix', async () => {
    await pageThrough({ startAfter: 'photos/2024/05/img-0020.jpg', prefix: 'photos/2024/0' });
    await pageThrough({ startAfter: 'flat-0500', maxKeys: 250 });
    await pageThrough({ startAfter: 'photos/2023/07/img-0001.jpg', delimiter: '/' });
    await pageThrough({ startAfter: 'photos/2023/07/img-0001.jpg', prefix: 'photos/', delimiter: '/' });
    await pageThrough({ startAfter: 'a/b', maxKeys: 5, prefix: 'a' });
    await pageThrough({ startAfter: '\uE000' });
    await pageThrough({ startAfter: '\u{10FFFF}' });
    await pageThrough({ prefix: 'photos/2024/12/img-0040.jpg' });
    await pageThrough({ prefix: 'nothing-here/' });
  });

  it('lists only what reads: a key held by fewer than k disks is neither listed nor read', async () => {
    // Tear 'a/b/c' and the only key under 'sp ace/': 3 of 6 disks lose its meta.json. Behind the
    // running store's back: the read is what tells it (listings remember what keys were; a heal or
    // the scanner's pass tells it too), and a store opened afresh, as after a crash, finds it alone.
    for (const key of ['a/b/c', 'sp ace/x']) {
      for (const disk of disks.slice(0, 3)) fs.rmSync(path.join(disk, 'bkt', ...key.split('/'), 'meta.json'));
      await expect(store.getObject('bkt', key)).rejects.toMatchObject({ code: 'NoSuchKey' });
    }
    keys = keys.filter((k) => k !== 'a/b/c' && k !== 'sp ace/x');
    expect(await pageThrough({})).toEqual(keys);
    for (const disk of disks.slice(3)) fs.rmSync(path.join(disk, 'bkt', 'a', 'b-c', 'meta.json'));
    keys = keys.filter((k) => k !== 'a/b-c');
    const fresh = await openStore({ disks });
    try {
      expect(await pageThrough({ prefix: 'a/' }, { store: fresh, bucket: 'bkt', keys })).not.toContain('a/b-c');
    } finally {
      await fresh.close();
    }
    await store.healObject('bkt', 'a/b-c').catch(() => undefined); // the running store learns it from a heal
    expect(await pageThrough({})).toEqual(keys);
    const root = await pageThrough({ delimiter: '/' });
    expect(root).not.toContain('sp ace/');
    await pageThrough({ prefix: 'a/b/', delimiter: '/' });
  });

  it('takes well under a second for a 1,000-key page', async () => {
    const started = performance.now();
    const page = await store.listObjects('bkt', { prefix: 'photos/' });
    const ms = performance.now() - started;
    expect(page.objects).toHaveLength(960);
    console.log(`kodo-store listing: 960 keys on 4+2 in ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(2000);
  });
});

/** A small deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Listings keep directories' sorted names in memory between pages (listing-names.ts), told of every
 * put and delete. Keys from a small alphabet rich in order traps ('-' and '.' sort before '/', '0'
 * after it; 'é' and an emoji past ASCII and the BMP) come and go between listings with random
 * prefixes, delimiters, start-after and page sizes, each page checked against the reference; once
 * with the default budget and once with a budget of 3 names (directories evicted and read again,
 * larger ones never kept).
 */
describe.each([
  { label: 'kept names', budget: undefined },
  { label: 'a 3-name budget', budget: 3 },
])('listing stays right while keys come and go ($label)', ({ budget }) => {
  const alphabet = ['a', 'b', '-', '.', '/', '0', 'é', '🙂'];
  let churn: ObjectStore;
  let live: Set<string>;

  beforeAll(async () => {
    const churnDisks = Array.from({ length: 6 }, (_, i) => path.join(ROOT, `churn-${budget ?? 'default'}-${i}`));
    for (const disk of churnDisks) fs.mkdirSync(disk);
    churn = await openStore({ disks: churnDisks, layout: { k: 4, m: 2 }, ...(budget !== undefined ? { listingNamesBudget: budget } : {}) });
    await churn.createBucket('churn');
    live = new Set();
  });

  it('matches the reference after every round of puts and deletes', async () => {
    const random = prng(Number(process.env.KODO_LISTING_SEED ?? 7) + (budget ?? 0)); // another seed: KODO_LISTING_SEED=n
    const pick = <T>(xs: readonly T[]) => xs[Math.floor(random() * xs.length)]!;
    const newKey = () => Array.from({ length: 1 + Math.floor(random() * 5) }, () => pick(alphabet)).join('');
    for (let round = 0; round < 12; round++) {
      const puts = Array.from({ length: 25 }, newKey);
      const deletes = [...live].filter(() => random() < 0.3);
      await Promise.all([
        ...puts.map(async (key) => {
          await churn.putObject('churn', key, Buffer.from(key));
          live.add(key);
        }),
        ...deletes.map(async (key) => {
          if (puts.includes(key)) return; // one change per key per round, so the reference is known
          await churn.deleteObject('churn', key);
          live.delete(key);
        }),
      ]);
      const sorted = [...live].sort(byteOrder);
      const target = { store: churn, bucket: 'churn', keys: sorted };
      expect(await pageThrough({}, target)).toEqual(sorted);
      for (let q = 0; q < 6; q++) {
        const some = sorted.length ? pick(sorted) : '';
        const options: ListOptions = { maxKeys: 1 + Math.floor(random() * 7) };
        const points = Array.from(some); // whole code points: half an emoji is not a key
        if (random() < 0.5) options.prefix = points.slice(0, Math.floor(random() * (points.length + 1))).join('');
        if (random() < 0.5) options.delimiter = pick(['/', '-', '.']);
        if (random() < 0.5) options.startAfter = newKey();
        await pageThrough(options, target);
      }
    }
  }, 120_000);
});
