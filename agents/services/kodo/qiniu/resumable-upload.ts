import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import * as z from 'zod/mini';
import type { ObjectStore, PutMeta } from '../store';
import { customVars, metadataFields } from './form-upload';
import { decodePathSegment, readSmallBody, sendJson, sendText, type Exchange } from './http-io';
import { hashOf, headOrNull, HASH_HEADER } from './object-hash';
import { Qetag, qetagOfParts } from './qetag';
import { decodeBase64Url, verifyUploadToken, type UploadGrant } from './qiniu-auth';
import { badToken, fileExists, forbidden, invalidArgument, QiniuError, toQiniuError } from './qiniu-error';
import type { QiniuDeps } from './qiniu-deps';
import { checkMime, checkSize, mayOverwrite, renderReturnBody, resolveKey } from './upload-policy';

/**
 * Resumable upload v2 (developer.qiniu.com/kodo/6364/multipartupload-interface), on the store's
 * multipart uploads, every request with `Authorization: UpToken <token>`:
 *   POST   /buckets/<bucket>/objects/<base64url key | ~>/uploads               → { uploadId, expireAt }
 *   PUT    …/uploads/<uploadId>/<partNumber>   (the part's bytes)           → { etag, md5 }
 *   POST   …/uploads/<uploadId>   { parts, fname, mimeType, metadata, customVars } → returnBody
 *   DELETE …/uploads/<uploadId>                                             → {}
 *   GET    …/uploads/<uploadId>                                             → the parts so far
 * Each part's qetag is computed as it streams in and kept (in memory) until completion, which
 * combines them into the object's hash as Qiniu does; after a restart mid-upload they are gone,
 * and the hash is then read from the object (stat computes it).
 */

const PATH = /^\/buckets\/([^/]+)\/objects\/([^/]+)\/uploads(?:\/([^/]+)(?:\/([^/]+))?)?$/;
export const isResumablePath = (pathname: string) => PATH.test(pathname);

/** Qiniu's limits: parts of 1 MiB … 1 GiB (the last may be smaller), numbers 1 … 10000, uploads kept 7 days. */
const MIN_PART = 1024 * 1024;
const MAX_PART = 1024 * 1024 * 1024;
const EXPIRE_SECONDS = 7 * 24 * 3600;
const MAX_TRACKED_UPLOADS = 10_000;

interface PartDigest {
  etag: string;
  size: number;
  qetag: string;
}

const CompleteSchema = z.object({
  parts: z.array(z.object({ etag: z.string(), partNumber: z.number() })),
  fname: z.optional(z.nullable(z.string())),
  mimeType: z.optional(z.nullable(z.string())),
  metadata: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
  customVars: z.optional(z.nullable(z.record(z.string(), z.unknown()))),
});

export type ResumableHandler = (req: IncomingMessage, res: ServerResponse, exchange: Exchange, url: URL) => Promise<void>;

