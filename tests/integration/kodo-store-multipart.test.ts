import { createCipheriv, createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore, StoreError, type ObjectStore } from '../../agents/services/kodo/store';
import { storeErrorOf } from '../helpers/kodo-store-kit';

/**
 * Kodo's multipart uploads on a 4+2 store over plain directories: parts uploaded out of order and
 * replaced, completed into one object read back byte for byte (whole, and ranges across part
 * boundaries), S3's ETag; every completion rule (order, ETag, size, unknown parts); abort; paging
 * of ListParts and ListMultipartUploads; an upload and a multipart object surviving m lost disks
 * and a corrupt shard; the open's sweep (a half-created upload goes, a live one stays); deleting a
 * bucket with uploads in progress; bucket settings.
 */

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-store-multipart-'));
afterAll(() => fs.rmSync(ROOT, { recursive: true, force: true }));

const MIB = 1 << 20;
const PART = 5 * MIB;

let sets = 0;
function makeDisks(n = 6): string[] {
  const dir = path.join(ROOT, `set-${sets++}`);
  return Array.from({ length: n }, (_, i) => {
    const disk = path.join(dir, `disk${i}`);
    fs.mkdirSync(disk, { recursive: true });
    return disk;
  });
}

async function newStore(): Promise<{ store: ObjectStore; disks: string[] }> {
  const disks = makeDisks();
  const store = await openStore({ disks, layout: { k: 4, m: 2 } });
  await store.createBucket('bkt');
  return { store, disks };
}

