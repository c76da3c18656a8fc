import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, type ObjectStore, type ShardProblem } from '../../agents/services/kodo/store';
import { storeErrorOf } from '../helpers/kodo-store-kit';

/**
 * Kodo's storage engine over plain directories standing for data disks: round trips of every size
 * that changes the code path (empty, inline limit ± 1, stripe ± 1, many stripes) on 4+2 and 10+2,
 * ranges, a corrupted or missing shard read right and reported, m disks lost (still byte-identical)
 * and m + 1 (an error naming the disks), disks remounted in another order or swapped, keys that try
 * to leave the bucket, and bucket rules.
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-store-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const INLINE = 128 * 1024;
const MIB = 1 << 20;

let sets = 0;
function makeDisks(n: number): string[] {
  const dir = path.join(ROOT, `set-${sets++}`);
  return Array.from({ length: n }, (_, i) => {
    const disk = path.join(dir, `disk${i}`);
    fs.mkdirSync(disk, { recursive: true });
    return disk;
  });
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function getBytes(store: ObjectStore, bucket: string, key: string): Promise<{ bytes: Buffer; problems: ShardProblem[] }> {
  const result = await store.getObject(bucket, key);
  const bytes = await readAll(result.stream);
  return { bytes, problems: result.problems };
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');

/** The disk holding shard `shard` of an object (from its meta.json). */
function diskWithShard(disks: string[], bucket: string, key: string, shard: number): string {
  for (const disk of disks) {
    const meta = JSON.parse(fs.readFileSync(path.join(disk, bucket, ...key.split('/'), 'meta.json'), 'utf8')) as { versions: { erasure: { shardIndex: number }; dataDir?: string }[] };
    if (meta.versions[0]!.erasure.shardIndex === shard) return disk;
  }
  throw new Error(`no disk holds shard ${shard}`);
}

function partFile(disk: string, bucket: string, key: string): string {
  const dir = path.join(disk, bucket, ...key.split('/'));
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { versions: { dataDir: string }[] };
  return path.join(dir, meta.versions[0]!.dataDir, 'part.1');
}

describe.each([
  [4, 2],
  [10, 2],
])('round trips on %i+%i', (k, m) => {
  const SIZES = [0, 1, INLINE - 1, INLINE, INLINE + 1, MIB - 1, MIB, MIB + 1, 10 * MIB];

  it.each(SIZES)('%i bytes', async (size) => {
    const disks = makeDisks(k + m);
    const store = await openStore({ disks, layout: { k, m } });
    await store.createBucket('bkt');
    const data = randomBytes(size);
    const info = await store.putObject('bkt', 'dir/object', data, { contentType: 'image/png', userMetadata: { owner: 'kodo' } });
    expect(info).toMatchObject({ size, etag: md5(data) });
    const head = await store.headObject('bkt', 'dir/object');
    expect(head).toMatchObject({ size, etag: md5(data), contentType: 'image/png', userMetadata: { owner: 'kodo' }, versionId: info.versionId });
    const { bytes, problems } = await getBytes(store, 'bkt', 'dir/object');
    expect(bytes.equals(data)).toBe(true);
    expect(problems).toEqual([]);
    // Inlined objects have no data directory; larger ones have exactly one part.1 per disk.
    const entries = fs.readdirSync(path.join(disks[0]!, 'bkt', 'dir', 'object'));
    expect(entries.filter((e) => e.startsWith('.v-'))).toHaveLength(size <= INLINE ? 0 : 1);
  });
});