export function createResumableHandler(deps: QiniuDeps): ResumableHandler {
  // uploadId → part number → digest; oldest uploads dropped past the cap (they then fall back to reading the object for its hash).
  const digests = new Map<string, Map<number, PartDigest>>();
  const partsOf = (uploadId: string) => {
    let parts = digests.get(uploadId);
    if (!parts) {
      parts = new Map();
      digests.set(uploadId, parts);
      if (digests.size > MAX_TRACKED_UPLOADS) digests.delete(digests.keys().next().value!);
    }
    return parts;
  };

  return async (req, res, exchange, url) => {
    const [, bucketInPath = '', encodedKey = '', qiniuUploadId, partInPath] = PATH.exec(url.pathname) ?? [];
    const method = req.method ?? 'GET';
    const now = (deps.now ?? (() => new Date()))();
    const authorization = req.headers.authorization ?? '';
    if (!authorization.startsWith('UpToken ')) throw badToken('resumable uploads need "Authorization: UpToken <upload token>" (ResumeUploader sends it)');
    const grant = verifyUploadToken(authorization.slice('UpToken '.length), deps.keys, now);
    const bucket = decodePathSegment(bucketInPath);
    if (bucket !== grant.bucket) throw forbidden("bucket doesn't match with scope", `the token is for bucket ${grant.bucket}, the URL names ${bucket}: use a token for this bucket`);
    const clientKey = encodedKey === '~' ? null : decodeBase64Url(encodedKey).toString('utf8');
    const { store } = deps;

    if (!qiniuUploadId) {
      if (method !== 'POST') throw new QiniuError(405, 'method not allowed', 'start a resumable upload with POST …/uploads');
      exchange.operation = 'resumable-init';
      req.resume();
      const key = resolveKey(grant, { key: clientKey, fname: '', mimeType: '', vars: {} }, now);
      const { uploadId } = await guard(store.createMultipartUpload(bucket, key), bucket, key);
      partsOf(uploadId);
      // A key the client did not name travels in the upload id (the store checks it is the upload's own key).
      const id = clientKey === null ? `${uploadId}.${Buffer.from(key).toString('base64url')}` : uploadId;
      sendJson(res, exchange, 200, { uploadId: id, expireAt: Math.floor(now.getTime() / 1000) + EXPIRE_SECONDS });
      return;
    }

    const [uploadId = '', keyInId] = decodePathSegment(qiniuUploadId).split('.');
    const key = clientKey ?? (keyInId ? decodeBase64Url(keyInId).toString('utf8') : resolveKey(grant, { key: null, fname: '', mimeType: '', vars: {} }, now));
    resolveKey(grant, { key, fname: '', mimeType: '', vars: {} }, now); // the scope check, for a key carried in the id too

    if (partInPath !== undefined) {
      if (method !== 'PUT') throw new QiniuError(405, 'method not allowed', 'upload a part with PUT …/uploads/<uploadId>/<partNumber>');
      exchange.operation = 'resumable-part';
      const partNumber = Number(partInPath);
      if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > 10_000) throw invalidArgument('invalid partNumber', 'part numbers are 1…10000');
      const digest = await receivePart(req, exchange, store, grant, bucket, key, uploadId, partNumber);
      partsOf(uploadId).set(partNumber, digest.part);
      sendJson(res, exchange, 200, { etag: digest.part.etag, md5: digest.md5 });
      return;
    }

    if (method === 'DELETE') {
      exchange.operation = 'resumable-abort';
      req.resume();
      await guard(store.abortMultipartUpload(bucket, key, uploadId), bucket, key);
      digests.delete(uploadId);
      sendJson(res, exchange, 200, {});
      return;
    }
    if (method === 'GET') {
      exchange.operation = 'resumable-list-parts';
      req.resume();
      const page = await guard(store.listParts(bucket, key, uploadId, { maxParts: Number(url.searchParams.get('max-parts') || 1000), partNumberMarker: Number(url.searchParams.get('part-number_marker') || 0) || undefined }), bucket, key);
      sendJson(res, exchange, 200, {
        uploadId: qiniuUploadId,
        expireAt: Math.floor(page.upload.initiated.getTime() / 1000) + EXPIRE_SECONDS,
        partNumberMarker: page.isTruncated ? page.nextPartNumberMarker : 0,
        parts: page.parts.map((p) => ({ size: p.size, etag: p.etag, partNumber: p.partNumber, putTime: Math.floor(p.lastModified.getTime() / 1000) })),
      });
      return;
    }
    if (method !== 'POST') throw new QiniuError(405, 'method not allowed', 'complete with POST, abort with DELETE, list parts with GET …/uploads/<uploadId>');
    exchange.operation = 'resumable-complete';
    const raw = await readSmallBody(req, exchange, 4 * 1024 * 1024);
    let json: unknown;
    try {
      json = JSON.parse(raw.toString('utf8'));
    } catch {
      throw invalidArgument('invalid json', 'the complete request is a JSON object { parts: [{ etag, partNumber }], fname, mimeType, metadata, customVars }');
    }
    const parsed = CompleteSchema.safeParse(json);
    if (!parsed.success) throw invalidArgument('invalid json', `the complete request is { parts: [{ etag, partNumber }], … }: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    const body = parsed.data;
    const mimeType = body.mimeType || 'application/octet-stream';
    const vars = customVars(stringValues(body.customVars));
    checkMime(grant, mimeType);
    const known = digests.get(uploadId);
    const listed = body.parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag.replace(/"/g, '') }));
    const partDigests = listed.map((p) => known?.get(p.partNumber)).filter((d, i): d is PartDigest => d !== undefined && d.etag === listed[i]!.etag);
    const size = partDigests.reduce((total, d) => total + d.size, 0);
    const hash = partDigests.length === listed.length ? qetagOfParts(partDigests) : null;
    try {
      if (hash !== null) checkSize(grant, size, true);
      if (!mayOverwrite(grant)) {
        const existing = await headOrNull(store, bucket, key);
        if (existing) {
          if (hash === null || hash !== (await hashOf(store, existing))) throw fileExists(bucket, key);
          // The same bytes again: Qiniu answers success without a write.
          await store.abortMultipartUpload(bucket, key, uploadId);
          digests.delete(uploadId);
          sendText(res, exchange, 200, renderReturnBody(grant, { bucket, key, hash, fsize: existing.size, mimeType: existing.contentType, fname: body.fname ?? '', endUser: grant.policy.endUser ?? '', vars }), 'application/json');
          return;
        }
      }
    } catch (error) {
      if (error instanceof QiniuError && (error.status === 614 || error.status === 413 || error.status === 403)) {
        await store.abortMultipartUpload(bucket, key, uploadId).catch(() => undefined);
        digests.delete(uploadId);
      }
      throw toQiniuError(error, bucket, key);
    }
    const meta: PutMeta = { contentType: mimeType, userMetadata: metadataFields(stringValues(body.metadata)), headers: hash ? { [HASH_HEADER]: hash } : {} };
    // An empty file has no parts (the SDK completes with none); the store's multipart needs one, so it is an ordinary empty put.
    const completed =
      listed.length === 0
        ? store.abortMultipartUpload(bucket, key, uploadId).then(() => store.putObject(bucket, key, new Uint8Array(0), meta))
        : store.completeMultipartUpload(bucket, key, uploadId, listed, { meta, minPartSize: MIN_PART });
    const info = await guard(completed, bucket, key);
    digests.delete(uploadId);
    const finalHash = hash ?? (await hashOf(store, info));
    sendText(res, exchange, 200, renderReturnBody(grant, { bucket, key, hash: finalHash, fsize: info.size, mimeType, fname: body.fname ?? '', endUser: grant.policy.endUser ?? '', vars }), 'application/json');
  };
}

async function receivePart(req: IncomingMessage, exchange: Exchange, store: ObjectStore, grant: UploadGrant, bucket: string, key: string, uploadId: string, partNumber: number): Promise<{ part: PartDigest; md5: string }> {
  const md5 = createHash('md5');
  const qetag = new Qetag();
  let size = 0;
  async function* body() {
    // Not destroyed when the part is refused midway: the handler drains the rest, so the error is answered, not a reset.
    for await (const chunk of req.iterator({ destroyOnReturn: false }) as AsyncIterable<Buffer>) {
      size += chunk.length;
      exchange.bytesIn += chunk.length;
      if (size > MAX_PART) throw new QiniuError(413, 'part too large', `a part is at most 1 GiB: use a smaller partSize`);
      checkSize(grant, size, false);
      md5.update(chunk);
      qetag.update(chunk);
      yield chunk;
    }
  }
  const { etag } = await guard(store.uploadPart(bucket, key, uploadId, partNumber, body()), bucket, key);
  const hex = md5.digest('hex');
  const sent = req.headers['content-md5'];
  if (typeof sent === 'string' && sent !== '' && sent !== hex && Buffer.from(sent, 'base64').toString('hex') !== hex) {
    throw new QiniuError(400, 'content md5 mismatch', `the part's MD5 is ${hex}, Content-MD5 says ${sent}: the bytes changed on the way; upload the part again`);
  }
  return { part: { etag, size, qetag: qetag.digest() }, md5: hex };
}

async function guard<T>(promise: Promise<T>, bucket: string, key: string): Promise<T> {
  try {
    return await promise;
  } catch (error) {
    throw toQiniuError(error, bucket, key);
  }
}

function stringValues(record: Record<string, unknown> | null | undefined): Record<string, string> {
  return Object.fromEntries(Object.entries(record ?? {}).map(([k, v]) => [k, String(v)]));
}