/** Deterministic bytes: AES-CTR keystream keyed by the label. */
function bytes(label: string, size: number): Buffer {
  const key = createHash('sha256').update(label).digest().subarray(0, 16);
  return createCipheriv('aes-128-ctr', key, Buffer.alloc(16)).update(Buffer.alloc(size));
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('hex');
const multipartEtag = (parts: Buffer[]) => `${createHash('md5').update(Buffer.concat(parts.map((p) => createHash('md5').update(p).digest()))).digest('hex')}-${parts.length}`;

function partFile(disk: string, bucket: string, key: string, part: number): string {
  const dir = path.join(disk, bucket, ...key.split('/'));
  const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { versions: { dataDir: string }[] };
  return path.join(dir, meta.versions[0]!.dataDir, `part.${part}`);
}

function flipByte(file: string, at: number): void {
  const raw = fs.readFileSync(file);
  raw[at] = raw[at]! ^ 0xff;
  fs.writeFileSync(file, raw);
}

/** Every file under a directory, relative. */
function filesUnder(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return (fs.readdirSync(dir, { recursive: true }) as string[]).filter((f) => fs.statSync(path.join(dir, f)).isFile()).sort();
}

describe('a multipart upload', () => {
  it('completes parts uploaded out of order and replaced into one object, read whole and in ranges', async () => {
    const { store, disks } = await newStore();
    const p1 = bytes('p1', PART);
    const p2first = bytes('p2-first', PART + 3);
    const p2 = bytes('p2', PART + 123_457); // several stripes and a short one
    const p3 = bytes('p3', 777);
    const { uploadId } = await store.createMultipartUpload('bkt', 'big/object', { contentType: 'video/mp4', userMetadata: { who: 'test' } });

    expect(await store.uploadPart('bkt', 'big/object', uploadId, 3, p3)).toEqual({ etag: md5(p3), size: p3.length });
    await store.uploadPart('bkt', 'big/object', uploadId, 2, p2first);
    // Parts of one upload at once, and part 2 replaced.
    const [r1, r2] = await Promise.all([store.uploadPart('bkt', 'big/object', uploadId, 1, p1), store.uploadPart('bkt', 'big/object', uploadId, 2, p2)]);
    expect(r1.etag).toBe(md5(p1));
    expect(r2.etag).toBe(md5(p2));
    // The replaced copy is gone from every disk: one directory per part number.
    for (const disk of disks) {
      const names = fs.readdirSync(path.join(disk, '.kodo', 'multipart', 'bkt', uploadId)).sort();
      expect(names.filter((n) => n.startsWith('2.'))).toHaveLength(1);
      expect(names).toContain('upload.json');
    }

    const listed = await store.listParts('bkt', 'big/object', uploadId);
    expect(listed.parts.map((p) => [p.partNumber, p.etag, p.size])).toEqual([
      [1, md5(p1), p1.length],
      [2, md5(p2), p2.length],
      [3, md5(p3), p3.length],
    ]);
    expect(listed.isTruncated).toBe(false);

    const info = await store.completeMultipartUpload('bkt', 'big/object', uploadId, [
      { partNumber: 1, etag: `"${md5(p1)}"` },
      { partNumber: 2, etag: md5(p2).toUpperCase() },
      { partNumber: 3, etag: md5(p3) },
    ]);
    const whole = Buffer.concat([p1, p2, p3]);
    expect(info.etag).toBe(multipartEtag([p1, p2, p3]));
    expect(info.size).toBe(whole.length);
    expect(info.contentType).toBe('video/mp4');
    expect(info.userMetadata).toEqual({ who: 'test' });

    const got = await store.getObject('bkt', 'big/object');
    expect(md5(await readAll(got.stream))).toBe(md5(whole));
    expect(got.problems).toEqual([]);
    expect(await store.headObject('bkt', 'big/object')).toMatchObject({ etag: info.etag, size: whole.length });
    const page = await store.listObjects('bkt');
    expect(page.objects.map((o) => [o.key, o.size, o.etag])).toEqual([['big/object', whole.length, info.etag]]);

    // Ranges: inside one part, across each boundary, across all three, the last bytes.
    const ranges: [number, number][] = [
      [0, 99],
      [PART - 10, PART + 10],
      [PART - 1, PART],
      [PART, PART],
      [PART + p2.length - 5, PART + p2.length + 5],
      [1000, whole.length - 2],
      [whole.length - 1, whole.length - 1],
    ];
    for (const [start, end] of ranges) {
      const r = await store.getObject('bkt', 'big/object', { start, end });
      expect(r.range).toEqual({ start, end });
      expect((await readAll(r.stream)).equals(whole.subarray(start, end + 1)), `bytes=${start}-${end}`).toBe(true);
    }
    expect((await readAll((await store.getObject('bkt', 'big/object', { suffix: 800 })).stream)).equals(whole.subarray(-800))).toBe(true);

    // The data dir holds part.1…part.3, hard-linked from the upload (no copy), and the upload is gone.
    for (const disk of disks) {
      const dir = path.join(disk, 'bkt', 'big', 'object');
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')) as { versions: { dataDir: string; parts: { number: number }[] }[] };
      expect(meta.versions).toHaveLength(1);
      expect(meta.versions[0]!.parts.map((p) => p.number)).toEqual([1, 2, 3]);
      expect(fs.readdirSync(path.join(dir, meta.versions[0]!.dataDir)).sort()).toEqual(['part.1', 'part.2', 'part.3']);
      expect(fs.existsSync(path.join(disk, '.kodo', 'multipart', 'bkt', uploadId))).toBe(false);
      expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);
    }
    expect((await store.listMultipartUploads('bkt')).uploads).toEqual([]);
    // Completing again, or uploading to it: S3's NoSuchUpload.
    expect((await storeErrorOf(store.completeMultipartUpload('bkt', 'big/object', uploadId, [{ partNumber: 1, etag: md5(p1) }]))).code).toBe('NoSuchUpload');
    expect((await storeErrorOf(store.uploadPart('bkt', 'big/object', uploadId, 4, p3))).code).toBe('NoSuchUpload');

    // Overwritten by a plain put, and back: the old data dirs go.
    await store.putObject('bkt', 'big/object', bytes('plain', 300_000));
    const again = await store.createMultipartUpload('bkt', 'big/object');
    const single = bytes('single', 10);
    await store.uploadPart('bkt', 'big/object', again.uploadId, 7, single);
    const one = await store.completeMultipartUpload('bkt', 'big/object', again.uploadId, [{ partNumber: 7, etag: md5(single) }]);
    expect(one.etag).toBe(multipartEtag([single]));
    expect((await readAll((await store.getObject('bkt', 'big/object')).stream)).equals(single)).toBe(true);
    for (const disk of disks) expect(fs.readdirSync(path.join(disk, 'bkt', 'big', 'object')).filter((n) => n.startsWith('.v-'))).toHaveLength(1);
  });

  it('refuses completions S3 refuses, and leaves the upload to complete right afterwards', async () => {
    const { store } = await newStore();
    const { uploadId } = await store.createMultipartUpload('bkt', 'k');
    const big = bytes('big', PART);
    const small = bytes('small', 1000);
    await store.uploadPart('bkt', 'k', uploadId, 1, small);
    await store.uploadPart('bkt', 'k', uploadId, 2, big);
    await store.uploadPart('bkt', 'k', uploadId, 3, small);

    const cases: [string, { partNumber: number; etag: string }[]][] = [
      ['InvalidPartOrder', [{ partNumber: 2, etag: md5(big) }, { partNumber: 1, etag: md5(small) }]],
      ['InvalidPartOrder', [{ partNumber: 2, etag: md5(big) }, { partNumber: 2, etag: md5(big) }]],
      ['InvalidPart', [{ partNumber: 2, etag: md5(small) }]],
      ['InvalidPart', [{ partNumber: 2, etag: md5(big) }, { partNumber: 4, etag: md5(small) }]],
      ['EntityTooSmall', [{ partNumber: 1, etag: md5(small) }, { partNumber: 2, etag: md5(big) }]],
      ['InvalidArgument', []],
      ['InvalidArgument', [{ partNumber: 0, etag: md5(small) }]],
    ];
    for (const [code, parts] of cases) {
      const error = await storeErrorOf(store.completeMultipartUpload('bkt', 'k', uploadId, parts));
      expect(error.code, JSON.stringify(parts)).toBe(code);
      expect(error.message.length).toBeGreaterThan(20);
    }
    expect((await storeErrorOf(store.uploadPart('bkt', 'k', uploadId, 10_001, small))).code).toBe('InvalidArgument');
    expect((await storeErrorOf(store.uploadPart('bkt', 'k', uploadId, 0, small))).code).toBe('InvalidArgument');
    expect((await storeErrorOf(store.uploadPart('bkt', 'other-key', uploadId, 1, small))).code).toBe('NoSuchUpload');
    for (const bad of ['nope', '../../../etc', `${uploadId.slice(0, -1)}0`, '']) {
      expect((await storeErrorOf(store.uploadPart('bkt', 'k', bad, 1, small))).code, bad).toBe('NoSuchUpload');
      expect((await storeErrorOf(store.listParts('bkt', 'k', bad))).code, bad).toBe('NoSuchUpload');
    }
    await expect(store.getObject('bkt', 'k')).rejects.toMatchObject({ code: 'NoSuchKey' });

    // Parts 2 and 3: every part but the last is 5 MiB.
    const info = await store.completeMultipartUpload('bkt', 'k', uploadId, [
      { partNumber: 2, etag: md5(big) },
      { partNumber: 3, etag: md5(small) },
    ]);
    expect(info.size).toBe(big.length + small.length);
    expect((await readAll((await store.getObject('bkt', 'k')).stream)).equals(Buffer.concat([big, small]))).toBe(true);
  });

  it('is aborted: its parts leave every disk, and it is no upload any more', async () => {
    const { store, disks } = await newStore();
    const { uploadId } = await store.createMultipartUpload('bkt', 'gone');
    await store.uploadPart('bkt', 'gone', uploadId, 1, bytes('a', 200_000));
    await store.abortMultipartUpload('bkt', 'gone', uploadId);
    for (const disk of disks) expect(filesUnder(path.join(disk, '.kodo', 'multipart', 'bkt'))).toEqual([]);
    expect((await storeErrorOf(store.abortMultipartUpload('bkt', 'gone', uploadId))).code).toBe('NoSuchUpload');
    expect((await storeErrorOf(store.uploadPart('bkt', 'gone', uploadId, 2, bytes('b', 10)))).code).toBe('NoSuchUpload');
    expect((await storeErrorOf(store.listParts('bkt', 'gone', uploadId))).code).toBe('NoSuchUpload');
    expect((await store.listMultipartUploads('bkt')).uploads).toEqual([]);
  });
});

