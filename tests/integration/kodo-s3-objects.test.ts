import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3ServiceException,
  type S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';

/**
 * Kodo's S3 objects through @aws-sdk/client-s3 (path- and virtual-hosted-style) and raw signed
 * HTTP: PUT/GET/HEAD/DELETE with metadata, ranges, conditional requests and their precedence,
 * response-* overrides, CopyObject, DeleteObjects, and each error S3 answers for them.
 */

let s3: KodoS3Server;
let client: S3Client;
const BUCKET = 'objects';

beforeAll(async () => {
  s3 = await startKodoS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
afterAll(async () => {
  await s3?.close();
});

/** The S3 error a call fails with (its code and HTTP status). */
async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
const bodyOf = async (out: { Body?: { transformToByteArray(): Promise<Uint8Array> } }) => Buffer.from(await out.Body!.transformToByteArray());

describe('PUT, GET, HEAD, DELETE', () => {
  it('round-trips bodies of every size path, with ETag = quoted MD5, path- and virtual-hosted-style', async () => {
    const vh = s3.client(s3.keys.admin, { virtualHosted: true });
    for (const size of [0, 1, 128 * 1024 + 1, 3 * 1024 * 1024 + 7]) {
      const body = randomBytes(size);
      const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `sizes/${size}`, Body: body }));
      expect(put.ETag).toBe(`"${md5(body)}"`);
      const got = await vh.send(new GetObjectCommand({ Bucket: BUCKET, Key: `sizes/${size}` }));
      expect(got.ContentLength).toBe(size);
      expect(md5(await bodyOf(got))).toBe(md5(body));
    }
  });

  it('keeps user metadata and the content headers, and returns them on GET and HEAD', async () => {
    const expires = new Date('2030-01-02T03:04:05Z');
    await client.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: 'meta.txt',
        Body: 'hello',
        Metadata: { album: 'summer', 'x-y': 'z' },
        ContentType: 'text/plain; charset=utf-8',
        ContentDisposition: 'attachment; filename="a.txt"',
        ContentEncoding: 'identity',
        ContentLanguage: 'fr',
        CacheControl: 'max-age=60',
        Expires: expires,
      }),
    );
    for (const out of [await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' })), await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' }))]) {
      expect(out.Metadata).toEqual({ album: 'summer', 'x-y': 'z' });
      expect(out.ContentType).toBe('text/plain; charset=utf-8');
      expect(out.ContentDisposition).toBe('attachment; filename="a.txt"');
      expect(out.ContentEncoding).toBe('identity');
      expect(out.ContentLanguage).toBe('fr');
      expect(out.CacheControl).toBe('max-age=60');
      expect(out.ExpiresString ?? out.Expires?.toUTCString()).toBe(expires.toUTCString());
      expect(out.ContentLength).toBe(5);
      expect(out.AcceptRanges).toBe('bytes');
      expect(out.LastModified).toBeInstanceOf(Date);
    }
  });

  it('takes a streamed body (aws-chunked with a checksum trailer) and does not keep aws-chunked as its encoding', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 3);
    const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'streamed', Body: Readable.from([body.subarray(0, 1000), body.subarray(1000)]), ContentLength: body.length, ContentEncoding: 'gzip' }));
    expect(put.ETag).toBe(`"${md5(body)}"`);
    // The chunk framing and trailer arrived on the wire beside the body: it was aws-chunked.
    expect(s3.observations.findLast((o) => o.operation === 'PutObject')!.bytesIn).toBeGreaterThan(body.length);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'streamed' }));
    expect(got.ContentEncoding).toBe('gzip');
    expect(md5(await bodyOf(got))).toBe(md5(body));
  });

  it('defaults the content type to binary/octet-stream, and refuses user metadata over 2 KB', async () => {
    const r = await s3.raw({ method: 'PUT', path: `/${BUCKET}/no-type`, body: 'x' });
    expect(r.status).toBe(200);
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'no-type' }))).ContentType).toBe('binary/octet-stream');
    const big = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'big-meta', Body: 'x', Metadata: { a: 'v'.repeat(2100) } })));
    expect(big).toMatchObject({ code: 'MetadataTooLarge', status: 400 });
  });

  it('answers a single Range with 206 and Content-Range, an unsatisfiable one with 416 InvalidRange', async () => {
    const body = randomBytes(2 * 1024 * 1024 + 5);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'ranged', Body: body }));
    const cases: [string, number, number][] = [
      ['bytes=0-0', 0, 0],
      ['bytes=1048570-1048600', 1048570, 1048600],
      ['bytes=2097000-', 2097000, body.length - 1],
      ['bytes=-10', body.length - 10, body.length - 1],
      ['bytes=5-99999999', 5, body.length - 1],
    ];
    for (const [range, start, end] of cases) {
      const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'ranged', Range: range }));
      expect(got.$metadata.httpStatusCode).toBe(206);
      expect(got.ContentRange).toBe(`bytes ${start}-${end}/${body.length}`);
      expect((await bodyOf(got)).equals(body.subarray(start, end + 1))).toBe(true);
    }
    const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'ranged', Range: 'bytes=10-19' }));
    expect(head.$metadata.httpStatusCode).toBe(206);
    expect(head.ContentLength).toBe(10);
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'ranged', Range: `bytes=${body.length}-` })))).toMatchObject({ code: 'InvalidRange', status: 416 });
    const raw = await s3.raw({ method: 'GET', path: `/${BUCKET}/ranged`, headers: { range: 'bytes=99999999-' } });
    expect(raw.headers['content-range']).toBe(`bytes */${body.length}`);
    // S3 serves one range: several, or a header it cannot read, get the whole object.
    for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-3']) {
      const whole = await s3.raw({ method: 'GET', path: `/${BUCKET}/ranged`, headers: { range } });
      expect(whole.status).toBe(200);
      expect(whole.headers['content-length']).toBe(String(body.length));
    }
  });

  it('answers HEAD and GET of a missing key 404 NoSuchKey (HEAD without a body), and of a missing bucket NoSuchBucket', async () => {
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'absent' })))).toMatchObject({ code: 'NoSuchKey', status: 404 });
    expect(await failure(client.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'x' })))).toMatchObject({ code: 'NoSuchBucket', status: 404 });
    const head = await s3.raw({ method: 'HEAD', path: `/${BUCKET}/absent` });
    expect(head.status).toBe(404);
    expect(head.body).toBe('');
    expect(head.headers['x-amz-request-id']).toMatch(/^[0-9A-F]{16}$/);
    const get = await s3.raw({ method: 'GET', path: `/${BUCKET}/absent` });
    expect(get.body).toContain('<Code>NoSuchKey</Code>');
    expect(get.body).toContain(`<Resource>/${BUCKET}/absent</Resource>`);
    expect(get.body).toContain(`<RequestId>${String(get.headers['x-amz-request-id'])}</RequestId>`);
    expect(get.headers['x-amz-id-2']).toBeTruthy();
  });

  it('DELETE answers 204, for a missing key too, and the key is gone', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'doomed', Body: 'x' }));
    expect((await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'doomed' }))).$metadata.httpStatusCode).toBe(204);
    expect((await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'doomed' }))).$metadata.httpStatusCode).toBe(204);
    expect(await failure(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'doomed' })))).toMatchObject({ status: 404 });
  });

  it('checks Content-MD5 and x-amz-checksum-*: a mismatch is BadDigest and keeps nothing', async () => {
    const body = Buffer.from('checked body');
    const good = createHash('md5').update(body).digest('base64');
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5', Body: body, ContentMD5: good }));
    const bad = createHash('md5').update('other').digest('base64');
    expect(await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5-bad', Body: body, ContentMD5: bad })))).toMatchObject({ code: 'BadDigest', status: 400 });
    expect(await failure(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'md5-bad' })))).toMatchObject({ status: 404 });
    const sha = createHash('sha256').update('other').digest('base64');
    expect(await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sha-bad', Body: body, ChecksumSHA256: sha })))).toMatchObject({ code: 'BadDigest', status: 400 });
  });

  it('refuses keys that try to leave the bucket or that S3 cannot hold, with S3 errors', async () => {
    const long = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'k'.repeat(1025), Body: 'x' })));
    expect(long).toMatchObject({ code: 'KeyTooLongError', status: 400 });
    // Within S3's 1024 bytes, but one '/'-separated part longer than a file name may be (255 bytes).
    const segment = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: `dir/${'s'.repeat(300)}`, Body: 'x' })));
    expect(segment).toMatchObject({ code: 'InvalidArgument', status: 400 });
    expect(segment.message).toMatch(/255 bytes/);
    // '..' and '%2e%2e' are keys like any other (the store escapes them): they never reach another bucket.
    for (const path of [`/${BUCKET}/../escape`, `/${BUCKET}/%2e%2e/%2e%2e/escape`, `/${BUCKET}/a/%00/b`]) {
      const put = await s3.raw({ method: 'PUT', path, body: 'trapped' });
      expect([200, 400]).toContain(put.status);
      const get = await s3.raw({ method: 'GET', path });
      if (put.status === 200) expect(get.body).toBe('trapped');
    }
    expect(await failure(client.send(new GetObjectCommand({ Bucket: 'escape', Key: 'x' })))).toMatchObject({ status: 404 });
    const badUri = await s3.raw({ method: 'GET', path: `/${BUCKET}/%E0%A4%A` });
    expect(badUri.status).toBe(400);
    expect(badUri.body).toContain('<Code>InvalidURI</Code>');
  });

  it('needs a Content-Length on PUT (411) and refuses one over 5 GiB (EntityTooLarge)', async () => {
    const huge = await s3.raw({ method: 'PUT', path: `/${BUCKET}/huge`, headers: { 'content-length': String(5 * 1024 ** 3 + 1) }, body: '' });
    // Node refuses a body shorter than Content-Length only after the answer: the answer itself is S3's.
    expect(huge.status).toBe(400);
    expect(huge.body).toContain('<Code>EntityTooLarge</Code>');
  });
});