describe('streams and overwrites', () => {
  it('takes a Readable in odd chunks and replaces an object, leaving one version on disk', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    const first = randomBytes(3 * MIB + 5);
    const chunks = Array.from({ length: Math.ceil(first.length / 7777) }, (_, i) => first.subarray(i * 7777, (i + 1) * 7777));
    const v1 = await store.putObject('bkt', 'k', Readable.from(chunks));
    expect(v1.etag).toBe(md5(first));
    const second = randomBytes(2 * MIB);
    const v2 = await store.putObject('bkt', 'k', second);
    expect(v2.versionId).not.toBe(v1.versionId);
    expect((await getBytes(store, 'bkt', 'k')).bytes.equals(second)).toBe(true);
    for (const disk of disks) {
      const names = fs.readdirSync(path.join(disk, 'bkt', 'k'));
      expect(names.sort()).toEqual([`.v-${v2.versionId}`, 'meta.json']);
      const meta = JSON.parse(fs.readFileSync(path.join(disk, 'bkt', 'k', 'meta.json'), 'utf8')) as { versions: unknown[] };
      expect(meta.versions).toHaveLength(1);
    }
    // Overwritten by an inline object: the large version's data goes.
    await store.putObject('bkt', 'k', Buffer.from('small'));
    expect(fs.readdirSync(path.join(disks[0]!, 'bkt', 'k'))).toEqual(['meta.json']);
    expect((await getBytes(store, 'bkt', 'k')).bytes.toString()).toBe('small');
    // Nothing left behind in tmp.
    for (const disk of disks) expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);
  });

  it('serves a read begun before an overwrite or delete the old bytes, and closes its files when abandoned', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    const old = randomBytes(2 * MIB + 1);
    await store.putObject('bkt', 'k', old);
    const openFds = () => fs.readdirSync('/proc/self/fd').length;
    const before = openFds();
    const racing = await store.getObject('bkt', 'k');
    await store.putObject('bkt', 'k', randomBytes(MIB + 1));
    const deleting = await store.getObject('bkt', 'k');
    await store.deleteObject('bkt', 'k');
    expect((await readAll(racing.stream)).equals(old)).toBe(true);
    expect((await readAll(deleting.stream)).length).toBe(MIB + 1);
    await store.putObject('bkt', 'k', old);
    const abandoned = await store.getObject('bkt', 'k');
    abandoned.stream.destroy();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(openFds()).toBe(before);
  });

  it('deletes, and removes the directories the key left empty', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    await store.putObject('bkt', 'a/b/c', randomBytes(MIB + 3));
    await store.putObject('bkt', 'a/x', Buffer.from('x'));
    expect(await store.deleteObject('bkt', 'a/b/c')).toEqual({ deleted: true });
    expect(await store.deleteObject('bkt', 'a/b/c')).toEqual({ deleted: false });
    expect((await storeErrorOf(store.getObject('bkt', 'a/b/c'))).code).toBe('NoSuchKey');
    for (const disk of disks) expect(fs.readdirSync(path.join(disk, 'bkt', 'a'))).toEqual(['x']);
    expect((await getBytes(store, 'bkt', 'a/x')).bytes.toString()).toBe('x');
  });
});

describe('ranges', () => {
  it('serve any byte range across stripes, and suffixes', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    const data = randomBytes(3 * MIB + 17);
    await store.putObject('bkt', 'big', data);
    const small = randomBytes(1000);
    await store.putObject('bkt', 'small', small);
    const cases: [number, number][] = [[0, 0], [0, 99], [MIB - 1, MIB], [MIB - 10, 2 * MIB + 10], [3 * MIB, 3 * MIB + 16], [262143, 262145], [5, 3 * MIB + 16]];
    for (const [start, end] of cases) {
      const result = await store.getObject('bkt', 'big', { start, end });
      expect(result.range).toEqual({ start, end });
      expect((await readAll(result.stream)).equals(data.subarray(start, end + 1)), `${start}-${end}`).toBe(true);
    }
    expect((await readAll((await store.getObject('bkt', 'big', { start: 3 * MIB })).stream)).equals(data.subarray(3 * MIB))).toBe(true);
    expect((await readAll((await store.getObject('bkt', 'big', { suffix: 100 })).stream)).equals(data.subarray(-100))).toBe(true);
    expect((await readAll((await store.getObject('bkt', 'small', { start: 10, end: 19 })).stream)).equals(small.subarray(10, 20))).toBe(true);
    expect((await storeErrorOf(store.getObject('bkt', 'big', { start: data.length }))).code).toBe('InvalidRange');
  });
});

