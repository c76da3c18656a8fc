/**
 * The object browser's uploads and downloads through the console (kodo.beginUpload / uploadChunk /
 * beginDownload / downloadChunk / cancelTransfer), end to end below the UI: the real dispatcher
 * and Kodo service, the REAL Kodo server in-process over six temp-dir disks (its control socket
 * reached through the agent's own service-call forwarding, its S3 port over a plain TCP connection
 * where the console would tunnel through SSH: that tunnel is tcp-link.test.ts), and the AWS SDK
 * reading back what the console stored. Multipart uploads are made with 5 MiB parts here.
 */
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { GetObjectCommand, HeadObjectCommand, ListMultipartUploadsCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callServiceControl } from '../../agents/agent/services/service-call';
import { ServiceCallParamsSchema } from '../../agents/protocol/payloads/services';
import { KODO_CONTROL_METHODS, KodoConfigSchema } from '../../agents/protocol/services/kodo';
import { KODO_CONTROL_SOCKET } from '../../agents/services/kodo/module';
import { startKodoServer, type KodoServer } from '../../agents/services/kodo/server/kodo-server';
import type { ServiceContext } from '../../agents/services/service-module';
import type { AgentClient } from '../../agents/client/agent-client';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { makeTempDir } from '../helpers/temp-dir';

const MiB = 1024 * 1024;

