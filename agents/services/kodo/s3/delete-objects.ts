import { StoreError } from '../store';
import { readSmallBody } from './request-body';
import { sendXml } from './responses';
import { invalidRequest, malformedXml, toS3Error } from './s3-errors';
import { bucketOf, type S3Context } from './s3-context';
import { buildXml, childList, childText, parseXml, type XmlElement } from './xml';

/**
 * DeleteObjects (POST /bucket?delete): up to 1000 keys, Quiet mode, one result per key (a
 * missing key is "deleted", as S3). S3 requires Content-MD5 or an x-amz-checksum-* on this
 * request; so does Kodo. A document over 1000 keys, or not S3's shape, is MalformedXML.
 */

const MAX_KEYS = 1000;
/** 1000 keys of 1024 bytes each, with their XML: about 1.1 MiB; S3 caps the document at 2 MiB. */
const MAX_BODY = 2 * 1024 * 1024;

export async function deleteObjects(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const h = ctx.req.headers;
  if (h['content-md5'] === undefined && !Object.keys(h).some((n) => n.startsWith('x-amz-checksum-') && n !== 'x-amz-checksum-type')) {
    throw invalidRequest('Missing required header for this request: Content-MD5 (or an x-amz-checksum-* header).');
  }
  const body = await readSmallBody(ctx, MAX_BODY, () => malformedXml('the Delete document is larger than 2 MiB'));
  const doc = parseXml(body.toString('utf8'));
  const root = doc.Delete;
  if (root === undefined || typeof root !== 'object' || Array.isArray(root)) throw malformedXml('the root element must be Delete');
  const quiet = childText(root, 'Quiet') === 'true';
  const objects = childList(root, 'Object');
  if (objects.length === 0) throw malformedXml('Delete names no Object');
  if (objects.length > MAX_KEYS) throw malformedXml(`Delete names ${objects.length} objects, at most ${MAX_KEYS}`);
  const keys = objects.map((o) => {
    const key = childText(o, 'Key');
    if (key === undefined) throw malformedXml('an Object has no Key');
    return { key, versionId: childText(o, 'VersionId') };
  });
  await ctx.store.headBucket(bucket);

  const deleted: XmlElement[] = [];
  const errors: XmlElement[] = [];
  // One at a time: each is a commit on every disk; a thousand at once would only queue on the disks.
  for (const { key, versionId } of keys) {
    if (versionId !== undefined && versionId !== '' && versionId !== 'null') {
      errors.push({ Key: key, VersionId: versionId, Code: 'NotImplemented', Message: 'Kodo keeps one version per key: delete without a version id.' });
      continue;
    }
    try {
      await ctx.store.deleteObject(bucket, key);
      if (!quiet) deleted.push({ Key: key });
    } catch (error) {
      // A key the store cannot even name is not there: S3 reports it deleted.
      if (error instanceof StoreError && error.code === 'InvalidKey') {
        if (!quiet) deleted.push({ Key: key });
        continue;
      }
      const s3 = toS3Error(error, bucket, key);
      if (s3.code === 'InternalError') ctx.log('s3.internal-error', { requestId: ctx.requestId, operation: ctx.operation, key, error: String(error) });
      errors.push({ Key: key, Code: s3.code, Message: s3.message });
    }
  }
  sendXml(ctx, 200, buildXml('DeleteResult', { Deleted: deleted, Error: errors }));
}