describe('bad shards', () => {
  it('rebuilds a shard with a flipped byte and reports its disk', async () => {
    const disks = makeDisks(6);
    const seen: ShardProblem[] = [];
    const store = await openStore({ disks, layout: { k: 4, m: 2 }, onShardProblem: (p) => seen.push(p) });
    await store.createBucket('bkt');
    const data = randomBytes(2 * MIB + 123);
    await store.putObject('bkt', 'obj', data);
    const bad = diskWithShard(disks, 'bkt', 'obj', 1); // a data shard: a healthy read would use it
    const file = partFile(bad, 'bkt', 'obj');
    const bytes = fs.readFileSync(file);
    bytes[32 + 1000]! ^= 0x01; // inside the first stripe's shard, after its checksum
    fs.writeFileSync(file, bytes);
    const { bytes: back, problems } = await getBytes(store, 'bkt', 'obj');
    expect(back.equals(data)).toBe(true);
    expect(problems).toEqual([expect.objectContaining({ disk: bad, reason: 'checksum' })]);
    expect(seen).toEqual(problems);
  });

  it('rebuilds a missing part.1, a truncated one, and a corrupt inline shard', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    const data = randomBytes(3 * MIB);
    await store.putObject('bkt', 'obj', data);
    const gone = diskWithShard(disks, 'bkt', 'obj', 0);
    const cut = diskWithShard(disks, 'bkt', 'obj', 3);
    fs.rmSync(partFile(gone, 'bkt', 'obj'));
    fs.truncateSync(partFile(cut, 'bkt', 'obj'), 300_000); // mid second stripe (each is 32 + 256 KiB)
    const { bytes, problems } = await getBytes(store, 'bkt', 'obj');
    expect(bytes.equals(data)).toBe(true);
    expect(problems.map((p) => [p.disk, p.reason]).sort()).toEqual([[gone, 'missing'], [cut, 'missing']].sort());

    const small = randomBytes(5000);
    await store.putObject('bkt', 'small', small);
    const victim = diskWithShard(disks, 'bkt', 'small', 0);
    const metaFile = path.join(victim, 'bkt', 'small', 'meta.json');
    const meta = JSON.parse(fs.readFileSync(metaFile, 'utf8')) as { versions: { inline: { shard: string } }[] };
    const shard = Buffer.from(meta.versions[0]!.inline.shard, 'base64');
    shard[7]! ^= 0xff;
    meta.versions[0]!.inline.shard = shard.toString('base64'); // meta.json's own checksum now fails too
    fs.writeFileSync(metaFile, JSON.stringify(meta));
    const result = await getBytes(store, 'bkt', 'small');
    expect(result.bytes.equals(small)).toBe(true);
    expect(result.problems).toEqual([expect.objectContaining({ disk: victim, reason: 'meta-corrupt' })]);
  });

  it('fails, naming the disks, when m + 1 shards of a stripe are bad: never wrong bytes', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    await store.putObject('bkt', 'obj', randomBytes(2 * MIB));
    const bad = [0, 1, 2].map((s) => diskWithShard(disks, 'bkt', 'obj', s));
    for (const disk of bad) {
      const file = partFile(disk, 'bkt', 'obj');
      const bytes = fs.readFileSync(file);
      bytes[bytes.length - 1]! ^= 0x80; // the last stripe
      fs.writeFileSync(file, bytes);
    }
    const result = await store.getObject('bkt', 'obj');
    const error = await storeErrorOf(readAll(result.stream));
    expect(error.code).toBe('ReadQuorum');
    for (const disk of bad) expect(error.disks).toContain(disk);
  });
});

