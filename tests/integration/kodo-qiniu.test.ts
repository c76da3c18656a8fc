import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import qiniu from 'qiniu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQiniuTestServer, testKey, type QiniuTestServer } from '../helpers/kodo-qiniu-server';

/**
 * Kodo's Qiniu API driven by Qiniu's own Node SDK (qiniu 7), configured for the appliance as a
 * customer would (a custom zone whose up/rs/rsf/io hosts are the appliance, plain HTTP): form
 * uploads of several sizes, stat, list, private downloads with fetch, delete, move/copy/batch, and
 * every refusal, each with Qiniu's status code.
 */

const AK = 'KODOTESTQINIU0000001';
const SK = 'qiniu-test-secret-0000000000000000000001';
const RO_AK = 'KODOTESTQINIU0000002';
const RO_SK = 'qiniu-test-secret-0000000000000000000002';
const OTHER_AK = 'KODOTESTQINIU0000003';
const OTHER_SK = 'qiniu-test-secret-0000000000000000000003';
const BUCKET = 'photos';
const PUBLIC = 'public-assets';
const MIB = 1 << 20;

/** Qiniu's hash, written here from its definition alone (4 MiB blocks, SHA-1), independent of the server's streaming one. */
function referenceQetag(data: Buffer): string {
  const block = 4 * MIB;
  if (data.length <= block) return Buffer.concat([Buffer.of(0x16), createHash('sha1').update(data).digest()]).toString('base64url');
  const sums: Buffer[] = [];
  for (let offset = 0; offset < data.length; offset += block) sums.push(createHash('sha1').update(data.subarray(offset, offset + block)).digest());
  return Buffer.concat([Buffer.of(0x96), createHash('sha1').update(Buffer.concat(sums)).digest()]).toString('base64url');
}

/** The "fake file" Qiniu's SDKs publish hashes for (a repeated 4 KiB pattern). */
function fakeFile(bytes: number): Buffer {
  const pattern = Buffer.alloc(4096, 'b');
  pattern[0] = 0x41;
  pattern[4094] = 0x0d;
  pattern[4095] = 0x0a;
  return Buffer.concat(Array.from({ length: Math.ceil(bytes / 4096) }, () => pattern)).subarray(0, bytes);
}

let server: QiniuTestServer;
let mac: qiniu.auth.digest.Mac;
let config: qiniu.conf.Config;
let tmp: string;

const token = (policy: Record<string, unknown>, withMac = mac) => new qiniu.rs.PutPolicy({ scope: BUCKET, ...policy } as qiniu.rs.PutPolicyOptions).uploadToken(withMac);
const formUpload = (uploadToken: string, key: string | null, body: Buffer, extra?: qiniu.form_up.PutExtra) => new qiniu.form_up.FormUploader(config).put(uploadToken, key, body, extra ?? null);
const manager = (withMac = mac) => new qiniu.rs.BucketManager(withMac, config);

beforeAll(async () => {
  server = await startQiniuTestServer({
    keys: [testKey(AK, SK), testKey(RO_AK, RO_SK, { access: 'read-only' }), testKey(OTHER_AK, OTHER_SK, { bucket: 'elsewhere' })],
    buckets: [BUCKET, PUBLIC, 'elsewhere'],
    publicRead: [PUBLIC],
  });
  mac = new qiniu.auth.digest.Mac(AK, SK);
  const zone = new qiniu.conf.Zone([server.host], [], server.host, server.host, server.host, server.host);
  config = new qiniu.conf.Config({ zone, useHttpsDomain: false });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-qiniu-sdk-'));
});

