import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import { Crc64Nvme, crc32c } from './crc';
import { S3AuthError, invalidRequest } from './s3-auth-error';

/** S3's flexible checksums (x-amz-checksum-<algorithm>, base64 of the big-endian digest). */
export const CHECKSUM_ALGORITHMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'] as const;
export type ChecksumAlgorithm = (typeof CHECKSUM_ALGORITHMS)[number];

const DIGEST_BYTES: Record<ChecksumAlgorithm, number> = { crc32: 4, crc32c: 4, crc64nvme: 8, sha1: 20, sha256: 32 };
/** As S3 names them in messages (CRC32, CRC64NVME…). */
export const algorithmName = (algorithm: ChecksumAlgorithm): string => algorithm.toUpperCase();

export interface RunningDigest {
  update(data: Uint8Array): void;
  digest(): Buffer;
}

export function runningChecksum(algorithm: ChecksumAlgorithm | 'md5'): RunningDigest {
  switch (algorithm) {
    case 'crc32':
    case 'crc32c': {
      const fn = algorithm === 'crc32' ? crc32 : crc32c;
      let value = 0;
      return {
        update: (data) => void (value = fn(data, value)),
        digest: () => {
          const out = Buffer.alloc(4);
          out.writeUInt32BE(value >>> 0);
          return out;
        },
      };
    }
    case 'crc64nvme':
      return new Crc64Nvme();
    case 'sha1':
    case 'sha256':
    case 'md5': {
      const hash = createHash(algorithm);
      return { update: (data) => void hash.update(data), digest: () => hash.digest() };
    }
  }
}

/** The algorithm a header or trailer name stands for (`x-amz-checksum-crc32c` → crc32c), or null. */
export function checksumAlgorithmOf(name: string): ChecksumAlgorithm | null {
  const lower = name.toLowerCase();
  if (!lower.startsWith('x-amz-checksum-')) return null;
  const algorithm = lower.slice('x-amz-checksum-'.length);
  return (CHECKSUM_ALGORITHMS as readonly string[]).includes(algorithm) ? (algorithm as ChecksumAlgorithm) : null;
}

/** Base64 that decodes to exactly `bytes` bytes and encodes back to itself (no junk Node would skip). */
export function decodeDigest(value: string, bytes: number): Buffer | null {
  const decoded = Buffer.from(value, 'base64');
  return decoded.length === bytes && decoded.toString('base64') === value ? decoded : null;
}

/** A checksum value read from a header or trailer, refused when it is not one. */
export function parseChecksumValue(algorithm: ChecksumAlgorithm, value: string): Buffer {
  const digest = decodeDigest(value.trim(), DIGEST_BYTES[algorithm]);
  if (!digest) throw invalidRequest(`Value for x-amz-checksum-${algorithm} header is invalid: expected the base64 of a ${DIGEST_BYTES[algorithm]}-byte ${algorithmName(algorithm)}.`);
  return digest;
}

/** The one x-amz-checksum-<algorithm> header a request may carry (S3 refuses two). */
export function headerChecksum(headers: IncomingHttpHeaders): { algorithm: ChecksumAlgorithm; expected: Buffer } | null {
  const found = Object.keys(headers).flatMap((name) => {
    const algorithm = checksumAlgorithmOf(name);
    return algorithm ? [algorithm] : [];
  });
  if (found.length === 0) return null;
  if (found.length > 1) throw invalidRequest('Expecting a single x-amz-checksum- header. Multiple checksum Types are not allowed.');
  const algorithm = found[0]!;
  const value = headers[`x-amz-checksum-${algorithm}`];
  if (typeof value !== 'string') throw invalidRequest(`x-amz-checksum-${algorithm} is given more than once.`);
  return { algorithm, expected: parseChecksumValue(algorithm, value) };
}

/** Content-MD5 (base64 of the 16-byte MD5), refused with InvalidDigest when it is not one. */
export function contentMd5(headers: IncomingHttpHeaders): Buffer | null {
  const value = headers['content-md5'];
  if (value === undefined) return null;
  const digest = typeof value === 'string' ? decodeDigest(value.trim(), 16) : null;
  if (!digest) throw new S3AuthError('InvalidDigest', 400, 'The Content-MD5 you specified is not valid: it must be the base64 of the body\'s 16-byte MD5.');
  return digest;
}
