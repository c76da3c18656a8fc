/**
 * The Kodo server process's own parts, in-process over six temp-dir "disks": the control socket
 * (what the agent forwards service-call.v1 to), init with its refusals, access keys that the S3
 * API honours at once (created, scoped, revoked), bucket settings, the object browser's listing,
 * and the metrics the agent reads. The service under the agent, on a testbed machine, is
 * kodo-service-testbed.test.ts.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { CreateBucketCommand, GetObjectCommand, ListBucketsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KodoConfigSchema } from '../../agents/protocol/services/kodo';
import { KODO_CONTROL_SOCKET, KODO_HEALTH_PATH } from '../../agents/services/kodo/module';
import { startKodoServer, type KodoServer } from '../../agents/services/kodo/server/kodo-server';
import { makeTempDir } from '../helpers/temp-dir';

type Answer = { status: number; body: { result?: Record<string, unknown>; error?: { code: string; message: string } } };

describe('the Kodo server: control socket, keys, S3 on the same store', () => {
  const work = makeTempDir('kodo-server');
  const disks = Array.from({ length: 6 }, (_, i) => path.join(work.dir, `d${i}`));
  const stateDir = path.join(work.dir, 'state');
  let server: KodoServer;
  const logs: string[] = [];

  const control = (method: string, params: unknown = {}): Promise<Answer> =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(params);
      const req = http.request({ socketPath: path.join(stateDir, KODO_CONTROL_SOCKET), path: `/control/${method}`, method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'] }));
      });
      req.on('error', reject);
      req.end(data);
    });
  const s3 = (accessKeyId: string, secretAccessKey: string) =>
    new S3Client({ endpoint: `http://127.0.0.1:${server.ports.s3}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey } });

  beforeAll(async () => {
    for (const d of disks) fs.mkdirSync(d, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    server = await startKodoServer({ stateDir, disks, config: KodoConfigSchema.parse({ listenAddress: '127.0.0.1' }), ports: { s3: 0, qiniu: 0 }, log: (event, fields) => logs.push(JSON.stringify({ event, ...fields })) });
  });
  afterAll(async () => {
    await server?.close();
    work.cleanup();
  });

  it('serves before init: healthy, says it is not initialized, and S3 answers 503 XKodoNotInitialized', async () => {
    const health = await fetch(`http://127.0.0.1:${server.ports.s3}${KODO_HEALTH_PATH}`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ ok: true, initialized: false });
    const s3Answer = await fetch(`http://127.0.0.1:${server.ports.s3}/photos/a.jpg`);
    expect(s3Answer.status).toBe(503);
    expect(await s3Answer.text()).toContain('<Code>XKodoNotInitialized</Code>');
    const status = await control('status.v1');
    expect(status.body.result).toMatchObject({ initialized: false, layout: null, dataDisks: disks, problem: null });
    const keys = await control('keys-create.v1', {});
    expect(keys.body.error?.code).toBe('kodo.not-initialized');
  });

  it('refuses a layout that does not fit the disks, and anything malformed, before touching a disk', async () => {
    const wrong = await control('init.v1', { layout: { k: 20, m: 2 } });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ code: 'kodo.layout-needs-disks' });
    expect(wrong.body.error?.message).toMatch(/needs exactly 22 data disks; this appliance has 6/);
    expect((await control('init.v1', { layout: { k: 'four' } })).body.error?.code).toBe('kodo.invalid-params');
    expect((await control('no-such.v1')).status).toBe(404);
    for (const d of disks) expect(fs.readdirSync(d)).toEqual([]);
  });

  it('init formats the set once; a second init with another layout is refused', async () => {
    const init = await control('init.v1', { layout: { k: 4, m: 2 } });
    expect(init.body.result).toMatchObject({ layout: { k: 4, m: 2 }, disks: 6 });
    const again = await control('init.v1', { layout: { k: 3, m: 3 } });
    expect(again.body.error?.code).toBe('kodo.already-initialized');
    const status = await control('status.v1');
    expect(status.body.result).toMatchObject({ initialized: true, layout: { k: 4, m: 2 } });
    expect((status.body.result!.disks as unknown[]).length).toBe(6);
  });

  it('a created key works for S3 at once; scoped keys see and write only their bucket; a revoked key is refused', async () => {
    const admin = (await control('keys-create.v1', { description: 'ops' })).body.result as { key: { accessKeyId: string }; secretKey: string };
    expect(admin.key.accessKeyId).toMatch(/^KODO[A-Z2-7]{16}$/);
    const client = s3(admin.key.accessKeyId, admin.secretKey);
    await client.send(new CreateBucketCommand({ Bucket: 'media' }));
    await client.send(new CreateBucketCommand({ Bucket: 'other' }));
    await client.send(new PutObjectCommand({ Bucket: 'media', Key: 'clips/a.txt', Body: 'hello kodo' }));

    const ro = (await control('keys-create.v1', { bucket: 'media', access: 'read-only' })).body.result as { key: { accessKeyId: string }; secretKey: string };
    const reader = s3(ro.key.accessKeyId, ro.secretKey);
    const got = await reader.send(new GetObjectCommand({ Bucket: 'media', Key: 'clips/a.txt' }));
    expect(await got.Body!.transformToString()).toBe('hello kodo');
    await expect(reader.send(new PutObjectCommand({ Bucket: 'media', Key: 'x', Body: 'no' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    await expect(reader.send(new GetObjectCommand({ Bucket: 'other', Key: 'x' }))).rejects.toMatchObject({ name: 'AccessDenied' });
    expect((await reader.send(new ListBucketsCommand({}))).Buckets?.map((b) => b.Name)).toEqual(['media']);

    // The secret is returned once: never listed, never in the logs.
    const listed = (await control('keys-list.v1')).body.result as { keys: Record<string, unknown>[] };
    expect(listed.keys).toHaveLength(2);
    expect(JSON.stringify(listed)).not.toContain(admin.secretKey);
    expect(logs.join('\n')).not.toContain(admin.secretKey);
    expect((fs.statSync(path.join(stateDir, 'keys.json')).mode & 0o777).toString(8)).toBe('600');

    expect((await control('keys-revoke.v1', { accessKeyId: ro.key.accessKeyId })).body.result).toEqual({ revoked: true });
    await expect(reader.send(new GetObjectCommand({ Bucket: 'media', Key: 'clips/a.txt' }))).rejects.toMatchObject({ name: 'InvalidAccessKeyId' });
  });

  it('buckets and the object browser through the control socket', async () => {
    expect((await control('bucket-create.v1', { name: 'public-assets', publicRead: true })).body.result).toEqual({ name: 'public-assets' });
    const page = (await control('objects-list.v1', { bucket: 'media', prefix: '' })).body.result as { objects: unknown[]; commonPrefixes: string[] };
    expect(page).toMatchObject({ objects: [], commonPrefixes: ['clips/'], nextContinuationToken: null });
    const inside = (await control('objects-list.v1', { bucket: 'media', prefix: 'clips/' })).body.result as { objects: { key: string; size: number }[] };
    expect(inside.objects).toEqual([expect.objectContaining({ key: 'clips/a.txt', size: 10 })]);
    expect((await control('bucket-delete.v1', { name: 'media' })).body.error?.code).toBe('kodo.bucket-not-empty');
    expect((await control('object-delete.v1', { bucket: 'media', key: 'clips/a.txt' })).body.result).toEqual({ deleted: true });
    expect((await control('bucket-delete.v1', { name: 'media' })).body.result).toEqual({ deleted: true });
    const buckets = ((await control('status.v1')).body.result as { buckets: { name: string; publicRead: boolean }[] }).buckets;
    expect(buckets.map((b) => [b.name, b.publicRead])).toEqual([
      ['other', false],
      ['public-assets', true],
    ]);
  });

  it('presigns GET and PUT links with its own link key: they work without credentials, and revoking the key voids them', async () => {
    const address = '127.0.0.1';
    const put = (await control('object-presign.v1', { bucket: 'other', key: 'shared/report 1.pdf', method: 'PUT', expiresSeconds: 600, address })).body.result as { url: string; accessKeyId: string };
    expect(put.url).toMatch(/X-Amz-Signature=[0-9a-f]{64}/);
    expect((await fetch(put.url, { method: 'PUT', body: 'pdf bytes' })).status).toBe(200);
    // An upload link cannot be turned into a copy of another object by an unsigned header.
    const hijack = await fetch(put.url, { method: 'PUT', headers: { 'x-amz-copy-source': '/other/secret.txt' } });
    expect(hijack.status).toBe(403);
    expect(await hijack.text()).toMatch(/HeadersNotSigned.*x-amz-copy-source/s);
    // A key a URL cannot carry as it is ("..") gets no link; the link key's name is Kodo's own.
    expect((await control('object-presign.v1', { bucket: 'other', key: 'a/../b', address })).body.error?.code).toBe('kodo.key-not-linkable');
    expect((await control('keys-create.v1', { description: 'Presigned links (object browser)' })).body.error?.code).toBe('kodo.reserved-description');
    const get = (await control('object-presign.v1', { bucket: 'other', key: 'shared/report 1.pdf', address })).body.result as { url: string; accessKeyId: string; expiresAt: string };
    expect(get.accessKeyId).toBe(put.accessKeyId);
    expect(Date.parse(get.expiresAt) - Date.now()).toBeGreaterThan(3500_000);
    expect(await (await fetch(get.url)).text()).toBe('pdf bytes');
    const keys = ((await control('keys-list.v1')).body.result as { keys: { accessKeyId: string; description: string }[] }).keys;
    expect(keys.find((k) => k.accessKeyId === get.accessKeyId)?.description).toMatch(/Presigned links/);
    expect((await control('object-presign.v1', { bucket: 'nope', key: 'x', address })).body.error?.code).toBe('kodo.no-such-bucket');
    await control('keys-revoke.v1', { accessKeyId: get.accessKeyId });
    expect((await fetch(get.url)).status).toBe(403);
    // The next link gets a new link key.
    const again = (await control('object-presign.v1', { bucket: 'other', key: 'shared/report 1.pdf', address })).body.result as { url: string; accessKeyId: string };
    expect(again.accessKeyId).not.toBe(get.accessKeyId);
    expect((await fetch(again.url)).status).toBe(200);
  });

  it('reports its request figures for the agent', async () => {
    const answer = await new Promise<{ metrics: { metric: string; value: number }[] }>((resolve, reject) => {
      http
        .get({ socketPath: path.join(stateDir, KODO_CONTROL_SOCKET), path: '/metrics' }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as { metrics: { metric: string; value: number }[] }));
        })
        .on('error', reject);
    });
    const value = (name: string) => answer.metrics.find((m) => m.metric === name)?.value;
    expect(value('requests_total')).toBeGreaterThanOrEqual(8);
    expect(value('client_errors_total')).toBeGreaterThanOrEqual(3); // the refused reads and writes above
    expect(value('bytes_in_total')).toBeGreaterThanOrEqual(10);
    expect(value('disks_online')).toBe(6);
    expect(value('initialized')).toBe(1);
  });
});

describe('a store that cannot open', () => {
  const work = makeTempDir('kodo-server-problem');
  const disks = Array.from({ length: 3 }, (_, i) => path.join(work.dir, `d${i}`));
  const aside = path.join(work.dir, 'aside');
  const stateDir = path.join(work.dir, 'state');
  afterAll(() => work.cleanup());

  it('says why, keeps serving, and opens once a person puts the disks back and asks for a rescan', async () => {
    for (const d of [...disks, aside, stateDir]) fs.mkdirSync(d, { recursive: true });
    const start = () => startKodoServer({ stateDir, disks, config: KodoConfigSchema.parse({ listenAddress: '127.0.0.1' }), ports: { s3: 0, qiniu: 0 }, log: () => undefined });
    const first = await start();
    const call = (method: string, params: unknown = {}) =>
      new Promise<Answer>((resolve, reject) => {
        const req = http.request({ socketPath: path.join(stateDir, KODO_CONTROL_SOCKET), path: `/control/${method}`, method: 'POST' }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Answer['body'] }));
        });
        req.on('error', reject);
        req.end(JSON.stringify(params));
      });
    expect((await call('init.v1', { layout: { k: 2, m: 1 } })).status).toBe(200);
    await first.close();
    // Two of the three disks' contents taken away (as disks not mounted yet): below the read quorum.
    for (const d of disks.slice(1)) fs.renameSync(d, path.join(aside, path.basename(d)));
    for (const d of disks.slice(1)) fs.mkdirSync(d);
    const second = await start();
    try {
      const status = (await call('status.v1')).body.result as { initialized: boolean; problem: string | null };
      expect(status.initialized).toBe(true);
      expect(status.problem).toMatch(/.+/);
      expect((await call('keys-list.v1')).status).toBe(200);
      expect((await call('keys-create.v1', {})).body.error?.code).toBe('kodo.store-unavailable');
      expect((await call('init.v1', { layout: { k: 2, m: 1 } })).body.error?.code).toBe('kodo.already-initialized');
      for (const d of disks.slice(1)) {
        fs.rmSync(d, { recursive: true });
        fs.renameSync(path.join(aside, path.basename(d)), d);
      }
      expect((await call('heal.v1', { rescanDisks: true })).status).toBe(200);
      expect((await call('status.v1')).body.result).toMatchObject({ problem: null, layout: { k: 2, m: 1 } });
    } finally {
      await second.close();
    }
  });
});
