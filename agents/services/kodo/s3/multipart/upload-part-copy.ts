import { authorize } from '../../access/access-keys';
import { StoreError } from '../../store';
import { evaluateConditions, requestConditions } from '../conditional';
import { parseCopySource } from '../copy-object';
import { preconditionFailed } from '../object-handlers';
import { MAX_PUT_BYTES } from '../request-body';
import { isoTime, quoteEtag, sendXml } from '../responses';
import { accessDenied, invalidArgument, notImplemented, S3Error } from '../s3-errors';
import { bucketOf, keyOf, type S3Context } from '../s3-context';
import { buildXml } from '../xml';
import { withMultipartErrors } from './multipart-errors';
import { copySourceRangeOf, partNumberOf, uploadIdOf } from './multipart-params';

/**
 * UploadPartCopy (PUT ?partNumber&uploadId with x-amz-copy-source): the source object, or the
 * x-amz-copy-source-range of it, streamed from the store into the part (memory: one stripe each
 * way). x-amz-copy-source-if-* as CopyObject reads them (every failed one is 412). A part is at
 * most 5 GiB, as S3.
 */
export async function uploadPartCopy(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const h = ctx.req.headers;
  const partNumber = partNumberOf(ctx.target.query);
  const uploadId = uploadIdOf(ctx.target.query);
  const source = parseCopySource(String(h['x-amz-copy-source']));
  if (source.versionId !== undefined && source.versionId !== 'null') throw notImplemented('Copying a version by id (Kodo keeps one version per key)');
  if (ctx.principal && !authorize(ctx.principal, 'read', source.bucket)) {
    throw accessDenied(`access key ${ctx.principal.accessKeyId} may not read the copy source bucket ${source.bucket}.`);
  }
  const range = copySourceRangeOf(typeof h['x-amz-copy-source-range'] === 'string' ? h['x-amz-copy-source-range'] : undefined);
  // The upload first: S3 answers NoSuchUpload before reading the source.
  await withMultipartErrors(bucket, key, () => ctx.store.listParts(bucket, key, uploadId, { maxParts: 0 }));

  let result;
  try {
    result = await ctx.store.getObject(source.bucket, source.key, range);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'InvalidRange') {
      const info = await ctx.store.headObject(source.bucket, source.key);
      throw new S3Error('InvalidRange', 416, `The x-amz-copy-source-range ${h['x-amz-copy-source-range']} is not within the source object's ${info.size} bytes.`, {}, { 'Content-Range': `bytes */${info.size}` });
    }
    throw error;
  }
  const { info, stream } = result;
  try {
    const outcome = evaluateConditions(requestConditions(h, 'x-amz-copy-source-'), info);
    if (outcome !== 'proceed') throw preconditionFailed(outcome === 'not-modified' ? 'x-amz-copy-source-If-None-Match / If-Modified-Since' : 'x-amz-copy-source-If-Match / If-Unmodified-Since');
    if (range && range.end >= info.size) throw invalidArgument(`Range specified is not valid for source object of size: ${info.size}`, 'x-amz-copy-source-range', String(h['x-amz-copy-source-range']));
    const length = result.range ? result.range.end - result.range.start + 1 : info.size;
    if (length > MAX_PUT_BYTES) throw new S3Error('EntityTooLarge', 400, `A part is at most ${MAX_PUT_BYTES} bytes (5 GiB): copy the source in ranges (x-amz-copy-source-range) across several parts.`);
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const part = await withMultipartErrors(bucket, key, () => ctx.store.uploadPart(bucket, key, uploadId, partNumber, stream));
  sendXml(ctx, 200, buildXml('CopyPartResult', { LastModified: isoTime(ctx.now()), ETag: quoteEtag(part.etag) }));
}