describe('conditional PUT', () => {
  it('If-None-Match: * creates only; If-Match replaces only the named version', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: 'first', IfNoneMatch: '*' }));
    expect(await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: 'second', IfNoneMatch: '*' })))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    const etag = (await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'once' }))).ETag!;
    expect(await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: 'third', IfMatch: '"0000"' })))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once', Body: 'fourth', IfMatch: etag }));
    expect(await (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'once' }))).Body!.transformToString()).toBe('fourth');
    expect(await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'never', Body: 'x', IfMatch: etag })))).toMatchObject({ code: 'NoSuchKey', status: 404 });
  });
});

describe('conditional GET and HEAD (S3 precedence)', () => {
  let etag = '';
  let modified = new Date();
  beforeAll(async () => {
    etag = (await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond', Body: 'conditional' }))).ETag!;
    modified = (await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cond' }))).LastModified!;
  });
  const before = () => new Date(modified.getTime() - 60_000);
  const after = () => new Date(modified.getTime() + 60_000);

  it('If-Match and If-None-Match', async () => {
    expect((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfMatch: etag }))).$metadata.httpStatusCode).toBe(200);
    expect((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfMatch: '*' }))).$metadata.httpStatusCode).toBe(200);
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfMatch: '"0000"' })))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfNoneMatch: etag })))).toMatchObject({ status: 304 });
    expect((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfNoneMatch: '"0000"' }))).$metadata.httpStatusCode).toBe(200);
    const head = await s3.raw({ method: 'HEAD', path: `/${BUCKET}/cond`, headers: { 'if-none-match': etag } });
    expect(head.status).toBe(304);
    expect(head.headers.etag).toBe(etag);
  });

  it('If-Modified-Since and If-Unmodified-Since', async () => {
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfModifiedSince: after() })))).toMatchObject({ status: 304 });
    expect((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfModifiedSince: before() }))).$metadata.httpStatusCode).toBe(200);
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfUnmodifiedSince: before() })))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfUnmodifiedSince: after() }))).$metadata.httpStatusCode).toBe(200);
  });

  it('If-Match true wins over If-Unmodified-Since false; If-None-Match false with If-Modified-Since true is 304', async () => {
    expect((await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfMatch: etag, IfUnmodifiedSince: before() }))).$metadata.httpStatusCode).toBe(200);
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfNoneMatch: etag, IfModifiedSince: before() })))).toMatchObject({ status: 304 });
    // 412 comes before 304, and before 416.
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfMatch: '"0000"', IfNoneMatch: etag })))).toMatchObject({ status: 412 });
    expect(await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond', IfNoneMatch: etag, Range: 'bytes=1000-' })))).toMatchObject({ status: 304 });
  });
});

