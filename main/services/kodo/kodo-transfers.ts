import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { Duplex } from 'node:stream';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { ApiError } from '../../contract/errors';
import type { Logger } from '../../core/log';
import { KODO_REFUSALS } from './kodo-control';

/**
 * The object browser's uploads and downloads, through the console (issue 9 §4): the renderer sends
 * or fetches a file in chunks over the one contract (`kodo.uploadChunk`, `kodo.downloadChunk`),
 * so both hosts (Electron IPC, the headless host's JSON calls) carry it alike and the page shows
 * progress and can cancel between any two chunks. This service turns the chunks into S3 requests
 * to the appliance's Kodo over a TCP channel the reach module opens (tunnelled through the pooled
 * SSH connection), each request presigned ON THE MACHINE with Kodo's link key (`presign`): the
 * console holds no Kodo secret.
 *
 * - An upload of up to `singlePutMaxBytes` is one streamed PUT; a larger one a multipart upload
 *   (parts of `partBytes`, more when 10,000 would not hold the file), each part's PUT streamed as
 *   its chunks arrive. Memory: one chunk per transfer. A cancelled, failed or abandoned upload
 *   (no chunk for `idleMs`) ends its request mid-body and aborts the multipart upload: Kodo keeps
 *   no partial object either way (a PUT that does not reach its Content-Length is never committed).
 * - A download is one GET whose body is read a chunk per call (the socket is paused between calls,
 *   so a slow page holds one chunk here, not the file).
 */

/** Bytes per chunk: base64 of 512 KiB is 683 KiB, under the headless host's 1 MiB request limit. */
export const TRANSFER_CHUNK_BYTES = 512 * 1024;
const MAX_PARTS = 10_000;
const MiB = 1024 * 1024;

export interface KodoTransferLimits {
  /** Above this, a multipart upload (S3's one-PUT limit is 5 GiB; parts retry nothing but spread the work). */
  singlePutMaxBytes: number;
  partBytes: number;
  /** A transfer no chunk call touched for this long is cancelled (the page was closed). */
  idleMs: number;
  /** Transfers open at once, console-wide. */
  maxOpen: number;
}

export const DEFAULT_TRANSFER_LIMITS: KodoTransferLimits = { singlePutMaxBytes: 64 * MiB, partBytes: 16 * MiB, idleMs: 120_000, maxOpen: 16 };

type MultipartStep = { action: 'create' } | { action: 'part'; uploadId: string; partNumber: number } | { action: 'complete'; uploadId: string } | { action: 'abort'; uploadId: string };

export interface KodoTransfersDeps {
  requireAppliance(applianceId: string): { name: string };
  /** A presigned URL from Kodo on the machine (object-presign.v1). */
  presign(applianceId: string, input: { bucket: string; key: string; method: 'GET' | 'PUT'; multipart?: MultipartStep }): Promise<{ url: string }>;
  /** A connection to a port of the machine (reach.tcp). */
  openTcp(applianceId: string, port: number): Promise<Duplex>;
  log: Logger;
  limits?: Partial<KodoTransferLimits>;
}

interface S3Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

interface Part {
  number: number;
  start: number;
  end: number;
}

/** What every transfer has: the object, who it is on, and its one-call-at-a-time and idle state. */
interface TransferBase {
  id: string;
  applianceId: string;
  name: string;
  bucket: string;
  key: string;
  size: number;
  /** One chunk at a time: a second call waits for the first. */
  busy: Promise<unknown>;
  timer: NodeJS.Timeout;
  closed: boolean;
}

interface Upload extends TransferBase {
  kind: 'upload';
  contentType: string;
  received: number;
  parts: Part[];
  /** The multipart upload's id; null for a single PUT. */
  uploadId: string | null;
  etags: string[];
  /** The request the next bytes go into, and its answer. */
  current: { part: Part; req: http.ClientRequest; answer: Promise<S3Answer>; early: S3Answer | null } | null;
}

interface Download extends TransferBase {
  kind: 'download';
  sent: number;
  res: http.IncomingMessage;
}

/** S3 error codes Kodo answers, as the console's reasons (status.reason.kodo.*). */
const S3_REASONS: Record<string, keyof typeof KODO_REFUSALS | 'kodo.not-initialized'> = {
  NoSuchBucket: 'kodo.no-such-bucket',
  NoSuchKey: 'kodo.no-such-key',
  XKodoStorageFull: 'kodo.storage-full',
  XKodoReadQuorum: 'kodo.read-quorum',
  XKodoWriteQuorum: 'kodo.write-quorum',
  XKodoNotInitialized: 'kodo.not-initialized',
  KeyTooLongError: 'kodo.invalid-key',
};