describe('healing', () => {
  it('rewrites a corrupt shard and a missing one from the good ones, so the object survives m more losses', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    const big = randomBytes(2 * MIB + 5);
    const small = randomBytes(5000);
    await store.putObject('bkt', 'big', big);
    await store.putObject('bkt', 'small', small);
    const corrupt = diskWithShard(disks, 'bkt', 'big', 0);
    const file = partFile(corrupt, 'bkt', 'big');
    const bytes = fs.readFileSync(file);
    bytes[bytes.length - 10]! ^= 0x04;
    fs.writeFileSync(file, bytes);
    const wiped = diskWithShard(disks, 'bkt', 'big', 5);
    fs.rmSync(path.join(wiped, 'bkt', 'big'), { recursive: true });
    const lostSmall = diskWithShard(disks, 'bkt', 'small', 2);
    fs.rmSync(path.join(lostSmall, 'bkt', 'small', 'meta.json'));

    const healedBig = await store.healObject('bkt', 'big');
    expect(healedBig.healed.map((h) => [h.disk, h.reason]).sort()).toEqual([[corrupt, 'checksum'], [wiped, 'missing']].sort());
    expect((await store.healObject('bkt', 'small')).healed).toEqual([expect.objectContaining({ disk: lostSmall, reason: 'missing' })]);
    expect((await store.healObject('bkt', 'big')).healed).toEqual([]);
    for (const [key, data] of [['big', big], ['small', small]] as const) {
      const read = await getBytes(store, 'bkt', key);
      expect(read.bytes.equals(data)).toBe(true);
      expect(read.problems).toEqual([]);
    }
    for (const disk of disks) expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);

    // Two other disks gone: the healed shards are needed now, and right.
    const others = disks.filter((d) => d !== corrupt && d !== wiped && d !== lostSmall).slice(0, 2);
    for (const disk of others) fs.rmSync(disk, { recursive: true });
    expect((await getBytes(store, 'bkt', 'big')).bytes.equals(big)).toBe(true);
    expect((await getBytes(store, 'bkt', 'small')).bytes.equals(small)).toBe(true);
  });
});

describe('lost disks', () => {
  it('reads every object back with m disks gone, and names the disks with m + 1', async () => {
    const disks = makeDisks(12);
    const store = await openStore({ disks, layout: { k: 10, m: 2 } });
    await store.createBucket('bkt');
    const objects = new Map<string, Buffer>();
    for (const size of [0, 10, 50_000, INLINE + 1, 3 * MIB + 1]) {
      const data = randomBytes(size);
      objects.set(`obj-${size}`, data);
      await store.putObject('bkt', `obj-${size}`, data);
    }
    fs.rmSync(disks[3]!, { recursive: true, force: true });
    fs.rmSync(disks[8]!, { recursive: true, force: true });
    for (const reopened of [store, await openStore({ disks })]) {
      for (const [key, data] of objects) expect((await getBytes(reopened, 'bkt', key)).bytes.equals(data), key).toBe(true);
      expect((await reopened.listObjects('bkt')).objects.map((o) => o.key).sort()).toEqual([...objects.keys()].sort());
    }
    expect((await openStore({ disks })).disks().filter((d) => d.state === 'offline').map((d) => d.path)).toEqual([disks[3], disks[8]]);

    fs.rmSync(disks[5]!, { recursive: true, force: true });
    for (const [key] of objects) {
      const error = await storeErrorOf(store.getObject('bkt', key));
      expect(error.code, key).toBe('ReadQuorum');
      expect(error.disks).toEqual(expect.arrayContaining([disks[3], disks[5], disks[8]]));
      expect(error.message).toContain(disks[5]);
    }
    expect((await storeErrorOf(store.listObjects('bkt'))).code).toBe('ReadQuorum');
    const reopen = await storeErrorOf(openStore({ disks }));
    expect(reopen.code).toBe('ReadQuorum');
    expect(reopen.disks).toEqual(expect.arrayContaining([disks[3], disks[5], disks[8]]));
  });

  it('places disks by their format, not their order, takes a blank disk in and keeps a foreign disk out', async () => {
    const disks = makeDisks(6);
    const store = await openStore({ disks, layout: { k: 4, m: 2 } });
    await store.createBucket('bkt');
    const data = randomBytes(MIB + 7);
    await store.putObject('bkt', 'obj', data);
    const shuffled = [disks[5]!, disks[2]!, disks[0]!, disks[4]!, disks[1]!, disks[3]!];
    const again = await openStore({ disks: shuffled });
    expect(again.disks().map((d) => d.path)).toEqual(disks);
    expect((await getBytes(again, 'bkt', 'obj')).bytes.equals(data)).toBe(true);

    // A swapped disk: blank in disk 2's place. It is formatted into index 2 and rebuilt
    // (kodo-store-heal.test.ts tests replacement in depth).
    fs.rmSync(disks[2]!, { recursive: true });
    fs.mkdirSync(disks[2]!);
    const swapped = await openStore({ disks });
    expect(swapped.disks()[2]).toMatchObject({ path: disks[2], state: 'online', healing: true });
    await swapped.healIdle();
    expect(swapped.disks()[2]!.healing).toBeUndefined();
    const read = await getBytes(swapped, 'bkt', 'obj');
    expect(read.bytes.equals(data)).toBe(true);
    expect(read.problems).toEqual([]);
    await swapped.close();

    // Another store's disk in its place: the same.
    const other = makeDisks(3);
    await openStore({ disks: other, layout: { k: 2, m: 1 } });
    const mixed = await openStore({ disks: [disks[0]!, disks[1]!, other[0]!, disks[3]!, disks[4]!, disks[5]!] });
    expect(mixed.disks()[2]).toMatchObject({ state: 'offline', reason: expect.stringContaining('another store') });
    expect((await storeErrorOf(openStore({ disks, layout: { k: 3, m: 3 } }))).code).toBe('InvalidLayout');
  });
});

