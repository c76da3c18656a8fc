import type { CompletePart } from '../../store';
import { metaFromRequest } from '../object-headers';
import { verifiedBody } from '../payload';
import { declaredLength, readSmallBody } from '../request-body';
import { isoTime, OWNER, quoteEtag, sendEmpty, sendXml } from '../responses';
import { malformedXml, S3Error, toS3Error } from '../s3-errors';
import { bucketOf, keyOf, type S3Context } from '../s3-context';
import { buildXml, childList, childText, parseXml, type XmlElement } from '../xml';
import { withMultipartErrors } from './multipart-errors';
import { maxOf, partNumberMarkerOf, partNumberOf, uploadIdOf } from './multipart-params';

/**
 * CreateMultipartUpload, UploadPart, CompleteMultipartUpload, AbortMultipartUpload, ListParts and
 * ListMultipartUploads over the store's multipart API (store/multipart.ts). UploadPartCopy is in
 * upload-part-copy.ts.
 */

/** A CompleteMultipartUpload document lists at most 10,000 parts of ~100 bytes: 2 MiB is ample. */
const MAX_COMPLETE_BODY = 2 * 1024 * 1024;
/**
 * While a completion runs longer than this, S3 has already answered 200 and keeps the connection
 * alive with spaces, putting the result (or an error document) in the body: clients (the AWS SDKs)
 * read an error from a 200 there. Completion here links files and commits metadata, so it is
 * seconds at most, but a loaded disk set can make it longer than a proxy's idle timeout.
 */
const KEEPALIVE_MS = 10_000;

/** S3 names these in listings; Kodo has one owner and one storage class. */
const INITIATOR = { ID: OWNER.ID, DisplayName: OWNER.DisplayName };
const STORAGE_CLASS = 'STANDARD';

/** S3's encoding-type=url: keys percent-encoded as UTF-8, '/' kept. */
const urlEncode = (text: string): string => encodeURIComponent(text).replace(/%2F/g, '/');

export async function createMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const { uploadId } = await withMultipartErrors(bucket, key, () => ctx.store.createMultipartUpload(bucket, key, metaFromRequest(ctx)));
  sendXml(ctx, 200, buildXml('InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: uploadId }));
}

export async function uploadPart(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const partNumber = partNumberOf(ctx.target.query);
  const uploadId = uploadIdOf(ctx.target.query);
  const length = declaredLength(ctx);
  const { etag } = await withMultipartErrors(bucket, key, () => ctx.store.uploadPart(bucket, key, uploadId, partNumber, verifiedBody(ctx, length)));
  sendEmpty(ctx, 200, { ETag: quoteEtag(etag) });
}

/** The parts a CompleteMultipartUpload document lists, in its order (the store checks the order). */
export function parseCompleteBody(text: string): CompletePart[] {
  const doc = parseXml(text);
  const root = doc.CompleteMultipartUpload;
  if (root === undefined) throw malformedXml('the root element must be CompleteMultipartUpload');
  const parts = childList(root, 'Part').map((part, i) => {
    const number = childText(part, 'PartNumber');
    const etag = childText(part, 'ETag');
    if (number === undefined || !/^\s*\d+\s*$/.test(number)) throw malformedXml(`Part ${i + 1} needs a PartNumber`);
    if (etag === undefined || etag.trim() === '') throw malformedXml(`Part ${i + 1} needs an ETag`);
    return { partNumber: Number(number), etag: etag.trim() };
  });
  if (parts.length === 0) throw malformedXml('a CompleteMultipartUpload lists at least one Part');
  return parts;
}

export async function completeMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const uploadId = uploadIdOf(ctx.target.query);
  const body = await readSmallBody(ctx, MAX_COMPLETE_BODY, () => malformedXml(`the document is larger than ${MAX_COMPLETE_BODY} bytes`));
  const parts = parseCompleteBody(body.toString('utf8'));

  // Past this point the answer may have begun (200 and spaces): failures go into the body.
  let early = false;
  const keepAlive = setInterval(() => {
    if (!early) {
      early = true;
      ctx.res.writeHead(200, { 'Content-Type': 'application/xml' });
    }
    ctx.res.write(' ');
  }, KEEPALIVE_MS);
  let xml: string;
  let failure: S3Error | null = null;
  try {
    const info = await withMultipartErrors(bucket, key, () => ctx.store.completeMultipartUpload(bucket, key, uploadId, parts));
    xml = buildXml('CompleteMultipartUploadResult', { Location: locationOf(ctx, bucket, key), Bucket: bucket, Key: key, ETag: quoteEtag(info.etag) });
  } catch (error) {
    if (!early) throw error;
    failure = toS3Error(error, bucket, key);
    xml = buildXml('Error', { Code: failure.code, Message: failure.message, ...failure.fields, Resource: ctx.target.resource, RequestId: ctx.requestId }, null);
  } finally {
    clearInterval(keepAlive);
  }
  if (!early) return sendXml(ctx, 200, xml);
  // After the spaces, the document without its declaration (which must come first if at all).
  const text = xml.replace(/^<\?xml[^>]*\?>\s*/, '');
  ctx.bytesOut += Buffer.byteLength(text);
  ctx.res.end(text);
  if (failure) ctx.log('s3.complete-failed-late', { requestId: ctx.requestId, bucket, key, code: failure.code });
}

