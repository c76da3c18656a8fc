import { S3Error } from './s3-errors';
import type { S3Context } from './s3-context';

/** S3's limit on one PUT (larger objects go through multipart). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

const incomplete = () => new S3Error('IncompleteBody', 400, 'The request body ended before the bytes its Content-Length announced: the client stopped sending. Retry the upload.');

/**
 * The request body as the store reads it: counted for metrics, and a client that goes away
 * mid-body turns into IncompleteBody (the store then drops what it wrote, so no partial object).
 * Iterating pulls from the socket only as fast as the store writes: backpressure for free.
 */
export async function* countedBody(ctx: S3Context): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of ctx.req) {
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

/** A small body read whole (XML documents), refused beyond `limit` bytes. */
export async function readSmallBody(ctx: S3Context, limit: number, tooLarge: () => S3Error): Promise<Buffer> {
  const declared = Number(ctx.req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of countedBody(ctx)) {
    total += chunk.length;
    if (total > limit) throw tooLarge();
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
}

/** The declared body length of a PUT: S3 needs one (411 without), and refuses over 5 GiB. */
export function declaredLength(ctx: S3Context): number | null {
  const h = ctx.req.headers;
  const decoded = h['x-amz-decoded-content-length'];
  const raw = typeof decoded === 'string' ? decoded : h['content-length'];
  if (raw === undefined) {
    if (h['transfer-encoding'] !== undefined) return null; // chunked: the length is what arrives
    throw new S3Error('MissingContentLength', 411, 'You must provide the Content-Length HTTP header.');
  }
  const n = Number(raw);
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(n)) throw new S3Error('InvalidArgument', 400, `Content-Length "${raw}" is not a number of bytes.`);
  if (n > MAX_PUT_BYTES) throw new S3Error('EntityTooLarge', 400, 'Your proposed upload exceeds the maximum allowed object size for one PUT (5 GiB): use a multipart upload.', { ProposedSize: String(n), MaxSizeAllowed: String(MAX_PUT_BYTES) });
  return n;
}
