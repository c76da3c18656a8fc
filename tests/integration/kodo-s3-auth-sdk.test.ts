import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, type ChecksumAlgorithm } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccessKey } from '../../agents/services/kodo/access/access-keys';
import { authenticateRequest, presignUrl, S3AuthError, verifyPayload, type AuthResult } from '../../agents/services/kodo/s3/auth';
import { openStore, StoreError, type ObjectStore } from '../../agents/services/kodo/store';

/**
 * The auth module on real HTTP, real AWS SDK clients and the real store: a minimal server (GET and
 * PUT of objects, nothing else) authenticates every request with authenticateRequest and pipes PUT
 * bodies through verifyPayload into store.putObject. What the SDK actually puts on the wire —
 * its key encoding, aws-chunked framing with checksum trailers, presigned URLs — is what is verified,
 * and a body refused mid-stream must leave no object behind.
 */

const REGION = 'cn-east-1';
const KEY: AccessKey = { accessKeyId: 'KODOSDKTEST000000001', secretKey: 'sdk-test-secret-0123456789abcdefghijklmn', bucket: null, access: 'read-write', created: '2026-01-01T00:00:00Z', description: 'test' };
const BUCKET = 'photos';

const ROOT = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-s3-auth-'));
let store: ObjectStore;
let server: http.Server;
let endpoint = '';
/** The server's clock, moved by tests that need time to pass (never by sleeping). */
let clockOffsetMs = 0;
/** The last refusal the server answered with, for assertions beyond what the SDK reports. */
let lastRefusal: S3AuthError | null = null;
/** Read through a function: TypeScript would otherwise keep the `null` a test just assigned. */
const refusedCode = (): string | undefined => lastRefusal?.code;

function errorXml(error: S3AuthError): string {
  const fields = Object.entries(error.details).map(([k, v]) => `<${k}>${v.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</${k}>`).join('');
  return `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code><Message>${error.message.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Message>${fields}</Error>`;
}