describe('listing', () => {
  it('pages ListParts by part number marker', async () => {
    const { store } = await newStore();
    const { uploadId } = await store.createMultipartUpload('bkt', 'p');
    for (const n of [9, 1, 4, 2, 7]) await store.uploadPart('bkt', 'p', uploadId, n, bytes(`part-${n}`, n));
    const seen: number[] = [];
    let marker: number | undefined;
    let pages = 0;
    for (;;) {
      const page = await store.listParts('bkt', 'p', uploadId, { maxParts: 2, ...(marker !== undefined ? { partNumberMarker: marker } : {}) });
      pages++;
      seen.push(...page.parts.map((p) => p.partNumber));
      expect(page.parts.every((p) => p.size === p.partNumber)).toBe(true);
      if (!page.isTruncated) break;
      marker = page.nextPartNumberMarker;
    }
    expect(seen).toEqual([1, 2, 4, 7, 9]);
    expect(pages).toBe(3);
  });

  it('pages ListMultipartUploads by key and upload id markers, with prefix and delimiter', async () => {
    const { store } = await newStore();
    const ids = new Map<string, string[]>();
    for (const key of ['b', 'a/1', 'a/2', 'c', 'b', 'b', 'a/1']) {
      const { uploadId } = await store.createMultipartUpload('bkt', key);
      ids.set(key, [...(ids.get(key) ?? []), uploadId]);
    }
    const all = await store.listMultipartUploads('bkt');
    expect(all.uploads.map((u) => [u.key, u.uploadId])).toEqual([
      ...ids.get('a/1')!.map((id) => ['a/1', id]),
      ['a/2', ids.get('a/2')![0]],
      ...ids.get('b')!.map((id) => ['b', id]),
      ['c', ids.get('c')![0]],
    ]);
    // One key's uploads in the order they began.
    expect(ids.get('b')).toEqual([...ids.get('b')!].sort());

    const paged: string[] = [];
    let markers: { keyMarker?: string; uploadIdMarker?: string } = {};
    for (;;) {
      const page = await store.listMultipartUploads('bkt', { maxUploads: 2, ...markers });
      paged.push(...page.uploads.map((u) => u.uploadId));
      if (!page.isTruncated) break;
      markers = { keyMarker: page.nextKeyMarker!, uploadIdMarker: page.nextUploadIdMarker! };
    }
    expect(paged).toEqual(all.uploads.map((u) => u.uploadId));

    const rolled = await store.listMultipartUploads('bkt', { delimiter: '/' });
    expect(rolled.commonPrefixes).toEqual(['a/']);
    expect(rolled.uploads.map((u) => u.key)).toEqual(['b', 'b', 'b', 'c']);
    const prefixed = await store.listMultipartUploads('bkt', { prefix: 'a/', delimiter: '/' });
    expect(prefixed.uploads.map((u) => u.key)).toEqual(['a/1', 'a/1', 'a/2']);
    const afterB = await store.listMultipartUploads('bkt', { keyMarker: 'b' });
    expect(afterB.uploads.map((u) => u.key)).toEqual(['c']);
    const rolledPaged = await store.listMultipartUploads('bkt', { delimiter: '/', maxUploads: 1 });
    expect([rolledPaged.commonPrefixes, rolledPaged.isTruncated, rolledPaged.nextKeyMarker]).toEqual([['a/'], true, 'a/']);
    const next = await store.listMultipartUploads('bkt', { delimiter: '/', maxUploads: 1, keyMarker: 'a/' });
    expect(next.uploads.map((u) => u.key)).toEqual(['b']);
  });
});