describe('uploads and downloads through the console reach the real Kodo and come back byte-identical', () => {
  const work = makeTempDir('kodo-transfers');
  const disks = Array.from({ length: 6 }, (_, i) => path.join(work.dir, `d${i}`));
  const stateDir = path.join(work.dir, 'state');
  let server: KodoServer;
  let c: ReturnType<typeof makeConsole>;
  let applianceId: string;
  let s3: S3Client;
  /** Connections the console opened to the S3 port (each S3 request is one). */
  let tcpOpened = 0;

  async function call<T>(method: string, input: Record<string, unknown>): Promise<T> {
    const r = await c.dispatcher.call(method as 'kodo.status', input as never, CTX);
    if (!r.ok) throw Object.assign(new Error(r.error.message), { body: r.error });
    return r.result as T;
  }
  async function refusal(method: string, input: Record<string, unknown>) {
    const r = await c.dispatcher.call(method as 'kodo.status', input as never, CTX);
    if (r.ok) throw new Error(`${method} was not refused`);
    return r.error;
  }

  /** Uploads `body` as the page does: begin, then chunks of the size the console asks for. */
  async function upload(bucket: string, key: string, body: Buffer, opts: { stopAfter?: number; contentType?: string } = {}) {
    const begun = await call<{ transferId: string; chunkBytes: number; parts: number }>('kodo.beginUpload', { applianceId, bucket, key, size: body.length, contentType: opts.contentType ?? 'application/octet-stream' });
    let last: { received: number; done: boolean; etag: string | null } = { received: 0, done: false, etag: null };
    let offset = 0;
    do {
      if (opts.stopAfter !== undefined && offset >= opts.stopAfter) return { ...begun, last };
      const data = body.subarray(offset, offset + begun.chunkBytes);
      last = await call('kodo.uploadChunk', { transferId: begun.transferId, offset, data: data.toString('base64') });
      offset += data.length;
      expect(last.received).toBe(offset);
    } while (!last.done);
    return { ...begun, last };
  }

  async function download(bucket: string, key: string) {
    const begun = await call<{ transferId: string; size: number; contentType: string; etag: string }>('kodo.beginDownload', { applianceId, bucket, key });
    const chunks: Buffer[] = [];
    let offset = 0;
    for (;;) {
      const chunk = await call<{ offset: number; data: string; done: boolean }>('kodo.downloadChunk', { transferId: begun.transferId, offset });
      const bytes = Buffer.from(chunk.data, 'base64');
      chunks.push(bytes);
      offset += bytes.length;
      if (chunk.done) break;
    }
    return { ...begun, body: Buffer.concat(chunks) };
  }

  const sdkBody = async (bucket: string, key: string) => Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body!.transformToByteArray());
  const md5 = (b: Buffer) => createHash('md5').update(b).digest('hex');
  const pendingUploads = async (bucket: string) => (await s3.send(new ListMultipartUploadsCommand({ Bucket: bucket }))).Uploads ?? [];

  beforeAll(async () => {
    for (const d of disks) fs.mkdirSync(d, { recursive: true });
    fs.mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    server = await startKodoServer({ stateDir, disks, config: KodoConfigSchema.parse({ listenAddress: '127.0.0.1' }), ports: { s3: 0, qiniu: 0 }, log: () => undefined });
    c = makeConsole('kodo-transfers-console', undefined, true, undefined, { kodoTransferLimits: { singlePutMaxBytes: 6 * MiB, partBytes: 5 * MiB, idleMs: 1500 } });
    const added = await c.dispatcher.call('fleet.add', { name: 'store-1', address: '127.0.0.1' }, CTX);
    if (!added.ok) throw new Error(added.error.message);
    applianceId = (added.result as { id: string }).id;
    const ctx = { dataDir: stateDir } as ServiceContext;
    const agent = {
      call: async (_method: string, params: unknown) => {
        const p = ServiceCallParamsSchema.parse(params);
        return callServiceControl({ serviceId: p.service, control: { methods: KODO_CONTROL_METHODS, socket: () => path.join(stateDir, KODO_CONTROL_SOCKET) }, config: {}, ctx, method: p.method, params: p.params });
      },
    } as unknown as AgentClient;
    c.reach.withAgent = async (_id, fn) => fn(agent);
    c.reach.tcp = (_id, port) =>
      new Promise((resolve, reject) => {
        tcpOpened++;
        const socket = net.connect({ host: '127.0.0.1', port }, () => resolve(socket));
        socket.once('error', reject);
      });
    await call('kodo.init', { applianceId, layout: { k: 4, m: 2 } });
    await call('kodo.createBucket', { applianceId, name: 'media' });
    const key = await call<{ key: { accessKeyId: string }; secretKey: string }>('kodo.createKey', { applianceId });
    s3 = new S3Client({ endpoint: `http://127.0.0.1:${server.ports.s3}`, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: key.key.accessKeyId, secretAccessKey: key.secretKey } });
  }, 60_000);

  afterAll(async () => {
    await c?.close();
    s3?.destroy();
    await server?.close();
    work.cleanup();
  });

  it('a file under the single-PUT size is one streamed PUT; the SDK and a console download read it back identical, its type kept', async () => {
    const body = randomBytes(Math.round(1.7 * MiB));
    const up = await upload('media', 'clips/take 1 — 镜头.bin', body, { contentType: 'video/mp2t' });
    expect(up.parts).toBe(1);
    expect(up.last.etag).toBe(md5(body));
    expect(md5(await sdkBody('media', 'clips/take 1 — 镜头.bin'))).toBe(md5(body));
    const down = await download('media', 'clips/take 1 — 镜头.bin');
    expect(down).toMatchObject({ size: body.length, contentType: 'video/mp2t', etag: md5(body) });
    expect(down.body.equals(body)).toBe(true);
  });

  it('a larger file is a multipart upload of 5 MiB parts (ETag -3) and nothing is left pending', async () => {
    const body = randomBytes(12 * MiB + 12_345);
    const up = await upload('media', 'big.bin', body);
    expect(up.parts).toBe(3);
    expect(up.last.etag).toMatch(/^[0-9a-f]{32}-3$/);
    expect((await sdkBody('media', 'big.bin')).equals(body)).toBe(true);
    expect((await download('media', 'big.bin')).body.equals(body)).toBe(true);
    expect(await pendingUploads('media')).toEqual([]);
  });

  it('an empty file is stored as an empty object', async () => {
    const up = await upload('media', 'empty.txt', Buffer.alloc(0), { contentType: 'text/plain' });
    expect(up.last).toMatchObject({ done: true, etag: md5(Buffer.alloc(0)) });
    expect((await s3.send(new HeadObjectCommand({ Bucket: 'media', Key: 'empty.txt' }))).ContentLength).toBe(0);
    expect((await download('media', 'empty.txt')).body.length).toBe(0);
  });

  it('cancelling an upload stores nothing: a new key stays absent, an overwritten one keeps its old bytes, the multipart upload is aborted', async () => {
    const old = Buffer.from('the old version');
    await s3.send(new PutObjectCommand({ Bucket: 'media', Key: 'kept.bin', Body: old }));
    for (const [key, size] of [
      ['kept.bin', 3 * MiB],
      ['never.bin', 3 * MiB],
      ['never-multipart.bin', 11 * MiB],
    ] as const) {
      const up = await upload('media', key, randomBytes(size), { stopAfter: 2 * MiB });
      expect(await call('kodo.cancelTransfer', { transferId: up.transferId })).toEqual({ cancelled: true });
      const gone = await refusal('kodo.uploadChunk', { transferId: up.transferId, offset: 2 * MiB, data: 'AAAA' });
      expect(gone).toMatchObject({ code: 'not-found', params: { reason: 'kodo.transfer-gone' } });
    }
    expect((await sdkBody('media', 'kept.bin')).equals(old)).toBe(true);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'media', Key: 'never.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'media', Key: 'never-multipart.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
    expect(await pendingUploads('media')).toEqual([]);
  });

  it('a chunk at the wrong offset is refused with where to go on, and the upload carries on from there', async () => {
    const body = randomBytes(MiB + 10);
    const begun = await call<{ transferId: string; chunkBytes: number }>('kodo.beginUpload', { applianceId, bucket: 'media', key: 'resync.bin', size: body.length });
    const first = body.subarray(0, begun.chunkBytes).toString('base64');
    await call('kodo.uploadChunk', { transferId: begun.transferId, offset: 0, data: first });
    // The page did not hear the answer and sends the same chunk again.
    const again = await refusal('kodo.uploadChunk', { transferId: begun.transferId, offset: 0, data: first });
    expect(again).toMatchObject({ code: 'invalid-input', params: { reason: 'kodo.transfer-offset', expected: begun.chunkBytes } });
    let offset = begun.chunkBytes;
    let done = false;
    while (!done) {
      const data = body.subarray(offset, offset + begun.chunkBytes);
      done = (await call<{ done: boolean }>('kodo.uploadChunk', { transferId: begun.transferId, offset, data: data.toString('base64') })).done;
      offset += data.length;
    }
    expect((await sdkBody('media', 'resync.bin')).equals(body)).toBe(true);
  });

  it('malformed chunks and oversize claims are refused by the contract before anything is sent', async () => {
    const begun = await call<{ transferId: string }>('kodo.beginUpload', { applianceId, bucket: 'media', key: 'bad.bin', size: 4 });
    expect(await refusal('kodo.uploadChunk', { transferId: begun.transferId, offset: 0, data: 'not base64!' })).toMatchObject({ code: 'invalid-input' });
    expect(await refusal('kodo.uploadChunk', { transferId: begun.transferId, offset: 0, data: Buffer.alloc(8).toString('base64') })).toMatchObject({ code: 'invalid-input', params: { reason: 'kodo.transfer-size' } });
    expect(await refusal('kodo.beginUpload', { applianceId, bucket: 'media', key: 'folder/', size: 1 })).toMatchObject({ code: 'invalid-input' });
    expect(await refusal('kodo.beginUpload', { applianceId, bucket: 'media', key: 'x', size: -1 })).toMatchObject({ code: 'invalid-input' });
    await call('kodo.cancelTransfer', { transferId: begun.transferId });
  });

  it("Kodo's refusals reach the page as reasons it words: no such bucket (single PUT and multipart), no such key", async () => {
    const single = await call<{ transferId: string }>('kodo.beginUpload', { applianceId, bucket: 'no-such-bucket', key: 'a.bin', size: 10 });
    expect(await refusal('kodo.uploadChunk', { transferId: single.transferId, offset: 0, data: Buffer.alloc(10).toString('base64') })).toMatchObject({ code: 'not-found', params: { reason: 'kodo.no-such-bucket' } });
    expect(await refusal('kodo.beginUpload', { applianceId, bucket: 'no-such-bucket', key: 'a.bin', size: 20 * MiB })).toMatchObject({ code: 'not-found', params: { reason: 'kodo.no-such-bucket' } });
    expect(await refusal('kodo.beginDownload', { applianceId, bucket: 'media', key: 'missing.bin' })).toMatchObject({ code: 'not-found', params: { reason: 'kodo.no-such-key' } });
  });

  it('an upload the page abandoned is cancelled after the idle time and its multipart upload aborted; a download too', async () => {
    const up = await upload('media', 'abandoned.bin', randomBytes(11 * MiB), { stopAfter: MiB });
    const begun = await call<{ transferId: string; size: number }>('kodo.beginDownload', { applianceId, bucket: 'media', key: 'big.bin' });
    await call('kodo.downloadChunk', { transferId: begun.transferId, offset: 0 });
    await new Promise((r) => setTimeout(r, 2500));
    expect(await refusal('kodo.uploadChunk', { transferId: up.transferId, offset: MiB, data: 'AAAA' })).toMatchObject({ params: { reason: 'kodo.transfer-gone' } });
    expect(await refusal('kodo.downloadChunk', { transferId: begun.transferId, offset: 512 * 1024 })).toMatchObject({ params: { reason: 'kodo.transfer-gone' } });
    expect(await pendingUploads('media')).toEqual([]);
    await expect(s3.send(new HeadObjectCommand({ Bucket: 'media', Key: 'abandoned.bin' }))).rejects.toMatchObject({ name: 'NotFound' });
  });

  it('only starting an upload is audited, once, with its size and not its bytes', async () => {
    const before = tcpOpened;
    await upload('media', 'audited.bin', randomBytes(MiB + 1));
    expect(tcpOpened - before).toBe(1); // one streamed PUT
    const rows = c.db.prepare("SELECT method, input FROM audit_log WHERE method LIKE 'kodo.%load%' OR method LIKE 'kodo.%Chunk' ORDER BY id").all() as { method: string; input: string }[];
    const audited = rows.filter((r) => r.input.includes('audited.bin'));
    expect(audited.map((r) => r.method)).toEqual(['kodo.beginUpload']);
    expect(JSON.parse(audited[0]!.input)).toMatchObject({ bucket: 'media', key: 'audited.bin', size: MiB + 1 });
  });
});
