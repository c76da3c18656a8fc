import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import qiniu from 'qiniu';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQiniuTestServer, testKey, type QiniuTestServer } from '../helpers/kodo-qiniu-server';
import { until } from '../helpers/wait-until';

/**
 * The edges of Kodo's Qiniu API: the older QBox management signature, X-Qiniu-Date against a
 * server clock an hour ahead (the clock is the handler's `now`, faked, never slept on), and a
 * client that disconnects in the middle of a form upload (nothing stored, nothing left in the
 * disks' temp dirs, the server still answering).
 */

const AK = 'KODOTESTSIGNING00001';
const SK = 'signing-test-secret-00000000000000000001';
const BUCKET = 'docs';
const HOUR = 3600_000;

let server: QiniuTestServer;
let ahead: QiniuTestServer;
let mac: qiniu.auth.digest.Mac;
const configFor = (s: QiniuTestServer) => new qiniu.conf.Config({ zone: new qiniu.conf.Zone([s.host], [], s.host, s.host, s.host, s.host), useHttpsDomain: false });
const token = (policy: Record<string, unknown> = {}) => new qiniu.rs.PutPolicy({ scope: BUCKET, ...policy } as qiniu.rs.PutPolicyOptions).uploadToken(mac);

beforeAll(async () => {
  server = await startQiniuTestServer({ keys: [testKey(AK, SK)], buckets: [BUCKET] });
  ahead = await startQiniuTestServer({ keys: [testKey(AK, SK)], buckets: [BUCKET], now: () => new Date(Date.now() + HOUR) });
  mac = new qiniu.auth.digest.Mac(AK, SK);
  const put = await new qiniu.form_up.FormUploader(configFor(server)).put(token(), 'a.txt', Buffer.from('hello'), null);
  expect(put.resp.statusCode).toBe(200);
});

afterAll(async () => {
  await server?.close();
  await ahead?.close();
});

describe('signatures and clocks', () => {
  it('accepts QBox-signed management requests and refuses a wrong QBox signature', async () => {
    const url = `http://${server.host}${qiniu.rs.statOp(BUCKET, 'a.txt')}`;
    const signed = await fetch(url, { method: 'POST', headers: { Authorization: qiniu.util.generateAccessToken(mac, url), 'Content-Type': 'application/x-www-form-urlencoded' } });
    expect(signed.status).toBe(200);
    expect(((await signed.json()) as { fsize: number }).fsize).toBe(5);
    const forged = await fetch(url, { method: 'POST', headers: { Authorization: qiniu.util.generateAccessToken(new qiniu.auth.digest.Mac(AK, 'wrong'), url) } });
    expect(forged.status).toBe(401);
  });

  it('refuses X-Qiniu-Date an hour off the server clock (403), and tokens by the server clock', async () => {
    const skewed = await new qiniu.rs.BucketManager(mac, configFor(ahead)).stat(BUCKET, 'a.txt');
    expect(skewed.resp.statusCode).toBe(403);
    expect((skewed.data as { error: string }).error).toBe('request time skewed');
    // Without the signed date the same request passes (the SDK's disableQiniuTimestampSignature)…
    const undated = await new qiniu.rs.BucketManager(new qiniu.auth.digest.Mac(AK, SK, { disableQiniuTimestampSignature: true }), configFor(ahead)).stat(BUCKET, 'a.txt');
    expect(undated.resp.statusCode).toBe(612);
    // …and an upload token valid for ten minutes by the client's clock has expired by the server's.
    const late = await new qiniu.form_up.FormUploader(configFor(ahead)).put(token({ expires: 600 }), 'late.txt', Buffer.from('x'), null);
    expect(late.resp.statusCode).toBe(401);
    expect((late.data as { error: string }).error).toBe('expired token');
  });
});

describe('a client gone mid-upload', () => {
  it('stores nothing, leaves no temp files, and the server keeps answering', async () => {
    const boundary = 'kodo-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="token"\r\n\r\n${token()}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="key"\r\n\r\ncut.bin\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const before = server.observations.length;
    await new Promise<void>((resolve) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, method: 'POST', path: '/', headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': head.length + 8 * 1024 * 1024 } });
      req.on('error', () => resolve());
      req.write(head);
      // Three MiB of the promised eight (more than a stripe, so the store has begun writing), then the connection goes.
      req.write(randomBytes(3 * 1024 * 1024), () => {
        req.destroy();
        resolve();
      });
    });
    await until('the interrupted upload to be answered', async () => server.observations.slice(before), (seen) => seen.some((o) => o.operation === 'form-upload' && o.status === 499));
    const stat = await new qiniu.rs.BucketManager(mac, configFor(server)).stat(BUCKET, 'cut.bin');
    expect(stat.resp.statusCode).toBe(612);
    const leftovers = await until('the temp dirs to be empty', async () => server.disks.flatMap((disk) => fs.readdirSync(path.join(disk, '.kodo', 'tmp'))), (names) => names.length === 0);
    expect(leftovers).toEqual([]);
    const after = await new qiniu.form_up.FormUploader(configFor(server)).put(token(), 'after.txt', Buffer.from('still here'), null);
    expect(after.resp.statusCode).toBe(200);
  });
});