describe('lost disks and bad shards', () => {
  it('keeps an upload with m disks gone, and reads its object right with a corrupt shard', async () => {
    const { store, disks } = await newStore();
    const p1 = bytes('d1', PART);
    const p2 = bytes('d2', 2 * MIB + 5);
    const { uploadId } = await store.createMultipartUpload('bkt', 'deg');
    await store.uploadPart('bkt', 'deg', uploadId, 1, p1);
    // Two disks stop serving: the store reopened without them.
    fs.renameSync(disks[0]!, `${disks[0]}-away`);
    fs.renameSync(disks[3]!, `${disks[3]}-away`);
    const degraded = await openStore({ disks });
    expect((await degraded.listMultipartUploads('bkt')).uploads.map((u) => u.uploadId)).toEqual([uploadId]);
    await degraded.uploadPart('bkt', 'deg', uploadId, 2, p2);
    fs.renameSync(`${disks[0]}-away`, disks[0]!);
    fs.renameSync(`${disks[3]}-away`, disks[3]!);
    const back = await openStore({ disks });
    // Disks 0 and 3 lack part 2: they sit the commit out, the object is on the other four.
    const info = await back.completeMultipartUpload('bkt', 'deg', uploadId, [
      { partNumber: 1, etag: md5(p1) },
      { partNumber: 2, etag: md5(p2) },
    ]);
    const whole = Buffer.concat([p1, p2]);
    expect(info.etag).toBe(multipartEtag([p1, p2]));
    const degradedRead = await back.getObject('bkt', 'deg');
    expect(md5(await readAll(degradedRead.stream))).toBe(md5(whole));
    expect(degradedRead.problems.map((p) => `${p.diskIndex}:${p.reason}`).sort()).toEqual(['0:missing', '3:missing']);

    // One more bad shard than m: the read fails naming the disks, never with wrong bytes.
    flipByte(partFile(disks[1]!, 'bkt', 'deg', 2), 40);
    const failing = await back.getObject('bkt', 'deg', { start: PART, end: PART + 10 });
    const error = await readAll(failing.stream).then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(StoreError);
    expect((error as StoreError).code).toBe('ReadQuorum');
  });

  it('reads a multipart object right with a corrupt block in one part, and reports it', async () => {
    const { store, disks } = await newStore();
    const p1 = bytes('c1', PART);
    const p2 = bytes('c2', 3 * MIB);
    const { uploadId } = await store.createMultipartUpload('bkt', 'c');
    await store.uploadPart('bkt', 'c', uploadId, 1, p1);
    await store.uploadPart('bkt', 'c', uploadId, 2, p2);
    await store.completeMultipartUpload('bkt', 'c', uploadId, [
      { partNumber: 1, etag: md5(p1) },
      { partNumber: 2, etag: md5(p2) },
    ]);
    const whole = Buffer.concat([p1, p2]);
    const reported: string[] = [];
    const watched = await openStore({ disks, onShardProblem: (p) => reported.push(`${p.diskIndex}:${p.reason}`) });
    // Every disk's part.2 has a flipped byte in its second stripe; disk 4 also lost its part.1.
    for (const i of [0, 1, 2, 3, 4, 5]) {
      const meta = JSON.parse(fs.readFileSync(path.join(disks[i]!, 'bkt', 'c', 'meta.json'), 'utf8')) as { versions: { erasure: { shardIndex: number } }[] };
      if (meta.versions[0]!.erasure.shardIndex === 2) flipByte(partFile(disks[i]!, 'bkt', 'c', 2), 32 + MIB / 4 + 32 + 5);
    }
    fs.rmSync(partFile(disks[4]!, 'bkt', 'c', 1));
    const got = await watched.getObject('bkt', 'c');
    expect(md5(await readAll(got.stream))).toBe(md5(whole));
    expect(got.problems.map((p) => p.reason).sort()).toEqual(['checksum', 'missing']);
    expect(reported.some((r) => r.endsWith(':checksum'))).toBe(true);
    const r = await watched.getObject('bkt', 'c', { start: PART + 100, end: PART + 2 * MIB });
    expect((await readAll(r.stream)).equals(whole.subarray(PART + 100, PART + 2 * MIB + 1))).toBe(true);
  });

  it('refuses a part while too few disks hold the upload, naming the disks, and leaves no part', async () => {
    const { store, disks } = await newStore();
    const { uploadId } = await store.createMultipartUpload('bkt', 'q');
    for (const i of [0, 1, 2]) fs.renameSync(disks[i]!, `${disks[i]}-away`);
    const error = await storeErrorOf(store.uploadPart('bkt', 'q', uploadId, 1, bytes('q', 300_000)));
    expect(['WriteQuorum', 'ReadQuorum']).toContain(error.code);
    expect(error.disks.length).toBeGreaterThanOrEqual(3);
    for (const i of [0, 1, 2]) fs.renameSync(`${disks[i]}-away`, disks[i]!);
    expect((await store.listParts('bkt', 'q', uploadId)).parts).toEqual([]);
    for (const disk of disks) expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);
  });
});

