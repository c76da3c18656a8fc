import type { S3Context } from './s3-context';

/** Answers with an XML document (the S3 API's every body but an object's). */
export function sendXml(ctx: S3Context, status: number, xml: string, headers: Record<string, string> = {}): void {
  const body = Buffer.from(xml, 'utf8');
  ctx.res.writeHead(status, { ...headers, 'Content-Type': 'application/xml', 'Content-Length': String(body.length) });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
  if (ctx.req.method !== 'HEAD') ctx.bytesOut += body.length;
}

/** Answers without a body (204, HEAD, 304…). */
export function sendEmpty(ctx: S3Context, status: number, headers: Record<string, string> = {}): void {
  const withLength = status === 204 || status === 304 ? headers : { 'Content-Length': '0', ...headers };
  ctx.res.writeHead(status, withLength);
  ctx.res.end();
}

/** S3's timestamps in XML: ISO 8601 with milliseconds, UTC. */
export const isoTime = (date: Date): string => date.toISOString();

/** S3's timestamps in headers (Last-Modified): RFC 7231's IMF-fixdate. */
export const httpTime = (date: Date): string => date.toUTCString();

/** ETags as S3 sends them: the hex digest in double quotes. */
export const quoteEtag = (etag: string): string => `"${etag}"`;

/**
 * The owner S3 documents name (ListBuckets, ACLs, fetch-owner): one, since every Kodo bucket
 * belongs to the appliance; access keys are scoped by authorize(), not by ownership.
 */
export const OWNER = { ID: '6b6f646f6b6f646f6b6f646f6b6f646f6b6f646f6b6f646f6b6f646f6b6f646f', DisplayName: 'kodo' };
