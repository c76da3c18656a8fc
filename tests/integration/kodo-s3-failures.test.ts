import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';
import { until } from '../helpers/wait-until';
import { useSmallTmpfs } from '../helpers/small-tmpfs';

/**
 * Kodo's S3 API when things go wrong below or around it: disks gone (503 naming them), disks full
 * (507 XKodoStorageFull), a client that goes away in the middle of an upload (no object, no
 * leftovers, the process serving on) or of a download (the store's stream closed).
 */

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number | undefined; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { code: error.name, status: error.$metadata.httpStatusCode, message: error.message };
    throw error;
  }
  throw new Error('expected the call to fail');
}

const tmpEntries = (s3: KodoS3Server) => s3.disks.flatMap((d) => fs.readdirSync(path.join(d, '.kodo', 'tmp')));

describe('a client that goes away', () => {
  let s3: KodoS3Server;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startKodoS3Server();
    client = s3.client();
    await client.send(new CreateBucketCommand({ Bucket: 'abrupt' }));
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('mid-upload: no object, nothing left in the disks\' temp dirs, the request observed, the server serving on', async () => {
    const total = 8 * 1024 * 1024;
    const sent = randomBytes(3 * 1024 * 1024);
    const before = s3.observations.length;
    // Signed with UNSIGNED-PAYLOAD, so the body may be cut without the signature failing first.
    const req = await s3.rawStream({ method: 'PUT', path: '/abrupt/cut-short', headers: { 'content-length': String(total), 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    await new Promise<void>((resolve, reject) => {
      req.on('error', () => resolve()); // our own destroy
      req.write(sent, (error) => {
        if (error) return reject(error);
        // Once the store is writing the upload's stripes into its temp dirs, vanish.
        until('the put to start writing', async () => tmpEntries(s3), (entries) => entries.length > 0).then(() => {
          req.destroy();
          resolve();
        }, reject);
      });
    });
    await until('the cut upload to be observed', async () => s3.observations.length, (n) => n > before);
    const observed = s3.observations.slice(before).find((o) => o.operation === 'PutObject');
    expect(observed?.status).toBe(499); // the client closed the request
    expect(observed?.bytesIn).toBeGreaterThan(0);
    expect(await failure(client.send(new HeadObjectCommand({ Bucket: 'abrupt', Key: 'cut-short' })))).toMatchObject({ status: 404 });
    await until('the put\'s temp files to be removed', async () => tmpEntries(s3), (entries) => entries.length === 0);
    await client.send(new PutObjectCommand({ Bucket: 'abrupt', Key: 'after', Body: 'still serving' }));
  });

  it('mid-download: the answer is cut, the server serves on', async () => {
    const body = randomBytes(24 * 1024 * 1024);
    await client.send(new PutObjectCommand({ Bucket: 'abrupt', Key: 'big', Body: body }));
    const before = s3.observations.length;
    const req = await s3.rawStream({ method: 'GET', path: '/abrupt/big' });
    await new Promise<void>((resolve, reject) => {
      req.on('response', (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
      });
      req.on('error', (error) => (req.destroyed ? resolve() : reject(error)));
      req.end();
    });
    const get = await until('the cut download to be observed', async () => s3.observations.slice(before).find((o) => o.operation === 'GetObject'), (o) => o !== undefined);
    expect(get!.bytesOut).toBeLessThan(body.length);
    expect(get!.status).toBe(499);
    const again = await client.send(new GetObjectCommand({ Bucket: 'abrupt', Key: 'big', Range: 'bytes=0-9' }));
    expect(Buffer.from(await again.Body!.transformToByteArray()).equals(body.subarray(0, 10))).toBe(true);
  });
});

describe('disks gone', () => {
  let s3: KodoS3Server;
  let client: S3Client;
  beforeAll(async () => {
    s3 = await startKodoS3Server();
    client = s3.client();
    await client.send(new CreateBucketCommand({ Bucket: 'fragile' }));
    await client.send(new PutObjectCommand({ Bucket: 'fragile', Key: 'obj', Body: randomBytes(512 * 1024) }));
  });
  afterAll(async () => {
    await s3?.close();
  });

  it('answers 503 XKodoReadQuorum / XKodoWriteQuorum naming the disks when more than m are gone', async () => {
    // 4+2: three disks gone leaves three, fewer than k = 4.
    for (const disk of s3.disks.slice(0, 3)) fs.rmSync(disk, { recursive: true, force: true });
    const read = await s3.raw({ method: 'GET', path: '/fragile/obj' });
    expect(read.status).toBe(503);
    expect(read.body).toContain('<Code>XKodoReadQuorum</Code>');
    expect(read.body).toContain('<Disks>');
    expect(read.body).toMatch(/Bring the named disks back online/);
    const write = await s3.raw({ method: 'PUT', path: '/fragile/new', body: randomBytes(300 * 1024) });
    expect(write.status).toBe(503);
    expect(write.body).toMatch(/<Code>XKodo(Write|Read)Quorum<\/Code>/);
  });
});

describe('disks full', () => {
  const tmpfs = useSmallTmpfs('kodo-s3-full', '8m');

  it('answers 507 XKodoStorageFull with what to do, and keeps nothing of the put', async (context) => {
    if (tmpfs.unavailable !== null) {
      console.log(`kodo-s3 full-disk test skipped: cannot mount a small tmpfs (${tmpfs.unavailable})`);
      context.skip();
    }
    const s3 = await startKodoS3Server({ diskRoot: tmpfs.root });
    try {
      const client = s3.client();
      await client.send(new CreateBucketCommand({ Bucket: 'full' }));
      const error = await failure(client.send(new PutObjectCommand({ Bucket: 'full', Key: 'too-big', Body: randomBytes(16 * 1024 * 1024) })));
      expect(error).toMatchObject({ code: 'XKodoStorageFull', status: 507 });
      expect(error.message).toMatch(/Free space|add disks/);
      expect(await failure(client.send(new HeadObjectCommand({ Bucket: 'full', Key: 'too-big' })))).toMatchObject({ status: 404 });
      await client.send(new PutObjectCommand({ Bucket: 'full', Key: 'small', Body: 'fits' }));
    } finally {
      await s3.close();
    }
  });
});
