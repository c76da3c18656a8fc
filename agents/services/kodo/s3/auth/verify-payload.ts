import type { IncomingHttpHeaders } from 'node:http';
import type { AuthResult } from './authenticate-request';
import { decodeAwsChunked } from './aws-chunked-decoder';
import { type PayloadCheck, STREAMING_UNSIGNED_TRAILER, declaredPayloadCheck } from './payload-check';
import {
  type ChecksumAlgorithm,
  type RunningDigest,
  algorithmName,
  checksumAlgorithmOf,
  contentMd5,
  headerChecksum,
  parseChecksumValue,
  runningChecksum,
} from './payload-checksums';
import { S3AuthError, badDigest, chunkMalformed, incompleteBody } from './s3-auth-error';

/** What verifyPayload checked, for the S3 layer's response (x-amz-checksum-* headers) and logs. */
export interface VerifiedPayload {
  /** Bytes of the object (decoded, for aws-chunked). */
  length: number;
  /** Each flexible checksum the request carried (header or trailer), base64, all verified. */
  checksums: Partial<Record<ChecksumAlgorithm, string>>;
}

export interface VerifyPayloadOptions {
  /** Called once every check has passed, just before the body ends. */
  onVerified?: (result: VerifiedPayload) => void;
}

/**
 * The request body as the store must read it: decoded when aws-chunked, and checked against
 * everything the request claims of it — x-amz-content-sha256, chunk and trailer signatures,
 * x-amz-checksum-* headers and trailers, Content-MD5, x-amz-decoded-content-length. Each check
 * fails by throwing from the iterator before it ends, so the store aborts the put and keeps no
 * object. Chunk by chunk: nothing holds more than the piece in hand.
 *
 * Header errors (a malformed Content-MD5 or checksum header, a missing decoded length) throw
 * here, at once, before any byte is read.
 */
export function verifyPayload(auth: AuthResult, headers: IncomingHttpHeaders, body: AsyncIterable<Uint8Array>, options: VerifyPayloadOptions = {}): AsyncGenerator<Uint8Array, void> {
  const check = auth.kind === 'key' ? auth.payload : declaredPayloadCheck(headers);
  const md5 = contentMd5(headers);
  const fromHeader = headerChecksum(headers);
  let declared: number | null = null;
  let declaredTrailer: ChecksumAlgorithm | null = null;
  if (check.mode === 'chunked') {
    const raw = headers['x-amz-decoded-content-length'];
    if (typeof raw !== 'string') throw new S3AuthError('MissingContentLength', 411, 'An aws-chunked upload must carry x-amz-decoded-content-length (the object\'s size): the client\'s signer should add it.');
    if (!/^\d{1,16}$/.test(raw.trim())) throw new S3AuthError('InvalidArgument', 400, `x-amz-decoded-content-length "${raw}" is not a number of bytes.`, { ArgumentName: 'x-amz-decoded-content-length', ArgumentValue: raw });
    declared = Number(raw.trim());
    const trailerHeader = headers['x-amz-trailer'];
    if (typeof trailerHeader === 'string' && trailerHeader.trim() !== '') {
      if (!check.trailer) throw new S3AuthError('InvalidRequest', 400, `x-amz-trailer is set but x-amz-content-sha256 names no trailer: use ${STREAMING_UNSIGNED_TRAILER} or the signed -TRAILER variant.`);
      declaredTrailer = checksumAlgorithmOf(trailerHeader.trim());
      if (!declaredTrailer) throw new S3AuthError('InvalidRequest', 400, `The trailer "${trailerHeader}" is not supported: Kodo verifies x-amz-checksum-crc32, -crc32c, -crc64nvme, -sha1 and -sha256.`);
    }
  }
  return run(check, body, { md5, fromHeader, declared, declaredTrailer }, options);
}

interface Expectations {
  md5: Buffer | null;
  fromHeader: { algorithm: ChecksumAlgorithm; expected: Buffer } | null;
  declared: number | null;
  declaredTrailer: ChecksumAlgorithm | null;
}