const xmlParser = new XMLParser({ ignoreAttributes: true, parseTagValue: false });
const xmlBuilder = new XMLBuilder({});

export function createKodoTransfers(deps: KodoTransfersDeps) {
  const limits: KodoTransferLimits = { ...DEFAULT_TRANSFER_LIMITS, ...deps.limits };
  const log = deps.log.child('kodo-transfers');
  const open = new Map<string, Upload | Download>();

  /** Parts for a file: one for a single PUT; else equal parts of at least partBytes, at most MAX_PARTS. */
  function planParts(size: number): Part[] {
    if (size <= limits.singlePutMaxBytes) return [{ number: 1, start: 0, end: size }];
    const partBytes = Math.max(limits.partBytes, Math.ceil(size / MAX_PARTS / MiB) * MiB);
    const parts: Part[] = [];
    for (let start = 0, n = 1; start < size; start += partBytes, n++) parts.push({ number: n, start, end: Math.min(size, start + partBytes) });
    return parts;
  }

  function refusedBy(t: { name: string }, what: string, answer: S3Answer): ApiError {
    let code = `HTTP ${answer.status}`;
    let message = answer.body.slice(0, 300);
    try {
      const error = (xmlParser.parse(answer.body) as { Error?: { Code?: string; Message?: string } }).Error;
      if (error?.Code) code = error.Code;
      if (error?.Message) message = error.Message;
    } catch {
      // not XML: the status and the start of the body say it
    }
    const reason = S3_REASONS[code] ?? 'kodo.refused';
    const apiCode = reason === 'kodo.no-such-bucket' || reason === 'kodo.no-such-key' ? 'not-found' : reason === 'kodo.invalid-key' ? 'invalid-input' : 'conflict';
    return new ApiError(apiCode, `Kodo on ${t.name} refused ${what}: ${code}: ${message}`, { params: { reason, code, detail: message, service: 'kodo' } });
  }

  function lostLink(t: { name: string }, err: unknown): ApiError {
    if (err instanceof ApiError) return err;
    const detail = err instanceof Error ? err.message : String(err);
    return new ApiError('conflict', `The transfer to ${t.name} broke off: ${detail}. Try again.`, { params: { reason: 'kodo.transfer-broken', detail, service: 'kodo' } });
  }

  /** One S3 request over a fresh channel to the machine; the caller writes the body into `req`. */
  async function request(t: { applianceId: string; name: string }, url: string, method: string, headers: Record<string, string | number>): Promise<{ req: http.ClientRequest; answer: Promise<{ res: http.IncomingMessage }> }> {
    const u = new URL(url);
    const socket = await deps.openTcp(t.applianceId, Number(u.port || 80));
    const req = http.request({ method, path: u.pathname + u.search, headers: { host: u.host, ...headers }, createConnection: () => socket as never });
    const answer = new Promise<{ res: http.IncomingMessage }>((resolve, reject) => {
      req.once('response', (res) => resolve({ res }));
      req.once('error', reject);
    });
    answer.catch(() => undefined); // awaited by the caller, perhaps after more writes
    return { req, answer };
  }

  function readAll(res: http.IncomingMessage): Promise<S3Answer> {
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size <= 64 * 1024) chunks.push(c); // an answer here is XML of a few hundred bytes
      });
      res.once('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.once('error', reject);
    });
  }

  async function exchange(t: Upload, step: MultipartStep, body: string): Promise<S3Answer> {
    const { url } = await deps.presign(t.applianceId, { bucket: t.bucket, key: t.key, method: 'PUT', multipart: step });
    const method = step.action === 'abort' ? 'DELETE' : 'POST';
    const headers: Record<string, string | number> = { 'content-length': Buffer.byteLength(body) };
    if (step.action === 'create') headers['content-type'] = t.contentType;
    const { req, answer } = await request(t, url, method, headers);
    req.end(body);
    return readAll((await answer).res);
  }

  async function openPart(t: Upload, part: Part): Promise<void> {
    const single = t.parts.length === 1;
    const { url } = await deps.presign(t.applianceId, { bucket: t.bucket, key: t.key, method: 'PUT', ...(single ? {} : { multipart: { action: 'part', uploadId: t.uploadId!, partNumber: part.number } }) });
    const headers: Record<string, string | number> = { 'content-length': part.end - part.start };
    if (single) headers['content-type'] = t.contentType;
    const { req, answer } = await request(t, url, 'PUT', headers);
    const current: NonNullable<Upload['current']> = { part, req, answer: answer.then(({ res }) => readAll(res)), early: null };
    current.answer.then((a) => (current.early = a), () => undefined);
    t.current = current;
  }

  /**
   * Writes into the part's request. Kodo refuses a body it will not take (a full disk, a lost
   * quorum) by answering before the body ends and closing: that answer, not the broken pipe, is
   * what the person needs to read.
   */
  async function writePart(t: Upload, bytes: Buffer): Promise<void> {
    const current = t.current!;
    const what = t.parts.length === 1 ? `the upload of ${t.key}` : `part ${current.part.number} of ${t.key}`;
    try {
      if (current.early && current.early.status !== 200) throw refusedBy(t, what, current.early);
      await write(current.req, bytes);
    } catch (err) {
      if (err instanceof ApiError) throw err;
      const answer = await Promise.race([current.answer.catch(() => null), new Promise<null>((r) => setTimeout(() => r(null), 2000).unref())]);
      if (answer && answer.status !== 200) throw refusedBy(t, what, answer);
      throw err;
    }
  }

  async function closePart(t: Upload): Promise<string> {
    const current = t.current!;
    current.req.end();
    const answer = await current.answer;
    t.current = null;
    if (answer.status !== 200) throw refusedBy(t, t.parts.length === 1 ? `the upload of ${t.key}` : `part ${current.part.number} of ${t.key}`, answer);
    return String(answer.headers.etag ?? '');
  }

  function write(req: http.ClientRequest, bytes: Buffer): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (err: Error) => reject(err);
      req.once('error', onError);
      const done = () => (req.off('error', onError), resolve());
      if (req.write(bytes)) done();
      else req.once('drain', done);
    });
  }

  function touch(t: Upload | Download) {
    t.timer.refresh();
  }

  async function close(t: Upload | Download, why: string): Promise<void> {
    if (t.closed) return;
    t.closed = true;
    clearTimeout(t.timer);
    open.delete(t.id);
    if (t.kind === 'download') {
      t.res.destroy();
      return;
    }
    t.current?.req.destroy(new Error(why));
    t.current = null;
    if (t.uploadId) {
      const answer = await exchange(t, { action: 'abort', uploadId: t.uploadId }, '').catch((err: unknown) => ({ status: 0, headers: {}, body: String(err) }));
      if (answer.status !== 204 && answer.status !== 404) log.warn('an abandoned multipart upload could not be aborted (Kodo removes it with the bucket; abort it with an S3 client)', { applianceId: t.applianceId, bucket: t.bucket, key: t.key, uploadId: t.uploadId, status: answer.status });
    }
  }

  function take<K extends 'upload' | 'download'>(transferId: string, kind: K): Extract<Upload | Download, { kind: K }> {
    const t = open.get(transferId);
    if (!t || t.kind !== kind) throw new ApiError('not-found', `No ${kind} ${transferId} is open: it finished, was cancelled, or was idle for over ${Math.round(limits.idleMs / 1000)} s. Start it again.`, { params: { reason: 'kodo.transfer-gone' } });
    return t as Extract<Upload | Download, { kind: K }>;
  }

  /** Runs one call of a transfer after the previous one; a failure closes the transfer. */
  function serial<T>(t: Upload | Download, fn: () => Promise<T>): Promise<T> {
    const run = t.busy.then(fn, fn);
    t.busy = run.catch(() => undefined);
    return run.catch(async (err: unknown) => {
      // A chunk at the wrong offset (a retried call the host had taken) leaves the transfer open:
      // the error says where to go on.
      if (err instanceof ApiError && err.code === 'invalid-input') throw err;
      const error = lostLink(t, err);
      await close(t, error.message);
      throw error;
    });
  }

  function roomForOne() {
    if (open.size >= limits.maxOpen) throw new ApiError('conflict', `${limits.maxOpen} transfers are open already: wait for one to finish or cancel one.`, { params: { reason: 'kodo.too-many-transfers', limit: limits.maxOpen } });
  }

  return {
    async beginUpload(input: { applianceId: string; bucket: string; key: string; size: number; contentType: string }): Promise<{ transferId: string; chunkBytes: number; parts: number }> {
      roomForOne();
      const { name } = deps.requireAppliance(input.applianceId);
      const t: Upload = {
        kind: 'upload',
        id: randomUUID(),
        applianceId: input.applianceId,
        name,
        bucket: input.bucket,
        key: input.key,
        size: input.size,
        contentType: input.contentType || 'application/octet-stream',
        received: 0,
        parts: planParts(input.size),
        uploadId: null,
        etags: [],
        current: null,
        busy: Promise.resolve(),
        timer: setTimeout(() => void close(t, 'idle'), limits.idleMs),
        closed: false,
      };
      t.timer.unref();
      open.set(t.id, t);
      try {
        if (t.parts.length > 1) {
          const answer = await exchange(t, { action: 'create' }, '');
          if (answer.status !== 200) throw refusedBy(t, `the upload of ${t.key}`, answer);
          const uploadId = (xmlParser.parse(answer.body) as { InitiateMultipartUploadResult?: { UploadId?: string } }).InitiateMultipartUploadResult?.UploadId;
          if (!uploadId) throw new ApiError('conflict', `Kodo on ${name} answered a multipart upload without its id`, { params: { reason: 'kodo.bad-answer', service: 'kodo' } });
          t.uploadId = uploadId;
          if (t.closed) {
            // Closed (console stopping) while the upload was being created: abort what was made.
            await exchange(t, { action: 'abort', uploadId }, '').catch(() => undefined);
            take(t.id, 'upload'); // throws: the transfer is gone
          }
        }
      } catch (err) {
        const error = lostLink(t, err);
        await close(t, error.message);
        throw error;
      }
      log.info('upload started', { applianceId: t.applianceId, bucket: t.bucket, key: t.key, size: t.size, parts: t.parts.length });
      return { transferId: t.id, chunkBytes: TRANSFER_CHUNK_BYTES, parts: t.parts.length };
    },

    /**
     * The bytes at `offset` (which must be what was received so far). Answers once they are
     * written towards the machine; the last chunk answers when the object is committed.
     */
    async uploadChunk(input: { transferId: string; offset: number; data: string }): Promise<{ received: number; done: boolean; etag: string | null }> {
      const t = take(input.transferId, 'upload');
      touch(t);
      return serial(t, async () => {
        if (t.closed) take(input.transferId, 'upload'); // closed while this call waited: says so
        const bytes = Buffer.from(input.data, 'base64');
        if (input.offset !== t.received) throw new ApiError('invalid-input', `This chunk starts at byte ${input.offset}; the upload has ${t.received} bytes so far. Send the chunk at ${t.received}.`, { params: { reason: 'kodo.transfer-offset', expected: t.received } });
        if (t.received + bytes.length > t.size) throw new ApiError('invalid-input', `The file was announced as ${t.size} bytes; this chunk goes beyond it. Start the upload again.`, { params: { reason: 'kodo.transfer-size', size: t.size } });
        let at = 0;
        // Cancel, the idle timer or a stopping console may close the transfer during any await
        // below: stop there, and end the request short so nothing is stored.
        const stillOpen = () => {
          if (!t.closed) return;
          t.current?.req.destroy(new Error('cancelled'));
          take(input.transferId, 'upload'); // throws: the transfer is gone
        };
        do {
          if (!t.current) {
            await openPart(t, t.parts.find((p) => p.end > t.received || p.end === t.size)!);
            stillOpen();
          }
          const part = t.current!.part;
          const slice = bytes.subarray(at, at + Math.min(bytes.length - at, part.end - t.received));
          if (slice.length) await writePart(t, slice);
          stillOpen();
          at += slice.length;
          t.received += slice.length;
          if (t.received === part.end) {
            t.etags[part.number - 1] = await closePart(t);
            stillOpen();
          }
        } while (at < bytes.length);
        touch(t);
        if (t.received < t.size || (t.size === 0 && t.etags.length === 0)) return { received: t.received, done: false, etag: null };
        let etag = t.etags[0] ?? '';
        if (t.uploadId) {
          const body = xmlBuilder.build({ CompleteMultipartUpload: { Part: t.parts.map((p) => ({ PartNumber: p.number, ETag: t.etags[p.number - 1] })) } }) as string;
          const answer = await exchange(t, { action: 'complete', uploadId: t.uploadId }, body);
          if (answer.status !== 200 || answer.body.includes('<Error>')) throw refusedBy(t, `completing the upload of ${t.key}`, answer);
          etag = String((xmlParser.parse(answer.body) as { CompleteMultipartUploadResult?: { ETag?: string } }).CompleteMultipartUploadResult?.ETag ?? '');
          t.uploadId = null;
        }
        t.closed = true;
        clearTimeout(t.timer);
        open.delete(t.id);
        log.info('upload finished', { applianceId: t.applianceId, bucket: t.bucket, key: t.key, size: t.size });
        return { received: t.received, done: true, etag: etag.replace(/"/g, '') };
      });
    },

    async beginDownload(input: { applianceId: string; bucket: string; key: string }): Promise<{ transferId: string; size: number; contentType: string; etag: string; chunkBytes: number }> {
      roomForOne();
      const { name } = deps.requireAppliance(input.applianceId);
      const who = { applianceId: input.applianceId, name };
      let res: http.IncomingMessage;
      try {
        const { url } = await deps.presign(input.applianceId, { bucket: input.bucket, key: input.key, method: 'GET' });
        const { req, answer } = await request(who, url, 'GET', {});
        req.end();
        res = (await answer).res;
      } catch (err) {
        throw lostLink(who, err);
      }
      if (res.statusCode !== 200) throw refusedBy(who, `the download of ${input.key}`, await readAll(res));
      res.pause();
      const t: Download = {
        kind: 'download',
        id: randomUUID(),
        applianceId: input.applianceId,
        name,
        bucket: input.bucket,
        key: input.key,
        size: Number(res.headers['content-length'] ?? 0),
        sent: 0,
        res,
        busy: Promise.resolve(),
        timer: setTimeout(() => void close(t, 'idle'), limits.idleMs),
        closed: false,
      };
      t.timer.unref();
      res.once('error', () => undefined); // read (and reported) by the next downloadChunk
      open.set(t.id, t);
      return { transferId: t.id, size: t.size, contentType: String(res.headers['content-type'] ?? 'application/octet-stream'), etag: String(res.headers.etag ?? '').replace(/"/g, ''), chunkBytes: TRANSFER_CHUNK_BYTES };
    },

    /** The next bytes, from `offset` (what was sent so far): up to one chunk; `done` with the last. */
    async downloadChunk(input: { transferId: string; offset: number }): Promise<{ offset: number; data: string; done: boolean }> {
      const t = take(input.transferId, 'download');
      touch(t);
      return serial(t, async () => {
        if (input.offset !== t.sent) throw new ApiError('invalid-input', `The download has sent ${t.sent} bytes; ask for the chunk at ${t.sent}.`, { params: { reason: 'kodo.transfer-offset', expected: t.sent } });
        const bytes = await readUpTo(t.res, Math.min(TRANSFER_CHUNK_BYTES, t.size - t.sent));
        const offset = t.sent;
        t.sent += bytes.length;
        if (bytes.length === 0 && t.sent < t.size) throw new Error(`the object ended after ${t.sent} of ${t.size} bytes`);
        const done = t.sent >= t.size;
        if (done) await close(t, 'done');
        else touch(t);
        return { offset, data: bytes.toString('base64'), done };
      });
    },

    async cancel(input: { transferId: string }): Promise<{ cancelled: boolean }> {
      const t = open.get(input.transferId);
      if (!t) return { cancelled: false };
      await close(t, 'cancelled');
      log.info(`${t.kind} cancelled`, { applianceId: t.applianceId, bucket: t.bucket, key: t.key });
      return { cancelled: true };
    },

    openTransfers: () => open.size,

    async closeAll(): Promise<void> {
      await Promise.all([...open.values()].map((t) => close(t, 'the console is stopping')));
    },
  };
}

/** Up to `n` bytes from a paused response: fewer only at its end. */
function readUpTo(res: http.IncomingMessage, n: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let have = 0;
    const finish = (err?: Error) => {
      res.off('readable', onReadable);
      res.off('end', onEnd);
      res.off('error', finish);
      res.off('close', onClose);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks));
    };
    const onReadable = () => {
      let c: Buffer | null;
      while (have < n && (c = res.read(Math.min(n - have, res.readableLength || n - have)) as Buffer | null) !== null) {
        chunks.push(c);
        have += c.length;
      }
      if (have >= n) finish();
    };
    const onEnd = () => finish();
    const onClose = () => (res.readableEnded ? finish() : finish(new Error('the connection to the machine closed mid-object')));
    if (n === 0) return resolve(Buffer.alloc(0));
    res.on('readable', onReadable);
    res.once('end', onEnd);
    res.once('error', finish);
    res.once('close', onClose);
    onReadable();
  });
}

export type KodoTransfers = ReturnType<typeof createKodoTransfers>;