afterAll(async () => {
  await server?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

describe('form upload (FormUploader) and stat', () => {
  it.each([
    ['empty', 0, 'Fto5o-5ea0sNMlW_75VgGJCv2AcJ'],
    ['1 KiB', 1024, null],
    ['5 MiB', 5 * MIB, 'lg-Eb5KFCuZn-cUfj_oS2PPOU9xy'],
  ])('%s: stored, hash as Qiniu computes it, stat agrees', async (name, size, published) => {
    const data = fakeFile(size);
    const key = `form/${name}.bin`;
    const { data: result, resp } = await formUpload(token({ scope: `${BUCKET}:${key}` }), key, data);
    expect(resp.statusCode).toBe(200);
    const expected = published ?? referenceQetag(data);
    expect(referenceQetag(data)).toBe(expected);
    expect(result).toEqual({ hash: expected, key });

    const stat = await manager().stat(BUCKET, key);
    expect(stat.resp.statusCode).toBe(200);
    expect(stat.data).toMatchObject({ fsize: size, hash: expected, mimeType: 'application/octet-stream', md5: createHash('md5').update(data).digest('hex'), type: 0 });
    const { stream } = await server.store.getObject(BUCKET, key);
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).equals(data)).toBe(true);
  });

  it('putFile with mime type, metadata and returnBody magic variables', async () => {
    const file = path.join(tmp, 'cat.jpg');
    const data = randomBytes(200_000);
    fs.writeFileSync(file, data);
    const returnBody = '{"key":"$(key)","hash":"$(etag)","size":$(fsize),"bucket":"$(bucket)","mime":"$(mimeType)","name":"$(fname)","album":"$(x:album)"}';
    const extra = new qiniu.form_up.PutExtra('', { 'x:album': 'summer "24"' }, 'image/jpeg', undefined, true, { 'x-qn-meta-owner': 'alice' });
    const { data: result, resp } = await new qiniu.form_up.FormUploader(config).putFile(token({ scope: BUCKET, returnBody }), 'cats/cat.jpg', file, extra);
    expect(resp.statusCode).toBe(200);
    expect(result).toEqual({ key: 'cats/cat.jpg', hash: referenceQetag(data), size: 200_000, bucket: BUCKET, mime: 'image/jpeg', name: 'cat.jpg', album: 'summer "24"' });
    const stat = await manager().stat(BUCKET, 'cats/cat.jpg');
    expect(stat.data).toMatchObject({ mimeType: 'image/jpeg', 'x-qn-meta': { 'x-qn-meta-owner': 'alice' } });
  });

  it('a wrong crc32 is refused (406) and nothing is stored', async () => {
    const extra = new qiniu.form_up.PutExtra('', {}, undefined, '12345', true);
    const { resp, data } = await formUpload(token({}), 'crc/bad.bin', randomBytes(300_000), extra);
    expect(resp.statusCode).toBe(406);
    expect(data.error).toBe('crc32 not match');
    expect((await manager().stat(BUCKET, 'crc/bad.bin')).resp.statusCode).toBe(612);
  });
});

describe('upload refusals, with Qiniu status codes', () => {
  it('expired token → 401 expired token', async () => {
    const { resp, data } = await formUpload(token({ expires: -60 }), 'refused/expired', Buffer.from('x'));
    expect(resp.statusCode).toBe(401);
    expect(data.error).toBe('expired token');
  });

  it('an unknown access key or a wrong secret → 401 bad token', async () => {
    const unknown = await formUpload(token({}, new qiniu.auth.digest.Mac('KODONOSUCHKEY0000000', SK)), 'refused/unknown', Buffer.from('x'));
    expect(unknown.resp.statusCode).toBe(401);
    expect(unknown.data.error).toBe('bad token');
    const wrongSecret = await formUpload(token({}, new qiniu.auth.digest.Mac(AK, 'not-the-secret')), 'refused/secret', Buffer.from('x'));
    expect(wrongSecret.resp.statusCode).toBe(401);
    expect(wrongSecret.data.hint).toMatch(/signature/);
  });

  it('insertOnly and bucket-only scope refuse other content (614) but accept the same bytes again', async () => {
    const key = 'refused/insert-only';
    expect((await formUpload(token({ scope: `${BUCKET}:${key}` }), key, Buffer.from('first'))).resp.statusCode).toBe(200);
    const again = await formUpload(token({ scope: `${BUCKET}:${key}`, insertOnly: 1 }), key, Buffer.from('second'));
    expect(again.resp.statusCode).toBe(614);
    expect(again.data?.error).toBe('file exists');
    expect((await formUpload(token({ scope: BUCKET }), key, Buffer.from('second'))).resp.statusCode).toBe(614);
    const same = await formUpload(token({ scope: BUCKET }), key, Buffer.from('first'));
    expect(same.resp.statusCode).toBe(200);
    expect(same.data.hash).toBe(referenceQetag(Buffer.from('first')));
    // A bucket:key scope without insertOnly overwrites.
    expect((await formUpload(token({ scope: `${BUCKET}:${key}` }), key, Buffer.from('third'))).resp.statusCode).toBe(200);
    expect((await manager().stat(BUCKET, key)).data.fsize).toBe(5);
  });

  it('a key outside the scope → 403; a read-only or other-bucket key → 403; too big → 413; no bucket → 631', async () => {
    const scoped = await formUpload(token({ scope: `${BUCKET}:only-this` }), 'another-key', Buffer.from('x'));
    expect(scoped.resp.statusCode).toBe(403);
    expect(scoped.data.error).toBe("key doesn't match with scope");
    expect((await formUpload(token({}, new qiniu.auth.digest.Mac(RO_AK, RO_SK)), 'refused/ro', Buffer.from('x'))).resp.statusCode).toBe(403);
    expect((await formUpload(token({}, new qiniu.auth.digest.Mac(OTHER_AK, OTHER_SK)), 'refused/other', Buffer.from('x'))).resp.statusCode).toBe(403);
    const big = await formUpload(token({ fsizeLimit: 1000 }), 'refused/big', randomBytes(400_000));
    expect(big.resp.statusCode).toBe(413);
    expect((await manager().stat(BUCKET, 'refused/big')).resp.statusCode).toBe(612);
    const noBucket = await formUpload(token({ scope: 'no-such-bucket' }), 'x', Buffer.from('x'));
    expect(noBucket.resp.statusCode).toBe(631);
    expect(noBucket.data.error).toBe('no such bucket');
  });

  it('mimeLimit refuses other types (403)', async () => {
    const extra = new qiniu.form_up.PutExtra('', {}, 'text/plain');
    const refused = await formUpload(token({ mimeLimit: 'image/*' }), 'refused/mime.txt', Buffer.from('hello'), extra);
    expect(refused.resp.statusCode).toBe(403);
    expect(refused.data.error).toBe('limited mimeType');
  });
});