async function* run(check: PayloadCheck, body: AsyncIterable<Uint8Array>, expect: Expectations, options: VerifyPayloadOptions): AsyncGenerator<Uint8Array, void> {
  const digests = new Map<ChecksumAlgorithm | 'md5', RunningDigest>();
  const want = (algorithm: ChecksumAlgorithm | 'md5') => {
    if (!digests.has(algorithm)) digests.set(algorithm, runningChecksum(algorithm));
  };
  if (expect.md5) want('md5');
  if (expect.fromHeader) want(expect.fromHeader.algorithm);
  if (expect.declaredTrailer) want(expect.declaredTrailer);
  if (check.mode === 'sha256') want('sha256');

  let trailers = new Map<string, string>();
  const source =
    check.mode === 'chunked'
      ? decodeAwsChunked(body, { trailer: check.trailer, ...(check.signing ? { signing: check.signing } : {}), onTrailers: (t) => (trailers = t) })
      : body;
  let length = 0;
  for await (const data of source) {
    length += data.length;
    if (expect.declared !== null && length > expect.declared) {
      throw chunkMalformed(`the chunks hold more than the ${expect.declared} bytes x-amz-decoded-content-length announced`);
    }
    for (const digest of digests.values()) digest.update(data);
    yield data;
  }
  if (expect.declared !== null && length !== expect.declared) {
    throw incompleteBody(`You did not provide the number of bytes specified by x-amz-decoded-content-length (${expect.declared}; the chunks held ${length}). Retry the upload.`);
  }

  // One digest() per hash: the SHA-256 serves x-amz-content-sha256 and x-amz-checksum-sha256 alike.
  const computed = new Map<ChecksumAlgorithm | 'md5', Buffer>();
  const digestOf = (algorithm: ChecksumAlgorithm | 'md5') => {
    if (!computed.has(algorithm)) computed.set(algorithm, digests.get(algorithm)!.digest());
    return computed.get(algorithm)!;
  };
  if (check.mode === 'sha256') {
    const actual = digestOf('sha256').toString('hex');
    if (actual !== check.expectedHex) {
      throw new S3AuthError('XAmzContentSHA256Mismatch', 400, "The provided 'x-amz-content-sha256' header does not match what was computed: the body changed in transit, or the client hashed other bytes. Retry the upload.", {
        ClientComputedContentSHA256: check.expectedHex,
        S3ComputedContentSHA256: actual,
      });
    }
  }
  if (expect.md5 && !digestOf('md5').equals(expect.md5)) {
    throw badDigest('The Content-MD5 you specified did not match what we received. Retry the upload.', {
      ExpectedDigest: expect.md5.toString('base64'),
      CalculatedDigest: digestOf('md5').toString('base64'),
    });
  }
  const verified: Partial<Record<ChecksumAlgorithm, string>> = {};
  const verify = (algorithm: ChecksumAlgorithm, expected: Buffer) => {
    const actual = digestOf(algorithm);
    if (!actual.equals(expected)) {
      throw badDigest(`The ${algorithmName(algorithm)} you specified did not match the calculated checksum (${actual.toString('base64')}). Retry the upload.`);
    }
    verified[algorithm] = expected.toString('base64');
  };
  if (expect.fromHeader) verify(expect.fromHeader.algorithm, expect.fromHeader.expected);
  for (const [name, value] of trailers) {
    const algorithm = checksumAlgorithmOf(name);
    if (!algorithm) continue; // other trailers are not ours to check
    if (algorithm !== expect.declaredTrailer) {
      throw new S3AuthError('MalformedTrailerError', 400, `The trailer ${name} was not announced in x-amz-trailer${expect.declaredTrailer ? ` (which names x-amz-checksum-${expect.declaredTrailer})` : ''}.`);
    }
    verify(algorithm, parseChecksumValue(algorithm, value));
  }
  if (expect.declaredTrailer && verified[expect.declaredTrailer] === undefined) {
    throw new S3AuthError('MalformedTrailerError', 400, `x-amz-trailer announced x-amz-checksum-${expect.declaredTrailer}, but the body's trailer does not carry it.`);
  }
  options.onVerified?.({ length, checksums: verified });
}
