import net from 'node:net';
import { CreateBucketCommand, HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';

/**
 * Whatever arrives, Kodo's S3 handler answers with S3's XML error (or Node's own 4xx for what
 * never reaches it), never crashes, never leaves a promise rejected: request lines and headers
 * written byte by byte on a socket, and signed requests with nonsense in every field the handler
 * reads.
 */

let s3: KodoS3Server;
let client: S3Client;

beforeAll(async () => {
  s3 = await startKodoS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: 'sturdy' }));
});
afterAll(async () => {
  await s3?.close();
});

/** Writes `text` on a fresh connection and reads until the server closes it or answers in full. */
function onSocket(text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(s3.port, '127.0.0.1', () => socket.end(text));
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('close', () => resolve(Buffer.concat(chunks).toString('latin1')));
    socket.on('error', reject);
  });
}

const statusOf = (answer: string) => Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1] ?? 0);

it('answers request lines that are not S3 requests', async () => {
  const cases: [string, number][] = [
    ['OPTIONS * HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['GET http://elsewhere/sturdy/k HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['GET /sturdy/k HTTP/1.1\r\nConnection: close\r\n\r\n', 400], // HTTP/1.1 without Host: Node's own 400
    ['BREW /sturdy HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400],
    ['GET /sturdy/%C0%AF HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', 400], // overlong UTF-8: InvalidURI
    ['PUT /sturdy/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n', 400],
  ];
  for (const [request, status] of cases) {
    const answer = await onSocket(request);
    expect(statusOf(answer), request.split('\r\n')[0]).toBe(status);
  }
});

it('answers nonsense in the fields it reads with S3 errors, never a 500', async () => {
  const cases: { method: string; path: string; headers?: Record<string, string>; key?: null; body?: string }[] = [
    { method: 'GET', path: '/sturdy/k', key: null, headers: { authorization: 'AWS4-HMAC-SHA256 garbage' } },
    { method: 'GET', path: '/sturdy/k', key: null, headers: { authorization: 'Bearer x' } },
    { method: 'GET', path: '/sturdy/k?X-Amz-Credential=%FF&X-Amz-Signature=1', key: null },
    { method: 'GET', path: '/sturdy?list-type=2&prefix=%FF%FE', key: null },
    { method: 'GET', path: '/sturdy?list-type=2&prefix=%C3%A9&max-keys=99999999999999999999' },
    { method: 'GET', path: '/sturdy?list-type=2&continuation-token=%00%01' },
    { method: 'PUT', path: '/sturdy/c', headers: { 'x-amz-copy-source': '%%%' } },
    { method: 'PUT', path: '/sturdy/c', headers: { 'x-amz-copy-source': 'sturdy/k', 'x-amz-metadata-directive': 'MERGE' } },
    { method: 'PUT', path: '/sturdy/c', headers: { 'x-amz-copy-source': 'sturdy/' + 'k'.repeat(2000) } },
    { method: 'PUT', path: '/sturdy/m', headers: { 'content-md5': 'not base64!' }, body: 'x' },
    { method: 'PUT', path: '/sturdy/m', headers: { 'x-amz-checksum-crc32': '????' }, body: 'x' },
    { method: 'PUT', path: '/sturdy?acl', headers: { 'x-amz-acl': 'everyone' } },
    { method: 'PUT', path: '/sturdy?acl', body: '<AccessControlPolicy/>' },
    { method: 'POST', path: '/sturdy?delete', headers: { 'content-md5': '1B2M2Y8AsgTpgAmY7PhCfg==' }, body: '' },
    { method: 'GET', path: '/sturdy/k', headers: { range: 'bytes=99999999999999999999999-' } },
    { method: 'GET', path: '/sturdy/k', headers: { 'if-modified-since': 'not a date', 'if-match': '' } },
  ];
  for (const c of cases) {
    const r = await s3.raw(c);
    const what = `${c.method} ${c.path.slice(0, 80)} ${JSON.stringify(c.headers ?? {}).slice(0, 80)}`;
    expect(r.status, what).toBeGreaterThanOrEqual(400);
    expect([500, 502, 503], what).not.toContain(r.status); // 501 NotImplemented is an answer
    expect(r.body, what).toMatch(/<Error><Code>[A-Za-z]+<\/Code>/);
  }
  // A start-after longer than any key is no error: nothing comes after it.
  expect((await s3.raw({ method: 'GET', path: `/sturdy?list-type=2&start-after=${'z'.repeat(2000)}` })).status).toBe(200);
  expect(s3.logs.filter((l) => l.event === 's3.internal-error' || l.event === 's3.unhandled')).toEqual([]);
  expect((await client.send(new HeadBucketCommand({ Bucket: 'sturdy' }))).$metadata.httpStatusCode).toBe(200);
});
