import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import qiniu from 'qiniu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQiniuTestServer, testKey, type QiniuTestServer } from '../helpers/kodo-qiniu-server';

/**
 * Resumable upload v2 (ResumeUploader with version 'v2') on Kodo's Qiniu API, through the official
 * SDK: 20 MiB in the SDK's default 4 MiB parts (below S3's 5 MiB minimum, which Qiniu does not
 * have) and in 6 MiB parts (Qiniu's EtagV2 hash), a key taken from the token's scope, metadata and
 * returnBody, insertOnly, an expired token; and the raw protocol for listing parts and abort.
 */

const AK = 'KODOTESTRESUMABLE001';
const SK = 'resumable-test-secret-000000000000000001';
const BUCKET = 'videos';
const MIB = 1 << 20;

const sha1 = (data: Buffer) => createHash('sha1').update(data).digest();
/** Qiniu's hash from its definition (independent of the server's): 0x16/0x96 with SHA-1 over 4 MiB blocks. */
function referenceQetag(data: Buffer): Buffer {
  if (data.length <= 4 * MIB) return Buffer.concat([Buffer.of(0x16), sha1(data)]);
  const sums: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += 4 * MIB) sums.push(sha1(data.subarray(offset, offset + 4 * MIB)));
  return Buffer.concat([Buffer.of(0x96), sha1(Buffer.concat(sums))]);
}
/** Qiniu's hash of an upload in parts other than 4 MiB (its SDKs' EtagV2): 0x9e, SHA-1 over each part's qetag without its first byte. */
function referenceEtagV2(data: Buffer, partSize: number): string {
  const inner: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += partSize) inner.push(referenceQetag(data.subarray(offset, offset + partSize)).subarray(1));
  return Buffer.concat([Buffer.of(0x9e), sha1(Buffer.concat(inner))]).toString('base64url');
}

let server: QiniuTestServer;
let mac: qiniu.auth.digest.Mac;
let config: qiniu.conf.Config;
let tmp: string;
let file20: string;
let data20: Buffer;

const token = (policy: Record<string, unknown>) => new qiniu.rs.PutPolicy({ scope: BUCKET, ...policy } as qiniu.rs.PutPolicyOptions).uploadToken(mac);
const v2 = (options: { partSize?: number; mimeType?: string; params?: Record<string, string>; metadata?: Record<string, string> } = {}) =>
  qiniu.resume_up.PutExtra.create(undefined, options.params, options.mimeType, undefined, undefined, options.partSize, 'v2', options.metadata);
const resumable = (uploadToken: string, key: string | null, file: string, extra: qiniu.resume_up.PutExtra) => new qiniu.resume_up.ResumeUploader(config).putFileV2(uploadToken, key, file, extra);
const stat = (key: string) => new qiniu.rs.BucketManager(mac, config).stat(BUCKET, key);

beforeAll(async () => {
  server = await startQiniuTestServer({ keys: [testKey(AK, SK)], buckets: [BUCKET] });
  mac = new qiniu.auth.digest.Mac(AK, SK);
  config = new qiniu.conf.Config({ zone: new qiniu.conf.Zone([server.host], [], server.host, server.host, server.host, server.host), useHttpsDomain: false });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-qiniu-resumable-'));
  data20 = randomBytes(20 * MIB);
  file20 = path.join(tmp, 'movie.mp4');
  fs.writeFileSync(file20, data20);
});

