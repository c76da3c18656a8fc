import { authenticateRequest, type AuthResult } from './auth/authenticate-request';
import type { S3Context } from './s3-context';

/**
 * Who sent the request (SigV4 by header or presigned URL, checked by ./auth): the one place the
 * router asks. `anonymous`: no signature at all, which the router allows only for reading
 * public-read buckets. Refusals are the auth module's S3AuthError (mapped in s3-errors.ts).
 */
export function authenticate(ctx: S3Context): AuthResult {
  const url = ctx.req.url ?? '/';
  const q = url.indexOf('?');
  return authenticateRequest(
    // headersDistinct: a header sent twice is signed as both values joined, as AWS canonicalises it.
    { method: ctx.req.method ?? 'GET', rawPath: q === -1 ? url : url.slice(0, q), rawQuery: q === -1 ? '' : url.slice(q + 1), headers: ctx.req.headers, headersDistinct: ctx.req.headersDistinct },
    ctx.keys,
    { region: ctx.region, now: ctx.now() },
  );
}