describe('management (BucketManager): list, move, copy, batch, delete', () => {
  beforeAll(async () => {
    for (const key of ['list/a.txt', 'list/b.txt', 'list/dir/c.txt', 'list/dir/d.txt', 'list/e.txt']) {
      expect((await formUpload(token({}), key, Buffer.from(key))).resp.statusCode).toBe(200);
    }
  });

  it('lists with prefix and delimiter, and pages with limit and marker', async () => {
    const rolled = await manager().listPrefix(BUCKET, { prefix: 'list/', delimiter: '/' });
    expect(rolled.resp.statusCode).toBe(200);
    expect(rolled.data.items.map((i: { key: string }) => i.key)).toEqual(['list/a.txt', 'list/b.txt', 'list/e.txt']);
    expect(rolled.data.commonPrefixes).toEqual(['list/dir/']);
    expect(rolled.data.items[0]).toMatchObject({ fsize: 10, hash: referenceQetag(Buffer.from('list/a.txt')), mimeType: 'application/octet-stream' });

    const keys: string[] = [];
    let marker: string | undefined;
    for (let page = 0; page < 10; page++) {
      const { data } = await manager().listPrefix(BUCKET, { prefix: 'list/', limit: 2, marker });
      keys.push(...data.items.map((i: { key: string }) => i.key));
      marker = data.marker;
      if (!marker) break;
    }
    expect(keys).toEqual(['list/a.txt', 'list/b.txt', 'list/dir/c.txt', 'list/dir/d.txt', 'list/e.txt']);
  });

  it('copies and moves (614 without force onto an existing key), and batches stat/delete with per-op codes', async () => {
    expect((await manager().copy(BUCKET, 'list/a.txt', BUCKET, 'copied/a.txt', null)).resp.statusCode).toBe(200);
    expect((await manager().stat(BUCKET, 'copied/a.txt')).data.hash).toBe(referenceQetag(Buffer.from('list/a.txt')));
    expect((await manager().move(BUCKET, 'list/b.txt', BUCKET, 'copied/a.txt', null)).resp.statusCode).toBe(614);
    expect((await manager().move(BUCKET, 'list/b.txt', BUCKET, 'moved/b.txt', null)).resp.statusCode).toBe(200);
    expect((await manager().stat(BUCKET, 'list/b.txt')).resp.statusCode).toBe(612);
    expect((await manager().move(BUCKET, 'moved/b.txt', BUCKET, 'copied/a.txt', { force: true })).resp.statusCode).toBe(200);
    expect((await manager().stat(BUCKET, 'copied/a.txt')).data.fsize).toBe('list/b.txt'.length);

    const batch = await manager().batch([qiniu.rs.statOp(BUCKET, 'list/e.txt'), qiniu.rs.deleteOp(BUCKET, 'list/e.txt'), qiniu.rs.statOp(BUCKET, 'list/e.txt')]);
    expect(batch.resp.statusCode).toBe(298);
    expect(batch.data.map((r: { code: number }) => r.code)).toEqual([200, 200, 612]);
    expect(batch.data[0]?.data).toMatchObject({ fsize: 10 });
  });

  it('deletes; a missing file → 612, a missing bucket → 631, a wrong signature → 401, a read-only key cannot delete', async () => {
    expect((await manager(new qiniu.auth.digest.Mac(RO_AK, RO_SK)).delete(BUCKET, 'list/a.txt')).resp.statusCode).toBe(403);
    expect((await manager(new qiniu.auth.digest.Mac(RO_AK, RO_SK)).stat(BUCKET, 'list/a.txt')).resp.statusCode).toBe(200);
    expect((await manager().delete(BUCKET, 'list/a.txt')).resp.statusCode).toBe(200);
    const again = await manager().delete(BUCKET, 'list/a.txt');
    expect(again.resp.statusCode).toBe(612);
    expect(again.data?.error).toBe('no such file or directory');
    const noBucket = await manager().stat('no-such-bucket', 'x');
    expect(noBucket.resp.statusCode).toBe(631);
    const forged = await manager(new qiniu.auth.digest.Mac(AK, 'wrong-secret')).stat(BUCKET, 'list/dir/c.txt');
    expect(forged.resp.statusCode).toBe(401);
    expect(forged.data.error).toBe('bad token');
  });
});