async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const rawQuery = q < 0 ? '' : url.slice(q + 1);
  const [, bucket, ...rest] = rawPath.split('/');
  const key = decodeURIComponent(rest.join('/'));
  let auth: AuthResult;
  try {
    auth = authenticateRequest({ method: req.method ?? 'GET', rawPath, rawQuery, headers: req.headers, headersDistinct: req.headersDistinct }, { get: (id) => (id === KEY.accessKeyId ? KEY : undefined) }, { region: REGION, now: new Date(Date.now() + clockOffsetMs) });
    if (auth.kind === 'anonymous') throw new S3AuthError('AccessDenied', 403, 'Access Denied');
    if (req.method === 'PUT') {
      const info = await store.putObject(bucket!, key, verifyPayload(auth, req.headers, req));
      res.writeHead(200, { etag: `"${info.etag}"` }).end();
      return;
    }
    if (req.method === 'HEAD' || req.method === 'GET') {
      const { info, stream } = await store.getObject(bucket!, key);
      res.writeHead(200, { 'content-length': String(info.size), etag: `"${info.etag}"` });
      if (req.method === 'HEAD') {
        stream.destroy();
        res.end();
      } else stream.pipe(res);
      return;
    }
    res.writeHead(405).end();
  } catch (error) {
    if (error instanceof S3AuthError) {
      lastRefusal = error;
      req.resume();
      res.writeHead(error.httpStatus, { 'content-type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : errorXml(error));
    } else if (error instanceof StoreError && error.code === 'NoSuchKey') {
      res.writeHead(404, { 'content-type': 'application/xml' }).end(req.method === 'HEAD' ? undefined : '<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
    } else {
      res.writeHead(500).end(String(error));
    }
  }
}

beforeAll(async () => {
  const disks = [0, 1, 2].map((i) => {
    const disk = path.join(ROOT, `disk${i}`);
    fs.mkdirSync(disk);
    return disk;
  });
  store = await openStore({ disks, layout: { k: 2, m: 1 } });
  await store.createBucket(BUCKET);
  server = http.createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  fs.rmSync(ROOT, { recursive: true, force: true });
});

const client = (secretAccessKey = KEY.secretKey) =>
  new S3Client({ endpoint, region: REGION, forcePathStyle: true, credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey } });

async function stored(key: string): Promise<Buffer | null> {
  try {
    const { stream } = await store.getObject(BUCKET, key);
    const parts: Buffer[] = [];
    for await (const part of stream) parts.push(part as Buffer);
    return Buffer.concat(parts);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NoSuchKey') return null;
    throw error;
  }
}

describe('the AWS SDK against authenticateRequest + verifyPayload over HTTP', () => {
  const keys = ['plain.txt', 'photos/été 2013/a+b (1)~x.jpg', '中文 文件.txt', "it's(1)!*.bin", 'emoji 😀/x'];
  for (const key of keys) {
    it(`PutObject then GetObject of "${key}"`, async () => {
      const body = randomBytes(5000);
      await client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      expect((await stored(key))?.equals(body)).toBe(true);
      const got = await client().send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect(Buffer.from(await got.Body!.transformToByteArray()).equals(body)).toBe(true);
    });
  }

  const algorithms: ChecksumAlgorithm[] = ['CRC32', 'CRC32C', 'CRC64NVME', 'SHA1', 'SHA256'];
  for (const algorithm of algorithms) {
    it(`a streamed PutObject with ChecksumAlgorithm ${algorithm} (aws-chunked with a checksum trailer)`, async () => {
      const body = randomBytes(3 * 1024 * 1024 + 17);
      const key = `streamed-${algorithm}`;
      await client().send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: Readable.from([body.subarray(0, 1_000_000), body.subarray(1_000_000)]), ContentLength: body.length, ChecksumAlgorithm: algorithm }));
      expect((await stored(key))?.equals(body)).toBe(true);
    });
  }

  it('a presigned GET (s3-request-presigner) is served; once expired it is refused', async () => {
    const url = await getSignedUrl(client(), new GetObjectCommand({ Bucket: BUCKET, Key: 'plain.txt' }), { expiresIn: 60 });
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect((await ok.arrayBuffer()).byteLength).toBe(5000);
    clockOffsetMs = 61_000;
    try {
      const expired = await fetch(url);
      expect(expired.status).toBe(403);
      expect(await expired.text()).toContain('<Message>Request has expired');
    } finally {
      clockOffsetMs = 0;
    }
  });

  it('a presigned PUT (s3-request-presigner) stores the body', async () => {
    const body = randomBytes(70_000);
    const url = await getSignedUrl(client(), new PutObjectCommand({ Bucket: BUCKET, Key: 'presigned put/ü.bin' }), { expiresIn: 300 });
    const res = await fetch(url, { method: 'PUT', body });
    expect(res.status).toBe(200);
    expect((await stored('presigned put/ü.bin'))?.equals(body)).toBe(true);
  });

  it('presignUrl (the console\'s signer) makes a URL the server serves', async () => {
    const objectUrl = `${endpoint}/${BUCKET}/${['photos', 'été 2013', 'a+b (1)~x.jpg'].map((s) => encodeURIComponent(s)).join('/')}`;
    const url = presignUrl({ method: 'GET', url: objectUrl, key: KEY, region: REGION, expiresSeconds: 120, now: new Date() });
    const res = await fetch(url);
    expect(res.status).toBe(200);
  });

  it('a client with a wrong secret: SignatureDoesNotMatch, nothing stored', async () => {
    const error = await client('wrong-secret').send(new PutObjectCommand({ Bucket: BUCKET, Key: 'never.txt', Body: 'x' })).then(() => null, (e: Error) => e);
    expect(error?.name).toBe('SignatureDoesNotMatch');
    expect(await stored('never.txt')).toBeNull();
  });

  it('a header sent twice is signed as its values joined by \',\' (read from headersDistinct)', async () => {
    const c = client();
    // After signing x-amz-meta-dup: "a,b", send it as two header lines, as a client may.
    c.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers: Record<string, unknown> };
        request.headers['x-amz-meta-dup'] = ['a', 'b'];
        return next(args);
      },
      { step: 'finalizeRequest', name: 'splitHeader', priority: 'low', override: true },
    );
    await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'dup.txt', Body: 'x', Metadata: { dup: 'a,b' } }));
    expect((await stored('dup.txt'))?.toString()).toBe('x');
  });

  /** A client whose request body is changed after signing (a corrupting proxy). */
  function tamperingClient(): S3Client {
    const c = client();
    c.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { body?: unknown };
        const body = request.body;
        if (Buffer.isBuffer(body) || body instanceof Uint8Array) {
          const copy = Buffer.from(body);
          copy[copy.length >> 1] = copy[copy.length >> 1]! ^ 0xff;
          request.body = copy;
        } else if (body instanceof Readable || (body && typeof (body as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function')) {
          request.body = Readable.from(
            (async function* () {
              let first = true;
              for await (const piece of body as AsyncIterable<Buffer | string>) {
                const copy = Buffer.from(piece);
                // Flip a byte well inside the first frame's data (past its size line).
                if (first && copy.length > 200) copy[150] = copy[150]! ^ 0xff;
                first = false;
                yield copy;
              }
            })(),
          );
        }
        return next(args);
      },
      { step: 'finalizeRequest', name: 'corruptAfterSigning', priority: 'low', override: true },
    );
    return c;
  }

  it('a body changed after signing (x-amz-content-sha256): XAmzContentSHA256Mismatch, and no object', async () => {
    const body = randomBytes(300_000);
    lastRefusal = null;
    const error = await tamperingClient().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'tampered.bin', Body: body })).then(() => null, (e: Error) => e);
    expect(error).not.toBeNull();
    expect(refusedCode()).toBe('XAmzContentSHA256Mismatch');
    expect(await stored('tampered.bin')).toBeNull();
    await expect(client().send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'tampered.bin' }))).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
  });

  it('an aws-chunked body changed after signing: BadDigest from its trailer checksum, and the old object stays', async () => {
    const original = randomBytes(1000);
    await client().send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.bin', Body: original }));
    const body = randomBytes(2 * 1024 * 1024);
    lastRefusal = null;
    const error = await tamperingClient()
      .send(new PutObjectCommand({ Bucket: BUCKET, Key: 'kept.bin', Body: Readable.from([body]), ContentLength: body.length, ChecksumAlgorithm: 'CRC32C' }))
      .then(() => null, (e: Error) => e);
    expect(error).not.toBeNull();
    expect(refusedCode()).toBe('BadDigest');
    expect((await stored('kept.bin'))?.equals(original)).toBe(true);
    expect(createHash('md5').update(original).digest('hex')).toBe((await store.headObject(BUCKET, 'kept.bin')).etag);
  });
});
