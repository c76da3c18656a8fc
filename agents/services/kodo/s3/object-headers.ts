import type { ObjectInfo, PutMeta } from '../store';
import { httpTime, quoteEtag } from './responses';
import { invalidRequest, S3Error } from './s3-errors';
import type { S3Context } from './s3-context';

/**
 * The headers an object keeps (set by PUT or a REPLACE copy, returned by GET and HEAD), and the
 * response-* overrides of a signed GET. The one place they are named.
 */

/** Stored beside the content type and returned as they were sent. */
const KEPT_HEADERS = ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires'] as const;
const META_PREFIX = 'x-amz-meta-';
/** S3's limit on user metadata: names and values together, in UTF-8 bytes. */
const MAX_USER_METADATA_BYTES = 2048;
/** S3's default content type for an object sent without one. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

const OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

const first = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value.join(', ') : value);

/** PutMeta from a PUT's (or a REPLACE copy's) headers. */
export function metaFromRequest(ctx: S3Context): PutMeta {
  const h = ctx.req.headers;
  const userMetadata: Record<string, string> = {};
  let metaBytes = 0;
  for (const [name, value] of Object.entries(h)) {
    if (!name.startsWith(META_PREFIX) || value === undefined) continue;
    const short = name.slice(META_PREFIX.length);
    const text = first(value) ?? '';
    userMetadata[short] = text;
    metaBytes += Buffer.byteLength(short) + Buffer.byteLength(text);
  }
  if (metaBytes > MAX_USER_METADATA_BYTES) {
    throw new S3Error('MetadataTooLarge', 400, `Your metadata headers exceed the maximum allowed metadata size: ${metaBytes} bytes of x-amz-meta-* names and values, at most ${MAX_USER_METADATA_BYTES}.`);
  }
  const headers: Record<string, string> = {};
  for (const name of KEPT_HEADERS) {
    let value = first(h[name]);
    // aws-chunked is how the body was sent (SigV4 streaming), not how the object is encoded: S3 drops it.
    if (name === 'content-encoding' && value !== undefined) value = value.split(',').map((s) => s.trim()).filter((s) => s !== '' && s !== 'aws-chunked').join(', ') || undefined;
    if (value !== undefined) headers[name] = value;
  }
  return { contentType: first(h['content-type']) ?? DEFAULT_CONTENT_TYPE, userMetadata, headers };
}

/** PutMeta of an existing object (a COPY copy). */
export function metaOfObject(info: ObjectInfo): PutMeta {
  return { contentType: info.contentType, userMetadata: { ...info.userMetadata }, headers: { ...info.headers } };
}

const TITLE = (name: string) => name.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase());

/** GET/HEAD's headers for an object (Content-Length and Content-Range are the caller's). */
export function objectHeaders(info: ObjectInfo): Record<string, string> {
  const out: Record<string, string> = {
    'Content-Type': info.contentType || DEFAULT_CONTENT_TYPE,
    ETag: quoteEtag(info.etag),
    'Last-Modified': httpTime(info.lastModified),
    'Accept-Ranges': 'bytes',
  };
  for (const [name, value] of Object.entries(info.headers)) if ((KEPT_HEADERS as readonly string[]).includes(name)) out[TITLE(name)] = value;
  for (const [name, value] of Object.entries(info.userMetadata)) out[`${META_PREFIX}${name}`] = value;
  return out;
}

/** The response-* overrides of a GET; S3 refuses them on anonymous requests. */
export function responseOverrides(ctx: S3Context): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [param, header] of Object.entries(OVERRIDES)) {
    const value = ctx.target.query.get(param);
    if (value === null) continue;
    if (ctx.principal === null) throw invalidRequest('Request specific response headers cannot be used for anonymous GET requests.');
    if (/[\r\n]/.test(value)) throw invalidRequest(`${param} cannot contain line breaks.`);
    out[header] = value;
  }
  return out;
}

/**
 * Header values Node would refuse to send (control characters, or characters beyond Latin-1 from
 * a response-* override): dropped rather than fail the answer.
 */
export function sendableHeaders(headers: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (!/[^\t\x20-\x7e\x80-\xff]/.test(value)) out[name] = value;
  return out;
}