function locationOf(ctx: S3Context, bucket: string, key: string): string {
  const host = ctx.req.headers.host ?? 'localhost';
  const path = key.split('/').map(encodeURIComponent).join('/');
  return ctx.target.style === 'virtual-host' ? `http://${host}/${path}` : `http://${host}/${bucket}/${path}`;
}

export async function abortMultipartUpload(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  await withMultipartErrors(bucket, key, () => ctx.store.abortMultipartUpload(bucket, key, uploadIdOf(ctx.target.query)));
  sendEmpty(ctx, 204);
}

export async function listParts(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const q = ctx.target.query;
  const uploadId = uploadIdOf(q);
  const maxParts = maxOf(q, 'max-parts');
  const marker = partNumberMarkerOf(q);
  const page = await withMultipartErrors(bucket, key, () => ctx.store.listParts(bucket, key, uploadId, { maxParts, ...(marker !== undefined ? { partNumberMarker: marker } : {}) }));
  const body: XmlElement = {
    Bucket: bucket,
    Key: key,
    UploadId: uploadId,
    Initiator: INITIATOR,
    Owner: OWNER,
    StorageClass: STORAGE_CLASS,
    PartNumberMarker: marker ?? 0,
    NextPartNumberMarker: page.nextPartNumberMarker,
    MaxParts: maxParts,
    IsTruncated: page.isTruncated,
    Part: page.parts.map((p) => ({ PartNumber: p.partNumber, LastModified: isoTime(p.lastModified), ETag: quoteEtag(p.etag), Size: p.size })),
  };
  sendXml(ctx, 200, buildXml('ListPartsResult', body));
}

export async function listMultipartUploads(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const q = ctx.target.query;
  const encoding = q.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw new S3Error('InvalidArgument', 400, 'Invalid Encoding Method specified in Request: the only one is url.', { ArgumentName: 'encoding-type', ArgumentValue: encoding });
  const enc = encoding === 'url' ? urlEncode : (s: string) => s;
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const keyMarker = q.get('key-marker') ?? '';
  const uploadIdMarker = q.get('upload-id-marker') ?? '';
  const maxUploads = maxOf(q, 'max-uploads');
  const page = await withMultipartErrors(bucket, undefined, () =>
    ctx.store.listMultipartUploads(bucket, {
      maxUploads,
      ...(prefix ? { prefix } : {}),
      ...(delimiter ? { delimiter } : {}),
      ...(keyMarker ? { keyMarker } : {}),
      ...(uploadIdMarker ? { uploadIdMarker } : {}),
    }),
  );
  const body: XmlElement = {
    Bucket: bucket,
    KeyMarker: enc(keyMarker),
    UploadIdMarker: uploadIdMarker,
    NextKeyMarker: page.nextKeyMarker !== undefined ? enc(page.nextKeyMarker) : undefined,
    NextUploadIdMarker: page.nextUploadIdMarker,
    Delimiter: delimiter ? enc(delimiter) : undefined,
    Prefix: enc(prefix),
    EncodingType: encoding ?? undefined,
    MaxUploads: maxUploads,
    IsTruncated: page.isTruncated,
    Upload: page.uploads.map((u) => ({ Key: enc(u.key), UploadId: u.uploadId, Initiator: INITIATOR, Owner: OWNER, StorageClass: STORAGE_CLASS, Initiated: isoTime(u.initiated) })),
    CommonPrefixes: page.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  };
  sendXml(ctx, 200, buildXml('ListMultipartUploadsResult', body));
}
