import { verifiedBody } from './payload';
import { S3Error } from './s3-errors';
import type { S3Context } from './s3-context';

/** S3's limit on one PUT (larger objects go through multipart). */
export const MAX_PUT_BYTES = 5 * 1024 ** 3;

/** A small body read whole (XML documents), verified (verifiedBody), refused beyond `limit` bytes. */
export async function readSmallBody(ctx: S3Context, limit: number, tooLarge: () => S3Error): Promise<Buffer> {
  const declared = Number(ctx.req.headers['x-amz-decoded-content-length'] ?? ctx.req.headers['content-length'] ?? '0');
  if (Number.isFinite(declared) && declared > limit) throw tooLarge();
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of verifiedBody(ctx)) {
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
