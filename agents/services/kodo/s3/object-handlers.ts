import { pipeline } from 'node:stream/promises';
import { StoreError, type ObjectInfo } from '../store';
import { etagListMatches, evaluateConditions, requestConditions } from './conditional';
import { metaFromRequest, objectHeaders, responseOverrides, sendableHeaders } from './object-headers';
import { verifiedBody } from './payload';
import { parseRangeHeader } from './range-header';
import { declaredLength } from './request-body';
import { quoteEtag, sendEmpty } from './responses';
import { S3Error } from './s3-errors';
import { bucketOf, keyOf, type S3Context } from './s3-context';

/** PutObject, GetObject, HeadObject, DeleteObject. */

export async function putObject(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  declaredLength(ctx); // 411 / EntityTooLarge before any byte is read
  const meta = metaFromRequest(ctx);
  await checkWriteConditions(ctx, bucket, key);
  const info = await ctx.store.putObject(bucket, key, verifiedBody(ctx), meta);
  sendEmpty(ctx, 200, { ETag: quoteEtag(info.etag) });
}

/**
 * S3's conditional writes: If-None-Match: * (create only) and If-Match: <etag> (replace only that
 * version). Checked before the body is read; not atomic with the commit (a put racing in between
 * wins or loses as the store's key lock orders them), which is S3's guarantee but not Kodo's.
 */
async function checkWriteConditions(ctx: S3Context, bucket: string, key: string): Promise<void> {
  const ifNoneMatch = ctx.req.headers['if-none-match'];
  const ifMatch = ctx.req.headers['if-match'];
  if (ifNoneMatch === undefined && ifMatch === undefined) return;
  if (ifNoneMatch !== undefined && ifNoneMatch.trim() !== '*') throw new S3Error('NotImplemented', 501, 'If-None-Match on a PUT takes only * (create the object only if it does not exist).');
  let current: ObjectInfo | null = null;
  try {
    current = await ctx.store.headObject(bucket, key);
  } catch (error) {
    if (!(error instanceof StoreError) || error.code !== 'NoSuchKey') throw error;
  }
  if (ifNoneMatch !== undefined && current) throw preconditionFailed('If-None-Match');
  if (ifMatch !== undefined) {
    if (!current) throw new S3Error('NoSuchKey', 404, 'The specified key does not exist (If-Match needs the object to replace).', { Key: key });
    if (!etagListMatches(ifMatch, current.etag)) throw preconditionFailed('If-Match');
  }
}

export const preconditionFailed = (condition: string) =>
  new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold.', { Condition: condition });

/** 304 or 412 when the request's conditions say so; true when it answered. */
function answerConditions(ctx: S3Context, info: ObjectInfo): boolean {
  const outcome = evaluateConditions(requestConditions(ctx.req.headers), info);
  if (outcome === 'precondition-failed') throw preconditionFailed(ctx.req.headers['if-match'] !== undefined ? 'If-Match' : 'If-Unmodified-Since');
  if (outcome === 'not-modified') {
    const { ETag, 'Last-Modified': lastModified } = objectHeaders(info);
    sendEmpty(ctx, 304, { ETag: ETag!, 'Last-Modified': lastModified! });
    return true;
  }
  return false;
}

/** The range a HEAD reports (S3 answers 206 with Content-Range for a HEAD with Range too). */
function headRange(ctx: S3Context, size: number): { start: number; end: number } | null {
  const range = parseRangeHeader(ctx.req.headers.range);
  if (!range) return null;
  const unsatisfiable = () => new S3Error('InvalidRange', 416, 'The requested range is not satisfiable.', {}, { 'Content-Range': `bytes */${size}` });
  if ('suffix' in range) {
    if (range.suffix === 0 || size === 0) throw unsatisfiable();
    return { start: Math.max(0, size - range.suffix), end: size - 1 };
  }
  if (range.start >= size) throw unsatisfiable();
  return { start: range.start, end: Math.min(range.end ?? size - 1, size - 1) };
}

function sizeHeaders(info: ObjectInfo, range: { start: number; end: number } | null): { status: number; headers: Record<string, string> } {
  if (!range) return { status: 200, headers: { 'Content-Length': String(info.size) } };
  return { status: 206, headers: { 'Content-Length': String(range.end - range.start + 1), 'Content-Range': `bytes ${range.start}-${range.end}/${info.size}` } };
}

/** GetObject and HeadObject (the same answer, HEAD without the body). */
export async function getObject(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const overrides = responseOverrides(ctx);
  if (ctx.req.method === 'HEAD') {
    const info = await ctx.store.headObject(bucket, key);
    if (answerConditions(ctx, info)) return;
    const { status, headers } = sizeHeaders(info, headRange(ctx, info.size));
    ctx.res.writeHead(status, sendableHeaders({ ...objectHeaders(info), ...overrides, ...headers }));
    ctx.res.end();
    return;
  }

  let result;
  try {
    result = await ctx.store.getObject(bucket, key, parseRangeHeader(ctx.req.headers.range));
  } catch (error) {
    if (!(error instanceof StoreError) || error.code !== 'InvalidRange') throw error;
    // Conditions come before the range (RFC 7232 §6): a 304 or 412 wins over 416.
    const info = await ctx.store.headObject(bucket, key);
    if (answerConditions(ctx, info)) return;
    throw new S3Error('InvalidRange', 416, 'The requested range is not satisfiable.', { RangeRequested: ctx.req.headers.range ?? '', ActualObjectSize: String(info.size) }, { 'Content-Range': `bytes */${info.size}` });
  }
  const { info, stream } = result;
  try {
    if (answerConditions(ctx, info)) {
      stream.destroy();
      return;
    }
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const { status, headers } = sizeHeaders(info, result.range);
  ctx.res.writeHead(status, sendableHeaders({ ...objectHeaders(info), ...overrides, ...headers }));
  stream.on('data', (chunk: Buffer) => {
    ctx.bytesOut += chunk.length;
  });
  // pipeline: backpressure from the socket, and the store's stream destroyed (its shard files
  // closed) when the client goes away; a store failure mid-body cuts the answer short.
  try {
    await pipeline(stream, ctx.res);
  } catch (error) {
    if (error instanceof StoreError) throw error;
    if (!ctx.res.writableFinished) ctx.log('s3.get-aborted', { requestId: ctx.requestId, bucket, key, sent: ctx.bytesOut, error: String(error) });
  }
}

export async function deleteObject(ctx: S3Context): Promise<void> {
  await ctx.store.deleteObject(bucketOf(ctx), keyOf(ctx));
  sendEmpty(ctx, 204);
}
