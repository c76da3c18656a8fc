import { verifyPayload } from './auth/verify-payload';
import { S3Error } from './s3-errors';
import type { S3Context } from './s3-context';

const incomplete = () => new S3Error('IncompleteBody', 400, 'The request body ended before the bytes its Content-Length announced: the client stopped sending. Retry the upload.');

/**
 * The request body as it arrives: counted for metrics, and a client that goes away mid-body turns
 * into IncompleteBody (the store then drops what it wrote, so no partial object). Iterating pulls
 * from the socket only as fast as the consumer takes it: backpressure for free.
 */
export async function* countedBody(ctx: S3Context): AsyncGenerator<Uint8Array> {
  try {
    // destroyOnReturn false: when the store stops reading early (a full disk, a failed check), the
    // socket must stay up for the error answer; the router then closes the connection after it.
    for await (const chunk of ctx.req.iterator({ destroyOnReturn: false })) {
      const bytes = chunk as Buffer;
      ctx.bytesIn += bytes.length;
      yield bytes;
    }
  } catch {
    throw incomplete();
  }
  // A request cut short can also end without an error event; the parser marks it incomplete.
  if (!ctx.req.complete) throw incomplete();
}

/**
 * A request body as the store (or an XML parser) should take it: counted, decoded when
 * aws-chunked, and checked against everything the request claims of it (x-amz-content-sha256,
 * chunk signatures, Content-MD5, x-amz-checksum-*) by ./auth's verifyPayload, which fails the
 * stream before it ends on a mismatch, so the store keeps nothing. (`_declaredLength`: kept for
 * callers written before verifyPayload took the length from the headers itself.)
 */
export function verifiedBody(ctx: S3Context, _declaredLength?: number | null): AsyncIterable<Uint8Array> {
  return verifyPayload(ctx.auth, ctx.req.headers, countedBody(ctx));
}

/**
 * Bodies read whole through readSmallBody are verified while read; nothing is left to check.
 * (Kept for callers written before that.)
 */
export async function checkSmallPayload(_ctx: S3Context, _body: Buffer): Promise<void> {}
