import { authorize } from '../access/access-keys';
import { evaluateConditions, requestConditions } from './conditional';
import { metaFromRequest, metaOfObject } from './object-headers';
import { preconditionFailed } from './object-handlers';
import { MAX_PUT_BYTES } from './request-body';
import { isoTime, quoteEtag, sendXml } from './responses';
import { accessDenied, invalidArgument, invalidRequest, notImplemented } from './s3-errors';
import { bucketOf, keyOf, type S3Context } from './s3-context';
import { buildXml } from './xml';

/**
 * CopyObject (PUT with x-amz-copy-source): the source read through the store and written as a new
 * object, its metadata copied (COPY, the default) or taken from this request (REPLACE). Copying an
 * object onto itself must REPLACE (S3's InvalidRequest otherwise). x-amz-copy-source-if-* follow
 * the GET precedence, and every failed one is 412.
 */

const SOURCE_HELP = 'Copy Source must mention the source bucket and key: sourcebucket/sourcekey, URL-encoded.';

/** `/bucket/key?versionId=…` (leading slash optional, URL-encoded) → bucket and key. */
export function parseCopySource(raw: string): { bucket: string; key: string; versionId?: string } {
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  const versionId = q === -1 ? undefined : (new URLSearchParams(raw.slice(q + 1)).get('versionId') ?? undefined);
  let decoded: string;
  try {
    decoded = decodeURIComponent(path.startsWith('/') ? path.slice(1) : path);
  } catch {
    throw invalidArgument(SOURCE_HELP, 'x-amz-copy-source', raw);
  }
  const slash = decoded.indexOf('/');
  if (slash <= 0 || slash === decoded.length - 1) throw invalidArgument(SOURCE_HELP, 'x-amz-copy-source', raw);
  return { bucket: decoded.slice(0, slash), key: decoded.slice(slash + 1), ...(versionId !== undefined ? { versionId } : {}) };
}

export async function copyObject(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const key = keyOf(ctx);
  const h = ctx.req.headers;
  const source = parseCopySource(String(h['x-amz-copy-source']));
  if (source.versionId !== undefined && source.versionId !== 'null') throw notImplemented('Copying a version by id (Kodo keeps one version per key)');
  if (ctx.principal && !authorize(ctx.principal, 'read', source.bucket)) {
    throw accessDenied(`access key ${ctx.principal.accessKeyId} may not read the copy source bucket ${source.bucket}.`);
  }
  const directive = String(h['x-amz-metadata-directive'] ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') throw invalidArgument('Unknown metadata directive: use COPY or REPLACE.', 'x-amz-metadata-directive', directive);
  if (source.bucket === bucket && source.key === key && directive === 'COPY') {
    throw invalidRequest(
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }

  const { info, stream } = await ctx.store.getObject(source.bucket, source.key);
  try {
    const outcome = evaluateConditions(requestConditions(h, 'x-amz-copy-source-'), info);
    if (outcome !== 'proceed') throw preconditionFailed(outcome === 'not-modified' ? 'x-amz-copy-source-If-None-Match / If-Modified-Since' : 'x-amz-copy-source-If-Match / If-Unmodified-Since');
    if (info.size > MAX_PUT_BYTES) {
      throw invalidRequest(`The specified copy source is larger than the maximum allowable size for a copy source: ${MAX_PUT_BYTES}. Use UploadPartCopy (multipart) for larger objects.`);
    }
  } catch (error) {
    stream.destroy();
    throw error;
  }
  const meta = directive === 'REPLACE' ? metaFromRequest(ctx) : metaOfObject(info);
  const copied = await ctx.store.putObject(bucket, key, stream, meta);
  sendXml(ctx, 200, buildXml('CopyObjectResult', { LastModified: isoTime(copied.lastModified), ETag: quoteEtag(copied.etag) }));
}
