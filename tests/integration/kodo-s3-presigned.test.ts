import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';

/**
 * Presigned URLs from @aws-sdk/s3-request-presigner, used with plain fetch (no SDK on the wire):
 * GET and PUT work within their expiry, with the response-* overrides a signed URL may carry; an
 * expired one, or one whose query was tampered with, is 403.
 */

let s3: KodoS3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startKodoS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: 'presigned' }));
});
afterAll(async () => {
  await s3?.close();
});

it('GETs an object through a presigned URL, with response-* overrides', async () => {
  await client.send(new PutObjectCommand({ Bucket: 'presigned', Key: 'dir/file name.txt', Body: 'shared', ContentType: 'text/plain' }));
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'presigned', Key: 'dir/file name.txt', ResponseContentDisposition: 'attachment; filename="x.txt"' }), { expiresIn: 300 });
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(await res.text()).toBe('shared');
  expect(res.headers.get('content-disposition')).toBe('attachment; filename="x.txt"');
});

it('PUTs an object through a presigned URL', async () => {
  const url = await getSignedUrl(client, new PutObjectCommand({ Bucket: 'presigned', Key: 'uploaded.bin' }), { expiresIn: 300 });
  const res = await fetch(url, { method: 'PUT', body: 'from a browser' });
  expect(res.status).toBe(200);
  expect(res.headers.get('etag')).toMatch(/^"[0-9a-f]{32}"$/);
  const got = await client.send(new GetObjectCommand({ Bucket: 'presigned', Key: 'uploaded.bin' }));
  expect(await got.Body!.transformToString()).toBe('from a browser');
});

it('refuses an expired presigned URL with 403 AccessDenied, and a tampered one', async () => {
  const url = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'presigned', Key: 'uploaded.bin' }), { expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) });
  const expired = await fetch(url);
  expect(expired.status).toBe(403);
  const text = await expired.text();
  expect(text).toContain('<Code>AccessDenied</Code>');
  expect(text).toMatch(/expired/i);

  const fresh = await getSignedUrl(client, new GetObjectCommand({ Bucket: 'presigned', Key: 'uploaded.bin' }), { expiresIn: 300 });
  const tampered = await fetch(fresh.replace('uploaded.bin', 'dir/file%20name.txt'));
  expect(tampered.status).toBe(403);
  expect(await tampered.text()).toContain('<Code>SignatureDoesNotMatch</Code>');
});