describe('keys and buckets', () => {
  it('keeps hostile keys inside the bucket and reads them back', async () => {
    const disks = makeDisks(3);
    const store = await openStore({ disks, layout: { k: 2, m: 1 } });
    await store.createBucket('bkt');
    const before = fs.readFileSync(path.join(disks[0]!, '.kodo', 'format.json'), 'utf8');
    const keys = ['../escape', '../../etc/passwd', 'a/../../b', '.kodo/format.json', '..', '.', '/lead', 'a//b', 'trail/', 'meta.json', 'x/meta.json', 'nul\0byte', '%2E%2E/x', 'a/.v-fake'];
    for (const key of keys) await store.putObject('bkt', key, Buffer.from(`value of ${key}`));
    for (const key of keys) expect((await getBytes(store, 'bkt', key)).bytes.toString(), key).toBe(`value of ${key}`);
    for (const disk of disks) expect(fs.readdirSync(disk).sort()).toEqual(['.kodo', 'bkt']);
    expect(fs.readdirSync(path.dirname(disks[0]!)).sort()).toEqual(['disk0', 'disk1', 'disk2']);
    expect(fs.readFileSync(path.join(disks[0]!, '.kodo', 'format.json'), 'utf8')).toBe(before);
    const listed = (await store.listObjects('bkt')).objects.map((o) => o.key);
    expect(listed).toEqual([...keys].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect((await storeErrorOf(store.putObject('bkt', '', Buffer.alloc(0)))).code).toBe('InvalidKey');
    expect((await storeErrorOf(store.putObject('bkt', 'x'.repeat(300), Buffer.alloc(0)))).code).toBe('InvalidKey');
  });

  it('follows bucket rules', async () => {
    const disks = makeDisks(3);
    const store = await openStore({ disks, layout: { k: 2, m: 1 } });
    expect((await storeErrorOf(store.putObject('nope', 'k', Buffer.from('x')))).code).toBe('NoSuchBucket');
    expect((await storeErrorOf(store.getObject('nope', 'k'))).code).toBe('NoSuchBucket');
    expect((await storeErrorOf(store.createBucket('Bad_Name'))).code).toBe('InvalidBucketName');
    await store.createBucket('one');
    await store.createBucket('two');
    expect((await storeErrorOf(store.createBucket('one'))).code).toBe('BucketAlreadyExists');
    expect((await store.listBuckets()).map((b) => b.name)).toEqual(['one', 'two']);
    expect((await storeErrorOf(store.getObject('one', 'k'))).code).toBe('NoSuchKey');
    await store.putObject('one', 'k', Buffer.from('x'));
    expect((await storeErrorOf(store.deleteBucket('one'))).code).toBe('BucketNotEmpty');
    await store.deleteObject('one', 'k');
    await store.deleteBucket('one');
    expect((await store.listBuckets()).map((b) => b.name)).toEqual(['two']);
    expect((await storeErrorOf(store.headBucket('one'))).code).toBe('NoSuchBucket');
    // A second process (a restart) sees the same.
    expect((await (await openStore({ disks })).listBuckets()).map((b) => b.name)).toEqual(['two']);
  });
});