describe('response-* overrides', () => {
  it('overrides the answer headers of a signed GET, and refuses them on an anonymous one', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'override', Body: 'x', ContentType: 'text/plain' }));
    const got = await client.send(
      new GetObjectCommand({
        Bucket: BUCKET,
        Key: 'override',
        ResponseContentType: 'application/json',
        ResponseContentDisposition: 'inline',
        ResponseCacheControl: 'no-cache',
        ResponseContentLanguage: 'de',
        ResponseContentEncoding: 'gzip',
        ResponseExpires: new Date('2031-01-01T00:00:00Z'),
      }),
    );
    expect(got.ContentType).toBe('application/json');
    expect(got.ContentDisposition).toBe('inline');
    expect(got.CacheControl).toBe('no-cache');
    expect(got.ContentLanguage).toBe('de');
    expect(got.ContentEncoding).toBe('gzip');
    expect(got.ExpiresString ?? got.Expires?.toUTCString()).toBe('Wed, 01 Jan 2031 00:00:00 GMT');
    const anon = await s3.raw({ method: 'GET', path: `/${BUCKET}/override?response-content-type=text/html`, key: null });
    expect(anon.status).toBe(403); // anonymous on a private bucket: denied before the override is looked at
  });
});

describe('CopyObject', () => {
  it('copies body and metadata (COPY), or takes the request\'s (REPLACE), and answers CopyObjectResult', async () => {
    const body = randomBytes(300 * 1024);
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'src/a b+c', Body: body, Metadata: { from: 'source' }, ContentType: 'image/png' }));
    const copied = await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/copy', CopySource: `${BUCKET}/${encodeURIComponent('src/a b+c')}` }));
    expect(copied.CopyObjectResult?.ETag).toBe(`"${md5(body)}"`);
    expect(copied.CopyObjectResult?.LastModified).toBeInstanceOf(Date);
    const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'dst/copy' }));
    expect(got.Metadata).toEqual({ from: 'source' });
    expect(got.ContentType).toBe('image/png');
    expect((await bodyOf(got)).equals(body)).toBe(true);

    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/replaced', CopySource: `/${BUCKET}/src/a%20b%2Bc`, MetadataDirective: 'REPLACE', Metadata: { to: 'new' }, ContentType: 'text/plain' }));
    const replaced = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dst/replaced' }));
    expect(replaced.Metadata).toEqual({ to: 'new' });
    expect(replaced.ContentType).toBe('text/plain');
  });

  it('refuses a copy onto itself without REPLACE (InvalidRequest), allows it with REPLACE', async () => {
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'self', Body: 'me', Metadata: { v: '1' } }));
    expect(await failure(client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'self', CopySource: `${BUCKET}/self` })))).toMatchObject({ code: 'InvalidRequest', status: 400 });
    await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'self', CopySource: `${BUCKET}/self`, MetadataDirective: 'REPLACE', Metadata: { v: '2' } }));
    expect((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'self' }))).Metadata).toEqual({ v: '2' });
  });

  it('applies x-amz-copy-source-if-* (412), and answers NoSuchKey for a missing source', async () => {
    const etag = (await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'csrc', Body: 'c' }))).ETag!;
    const base = { Bucket: BUCKET, Key: 'cdst', CopySource: `${BUCKET}/csrc` };
    expect(await failure(client.send(new CopyObjectCommand({ ...base, CopySourceIfMatch: '"nope"' })))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect(await failure(client.send(new CopyObjectCommand({ ...base, CopySourceIfNoneMatch: etag })))).toMatchObject({ code: 'PreconditionFailed', status: 412 });
    expect(await failure(client.send(new CopyObjectCommand({ ...base, CopySourceIfModifiedSince: new Date(Date.now() + 3600_000) })))).toMatchObject({ status: 412 });
    expect(await failure(client.send(new CopyObjectCommand({ ...base, CopySourceIfUnmodifiedSince: new Date(Date.now() - 3600_000) })))).toMatchObject({ status: 412 });
    // If-Match true wins over If-Unmodified-Since false, as on GET.
    await client.send(new CopyObjectCommand({ ...base, CopySourceIfMatch: etag, CopySourceIfUnmodifiedSince: new Date(Date.now() - 3600_000) }));
    expect(await failure(client.send(new CopyObjectCommand({ ...base, CopySource: `${BUCKET}/absent` })))).toMatchObject({ code: 'NoSuchKey', status: 404 });
    const bad = await s3.raw({ method: 'PUT', path: `/${BUCKET}/cdst`, headers: { 'x-amz-copy-source': 'no-key-here' } });
    expect(bad.body).toContain('<Code>InvalidArgument</Code>');
  });
});