afterAll(async () => {
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

async function storedBytes(key: string): Promise<Buffer> {
  const { stream } = await server.store.getObject(BUCKET, key);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('resumable upload v2 through ResumeUploader', () => {
  it('20 MiB in the default 4 MiB parts: the bytes, and the plain qetag as hash', async () => {
    const { data, resp } = await resumable(token({ scope: `${BUCKET}:movies/a.mp4` }), 'movies/a.mp4', file20, v2());
    expect(resp.statusCode).toBe(200);
    const expected = referenceQetag(data20).toString('base64url');
    expect(data).toEqual({ hash: expected, key: 'movies/a.mp4' });
    expect((await stat('movies/a.mp4')).data).toMatchObject({ fsize: 20 * MIB, hash: expected, mimeType: 'video/mp4' });
    expect((await storedBytes('movies/a.mp4')).equals(data20)).toBe(true);
    // Combined from the parts' hashes at completion and stored with the object, not read back from it.
    expect((await server.store.headObject(BUCKET, 'movies/a.mp4')).headers['x-qn-hash']).toBe(expected);
  });

  it('6 MiB parts with metadata, mime type and returnBody: Qiniu’s EtagV2 hash', async () => {
    const returnBody = '{"key":"$(key)","hash":"$(etag)","fsize":$(fsize),"mime":"$(mimeType)","title":"$(x:title)"}';
    const extra = v2({ partSize: 6 * MIB, mimeType: 'video/webm', params: { 'x:title': 'Holiday' }, metadata: { 'x-qn-meta-camera': 'x100' } });
    const { data, resp } = await resumable(token({ returnBody }), 'movies/b.webm', file20, extra);
    expect(resp.statusCode).toBe(200);
    const expected = referenceEtagV2(data20, 6 * MIB);
    expect(data).toEqual({ key: 'movies/b.webm', hash: expected, fsize: 20 * MIB, mime: 'video/webm', title: 'Holiday' });
    expect((await stat('movies/b.webm')).data).toMatchObject({ hash: expected, mimeType: 'video/webm', 'x-qn-meta': { 'x-qn-meta-camera': 'x100' } });
    expect((await storedBytes('movies/b.webm')).equals(data20)).toBe(true);
    expect((await server.store.headObject(BUCKET, 'movies/b.webm')).headers['x-qn-hash']).toBe(expected);
  });

  it('no key from the client (~): the key in the token’s scope', async () => {
    const small = path.join(tmp, 'small.bin');
    const bytes = randomBytes(3 * MIB + 17);
    fs.writeFileSync(small, bytes);
    const { data, resp } = await resumable(token({ scope: `${BUCKET}:from-scope.bin` }), null, small, v2());
    expect(resp.statusCode).toBe(200);
    expect(data).toEqual({ key: 'from-scope.bin', hash: referenceQetag(bytes).toString('base64url') });
    expect((await storedBytes('from-scope.bin')).equals(bytes)).toBe(true);
  });

  it('an empty file: completed without parts, the empty hash', async () => {
    const empty = path.join(tmp, 'empty.bin');
    fs.writeFileSync(empty, '');
    const { data, resp } = await resumable(token({}), 'empty.bin', empty, v2());
    expect(resp.statusCode).toBe(200);
    expect(data).toEqual({ key: 'empty.bin', hash: 'Fto5o-5ea0sNMlW_75VgGJCv2AcJ' });
    expect((await stat('empty.bin')).data).toMatchObject({ fsize: 0, hash: 'Fto5o-5ea0sNMlW_75VgGJCv2AcJ' });
    expect((await server.store.listMultipartUploads(BUCKET)).uploads.filter((u) => u.key === 'empty.bin')).toEqual([]);
  });

  it('insertOnly onto other content → 614, and the upload is gone; an expired token → 401', async () => {
    const small = path.join(tmp, 'other.bin');
    fs.writeFileSync(small, randomBytes(2 * MIB));
    const refused = await resumable(token({ scope: `${BUCKET}:movies/a.mp4`, insertOnly: 1 }), 'movies/a.mp4', small, v2());
    expect(refused.resp.statusCode).toBe(614);
    expect((await server.store.listMultipartUploads(BUCKET)).uploads).toEqual([]);
    expect((await storedBytes('movies/a.mp4')).equals(data20)).toBe(true);

    const expired = await resumable(token({ expires: -60 }), 'movies/late.bin', small, v2());
    expect(expired.resp.statusCode).toBe(401);
    expect((expired.data as { error: string }).error).toBe('expired token');
  });
});

describe('the raw protocol: list parts, abort', () => {
  it('lists the parts so far; after abort a part or a complete is 612 (no such uploadId)', async () => {
    const base = `http://${server.host}/buckets/${BUCKET}/objects/${Buffer.from('raw/aborted.bin').toString('base64url')}/uploads`;
    const headers = { Authorization: `UpToken ${token({})}` };
    const init = await fetch(base, { method: 'POST', headers });
    expect(init.status).toBe(200);
    const { uploadId, expireAt } = (await init.json()) as { uploadId: string; expireAt: number };
    expect(expireAt).toBeGreaterThan(Date.now() / 1000 + 6 * 24 * 3600);
    const part = randomBytes(MIB + 5);
    const md5 = createHash('md5').update(part).digest('hex');
    const put = await fetch(`${base}/${uploadId}/1`, { method: 'PUT', headers: { ...headers, 'Content-Type': 'application/octet-stream', 'Content-MD5': md5 }, body: part });
    expect(put.status).toBe(200);
    const putBody = (await put.json()) as { etag: string; md5: string };
    expect(putBody.md5).toBe(md5);
    const badMd5 = await fetch(`${base}/${uploadId}/2`, { method: 'PUT', headers: { ...headers, 'Content-MD5': 'ffffffffffffffffffffffffffffffff' }, body: part });
    expect(badMd5.status).toBe(400);

    const listed = (await (await fetch(`${base}/${uploadId}`, { headers })).json()) as { parts: { partNumber: number; size: number; etag: string }[] };
    expect(listed.parts.find((p) => p.partNumber === 1)).toMatchObject({ size: MIB + 5, etag: putBody.etag });

    expect((await fetch(`${base}/${uploadId}`, { method: 'DELETE', headers })).status).toBe(200);
    const late = await fetch(`${base}/${uploadId}/3`, { method: 'PUT', headers, body: part });
    expect(late.status).toBe(612);
    const complete = await fetch(`${base}/${uploadId}`, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify({ parts: [{ etag: putBody.etag, partNumber: 1 }] }) });
    expect(complete.status).toBe(612);
    expect((await stat('raw/aborted.bin')).resp.statusCode).toBe(612);
  });

  it('refuses a part-less or too-small-part complete with a reason, and a token for another bucket', async () => {
    const base = `http://${server.host}/buckets/${BUCKET}/objects/${Buffer.from('raw/small-parts.bin').toString('base64url')}/uploads`;
    const headers = { Authorization: `UpToken ${token({})}` };
    const { uploadId } = (await (await fetch(base, { method: 'POST', headers })).json()) as { uploadId: string };
    const etags: string[] = [];
    for (const n of [1, 2]) {
      const response = await fetch(`${base}/${uploadId}/${n}`, { method: 'PUT', headers, body: randomBytes(1000) });
      etags.push(((await response.json()) as { etag: string }).etag);
    }
    const tooSmall = await fetch(`${base}/${uploadId}`, { method: 'POST', headers, body: JSON.stringify({ parts: etags.map((etag, i) => ({ etag, partNumber: i + 1 })) }) });
    expect(tooSmall.status).toBe(400);
    expect(((await tooSmall.json()) as { hint: string }).hint).toMatch(/at least 1048576 bytes/);

    // A part refused midway (fsizeLimit) is answered with 413 after the rest is drained, not cut off.
    const limited = { Authorization: `UpToken ${token({ fsizeLimit: 1000 })}` };
    const big = await fetch(`${base}/${uploadId}/3`, { method: 'PUT', headers: limited, body: randomBytes(4 * MIB) });
    expect(big.status).toBe(413);
    expect(((await big.json()) as { error: string }).error).toBe('exceed FsizeLimit');

    const otherBucket = await fetch(`http://${server.host}/buckets/elsewhere/objects/~/uploads`, { method: 'POST', headers });
    expect(otherBucket.status).toBe(403);
  });
});