describe('downloads', () => {
  const data = randomBytes(300_000);
  beforeAll(async () => {
    expect((await formUpload(token({}), 'dl/file name ü.bin', data)).resp.statusCode).toBe(200);
    expect((await formUpload(token({ scope: PUBLIC }), 'logo.bin', data)).resp.statusCode).toBe(200);
  });
  const domain = (bucket: string) => `http://${server.host}/${bucket}`;
  const deadline = (seconds: number) => Math.floor(Date.now() / 1000) + seconds;

  it('serves a private file through privateDownloadUrl, with ranges and Qiniu’s hash as ETag', async () => {
    const url = manager().privateDownloadUrl(domain(BUCKET), 'dl/file name ü.bin', deadline(600));
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(data)).toBe(true);
    expect(response.headers.get('etag')).toBe(`"${referenceQetag(data)}"`);
    const ranged = await fetch(url, { headers: { range: 'bytes=1000-1999' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(data.subarray(1000, 2000))).toBe(true);
  });

  it('refuses an expired, tampered or missing token (401); a public bucket needs none; a missing file is 404', async () => {
    const expired = await fetch(manager().privateDownloadUrl(domain(BUCKET), 'dl/file name ü.bin', deadline(-10)));
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { error: string }).error).toBe('expired token');
    const good = manager().privateDownloadUrl(domain(BUCKET), 'dl/file name ü.bin', deadline(600));
    const tampered = good.replace(/e=(\d+)/, (_, e: string) => `e=${Number(e) + 1}`);
    expect((await fetch(tampered)).status).toBe(401);
    expect((await fetch(manager().publicDownloadUrl(domain(BUCKET), 'dl/file name ü.bin'))).status).toBe(401);
    const otherBucketKey = manager(new qiniu.auth.digest.Mac(OTHER_AK, OTHER_SK)).privateDownloadUrl(domain(BUCKET), 'dl/file name ü.bin', deadline(600));
    expect((await fetch(otherBucketKey)).status).toBe(403);

    const open = await fetch(manager().publicDownloadUrl(domain(PUBLIC), 'logo.bin'));
    expect(open.status).toBe(200);
    expect(Buffer.from(await open.arrayBuffer()).equals(data)).toBe(true);
    expect((await fetch(manager().privateDownloadUrl(domain(BUCKET), 'dl/missing', deadline(600)))).status).toBe(404);
  });
});

describe('metrics', () => {
  it('observes every request with its operation, status and bytes', () => {
    const ops = new Set(server.observations.map((o) => o.operation));
    for (const op of ['form-upload', 'stat', 'list', 'delete', 'batch', 'download']) expect(ops).toContain(op);
    expect(server.observations.every((o) => o.api === 'qiniu')).toBe(true);
    const bigUpload = server.observations.find((o) => o.operation === 'form-upload' && o.bytesIn > 5 * MIB);
    expect(bigUpload?.status).toBe(200);
    expect(server.observations.some((o) => o.operation === 'download' && o.status === 200 && o.bytesOut === 300_000)).toBe(true);
  });
});