describe('DeleteObjects', () => {
  it('deletes up to 1000 keys, reports each (missing ones too), and says nothing in Quiet mode', async () => {
    for (const k of ['d/1', 'd/2', 'd/3']) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: k, Body: k }));
    const out = await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'd/1' }, { Key: 'd/2' }, { Key: 'd/missing' }] } }));
    expect(out.Deleted?.map((d) => d.Key).sort()).toEqual(['d/1', 'd/2', 'd/missing']);
    expect(out.Errors ?? []).toEqual([]);
    const quiet = await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Quiet: true, Objects: [{ Key: 'd/3' }] } }));
    expect(quiet.Deleted ?? []).toEqual([]);
    expect(await failure(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'd/3' })))).toMatchObject({ status: 404 });
  });

  it('refuses more than 1000 keys, malformed XML, a document type declaration, and a missing Content-MD5', async () => {
    const many = Array.from({ length: 1001 }, (_, i) => ({ Key: `k${i}` }));
    expect(await failure(client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: many } })))).toMatchObject({ code: 'MalformedXML', status: 400 });
    const send = (xml: string, headers: Record<string, string> = { 'content-md5': createHash('md5').update(xml).digest('base64') }) =>
      s3.raw({ method: 'POST', path: `/${BUCKET}?delete`, headers, body: xml });
    for (const xml of ['<Delete><Object><Key>a</Key></Object>', 'not xml at all', '<Other/>', '<!DOCTYPE x [<!ENTITY a "b">]><Delete><Object><Key>&a;</Key></Object></Delete>']) {
      const r = await send(xml);
      expect(r.status).toBe(400);
      expect(r.body).toContain('<Code>MalformedXML</Code>');
    }
    const noMd5 = await send('<Delete><Object><Key>a</Key></Object></Delete>', {});
    expect(noMd5.status).toBe(400);
    expect(noMd5.body).toContain('<Code>InvalidRequest</Code>');
    expect(noMd5.body).toContain('Content-MD5');
    const wrongMd5 = await send('<Delete><Object><Key>a</Key></Object></Delete>', { 'content-md5': createHash('md5').update('x').digest('base64') });
    expect(wrongMd5.body).toContain('<Code>BadDigest</Code>');
  });
});