describe('the open and the bucket', () => {
  it('sweeps what is not an upload at open, and keeps every live one', async () => {
    const { store, disks } = await newStore();
    const live = await store.createMultipartUpload('bkt', 'live');
    const part = bytes('live', 1000);
    await store.uploadPart('bkt', 'live', live.uploadId, 1, part);
    const half = await store.createMultipartUpload('bkt', 'half');
    // A crash left `half` on three disks of six (created on three, or aborted on the other three).
    for (const i of [0, 1, 2]) fs.rmSync(path.join(disks[i]!, '.kodo', 'multipart', 'bkt', half.uploadId, 'upload.json'));
    const reopened = await openStore({ disks });
    for (const disk of disks) expect(fs.readdirSync(path.join(disk, '.kodo', 'multipart', 'bkt'))).toEqual([live.uploadId]);
    expect((await reopened.listMultipartUploads('bkt')).uploads.map((u) => u.key)).toEqual(['live']);
    const info = await reopened.completeMultipartUpload('bkt', 'live', live.uploadId, [{ partNumber: 1, etag: md5(part) }]);
    expect(info.size).toBe(1000);
  });

  it('deletes a bucket with uploads in progress (as S3 does for general purpose buckets), and them with it', async () => {
    const { store, disks } = await newStore();
    const { uploadId } = await store.createMultipartUpload('bkt', 'x');
    await store.uploadPart('bkt', 'x', uploadId, 1, bytes('x', 1000));
    await store.deleteBucket('bkt');
    for (const disk of disks) expect(fs.existsSync(path.join(disk, '.kodo', 'multipart', 'bkt'))).toBe(false);
    await store.createBucket('bkt');
    expect((await store.listMultipartUploads('bkt')).uploads).toEqual([]);
    expect((await storeErrorOf(store.uploadPart('bkt', 'x', uploadId, 2, bytes('y', 10)))).code).toBe('NoSuchUpload');
  });

  it('keeps a bucket’s public-read setting on every disk, read by quorum', async () => {
    const { store, disks } = await newStore();
    expect(await store.getBucketSettings('bkt')).toEqual({ publicRead: false });
    await store.setBucketSettings('bkt', { publicRead: true });
    expect(await store.getBucketSettings('bkt')).toEqual({ publicRead: true });
    // Two disks lost: still known; the bucket keeps its creation time.
    const created = (await store.headBucket('bkt')).created;
    for (const i of [0, 5]) fs.rmSync(path.join(disks[i]!, '.kodo', 'buckets', 'bkt.json'));
    const reopened = await openStore({ disks });
    expect(await reopened.getBucketSettings('bkt')).toEqual({ publicRead: true });
    expect((await reopened.headBucket('bkt')).created).toEqual(created);
    await reopened.setBucketSettings('bkt', { publicRead: false });
    expect(await (await openStore({ disks })).getBucketSettings('bkt')).toEqual({ publicRead: false });
    expect((await storeErrorOf(store.getBucketSettings('nope'))).code).toBe('NoSuchBucket');
    for (const disk of disks) expect(fs.readdirSync(path.join(disk, '.kodo', 'tmp'))).toEqual([]);
  });
});
