import type { IncomingHttpHeaders } from 'node:http';
import { S3AuthError } from './s3-auth-error';

/**
 * How a request's body must be checked, as its signature decided (x-amz-content-sha256):
 * - `unsigned`: UNSIGNED-PAYLOAD, a presigned URL, or no signature at all;
 * - `sha256`: the body's SHA-256 must be `expectedHex`;
 * - `chunked`: an aws-chunked body; `signing` present when every chunk carries a signature chained
 *   from the seed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]), absent for
 *   STREAMING-UNSIGNED-PAYLOAD-TRAILER; `trailer` when checksum trailers follow the last chunk.
 */
export type PayloadCheck =
  | { mode: 'unsigned' }
  | { mode: 'sha256'; expectedHex: string }
  | { mode: 'chunked'; trailer: boolean; signing?: ChunkSigning };

export interface ChunkSigning {
  /** The day's signing key (HMAC of HMACs of the secret), never the secret itself. */
  key: Buffer;
  amzDate: string;
  scope: string;
  /** The request's own signature: the first chunk's "previous signature". */
  seedSignature: string;
}

export const STREAMING_SIGNED = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD';
export const STREAMING_SIGNED_TRAILER = 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER';
export const STREAMING_UNSIGNED_TRAILER = 'STREAMING-UNSIGNED-PAYLOAD-TRAILER';
const STREAMING_ECDSA = ['STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD', 'STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER'];

/** What an x-amz-content-sha256 value asks for; refuses a value that is none of S3's. */
export function classifyContentSha256(value: string): 'unsigned' | 'sha256' | 'signed-chunks' | 'signed-chunks-trailer' | 'unsigned-trailer' {
  if (value === 'UNSIGNED-PAYLOAD') return 'unsigned';
  if (value === STREAMING_SIGNED) return 'signed-chunks';
  if (value === STREAMING_SIGNED_TRAILER) return 'signed-chunks-trailer';
  if (value === STREAMING_UNSIGNED_TRAILER) return 'unsigned-trailer';
  if (/^[0-9a-fA-F]{64}$/.test(value)) return 'sha256';
  if (STREAMING_ECDSA.includes(value)) {
    throw new S3AuthError('NotImplemented', 501, `${value} (Signature Version 4A) is not served by Kodo: sign with AWS4-HMAC-SHA256.`);
  }
  throw new S3AuthError(
    'InvalidArgument',
    400,
    `x-amz-content-sha256 must be UNSIGNED-PAYLOAD, ${STREAMING_UNSIGNED_TRAILER}, ${STREAMING_SIGNED}, ${STREAMING_SIGNED_TRAILER} or the hex SHA-256 of the body, not "${value}".`,
    { ArgumentName: 'x-amz-content-sha256', ArgumentValue: value },
  );
}

/**
 * The check for a body no signature covers (an anonymous request, or a presigned URL, which signs
 * UNSIGNED-PAYLOAD): still held to what its own x-amz-content-sha256 says — a hex SHA-256 is
 * checked, an unsigned aws-chunked body decoded (else its framing would be stored as the object).
 * Signed chunks need a signature to chain from: refused.
 */
export function declaredPayloadCheck(headers: IncomingHttpHeaders): PayloadCheck {
  const value = headers['x-amz-content-sha256'];
  if (typeof value !== 'string') return { mode: 'unsigned' };
  switch (classifyContentSha256(value)) {
    case 'sha256':
      return { mode: 'sha256', expectedHex: value.toLowerCase() };
    case 'unsigned-trailer':
      return { mode: 'chunked', trailer: true };
    case 'signed-chunks':
    case 'signed-chunks-trailer':
      throw new S3AuthError('InvalidRequest', 400, `${value} needs the request signed with the Authorization header (its chunks chain from that signature); a presigned URL or an anonymous request cannot carry it.`);
    case 'unsigned':
      return { mode: 'unsigned' };
  }
}
