import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { crc32 } from 'node:zlib';
import { Crc32cJs, Crc64NvmeJs } from '@aws-sdk/checksums/crc';
import { describe, expect, it } from 'vitest';
import type { AccessKey } from '../../agents/services/kodo/access/access-keys';
import { authenticateRequest, S3AuthError, verifyPayload, type AuthResult, type VerifiedPayload } from '../../agents/services/kodo/s3/auth';
import { Crc64Nvme, crc32c } from '../../agents/services/kodo/s3/auth/crc';

/**
 * The body side of S3 authentication: aws-chunked decoding with chunk and trailer signatures (the
 * S3 documentation's own upload examples, signature for signature), x-amz-content-sha256,
 * flexible checksums (against the AWS SDK's CRC implementations), Content-MD5, and that every
 * failure surfaces from the iterator before the body ends, so a store never commits it.
 */

const DOC_KEY: AccessKey = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  bucket: null,
  access: 'read-write',
  created: '2013-05-24T00:00:00Z',
  description: 'the S3 documentation\'s example key',
};
const keys = { get: (id: string) => (id === DOC_KEY.accessKeyId ? DOC_KEY : undefined) };
const DOC_NOW = new Date('2013-05-24T00:00:00Z');
const DATA = Buffer.alloc(66_560, 'a');
const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** The S3 documentation's "Example: PUT Object" in 64 KiB + 1 KiB chunks (sigv4-streaming). */
const SIGNED = {
  seed: '4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
  chunks: ['ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648', '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497', 'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9'],
  headers: {
    host: 's3.amazonaws.com',
    'x-amz-date': '20130524T000000Z',
    'x-amz-storage-class': 'REDUCED_REDUNDANCY',
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
    'content-encoding': 'aws-chunked',
    'x-amz-decoded-content-length': '66560',
    'content-length': '66824',
  } as IncomingHttpHeaders,
  signedHeaders: 'content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class',
};
/** The same upload with a CRC32C trailer (sigv4-streaming-trailers). */
const TRAILER = {
  seed: '106e2a8a18243abcf37539882f36619c00e2dfc72633413f02d3b74544bfeb8e',
  chunks: ['b474d8862b1487a5145d686f57f013e54db672cee1c953b3010fb58501ef5aa2', '1c1344b170168f8e65b41376b44b20fe354e373826ccbbe2c1d40a8cae51e5c7', '2ca2aba2005185cf7159c6277faf83795951dd77a3a99e6e65d5c9f85863f992'],
  trailer: 'x-amz-checksum-crc32c:sOO8/Q==',
  trailerSignature: 'd81f82fc3505edab99d459891051a732e8730629a2e4a59689829ca17fe2e435',
  headers: {
    ...SIGNED.headers,
    'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
    'x-amz-trailer': 'x-amz-checksum-crc32c',
  } as IncomingHttpHeaders,
  signedHeaders: 'content-encoding;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class;x-amz-trailer',
};

function docAuth(example: { headers: IncomingHttpHeaders; signedHeaders: string; seed: string }): AuthResult {
  const authorization = `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=${example.signedHeaders},Signature=${example.seed}`;
  return authenticateRequest({ method: 'PUT', rawPath: '/examplebucket/chunkObject.txt', rawQuery: '', headers: { ...example.headers, authorization } }, keys, { region: 'us-east-1', now: DOC_NOW });
}

function docBody(signatures: readonly string[], trailer?: string): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    DATA.subarray(0, 65_536),
    Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
    DATA.subarray(65_536),
    Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n${trailer ?? ''}\r\n`),
  ]);
}

/** A body as a socket delivers it: cut into pieces of `size` bytes. */
async function* pieces(body: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let at = 0; at < body.length; at += size) yield body.subarray(at, at + size);
}

/** Reads the verified body whole (tests only). */
async function drain(iterable: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const out: Buffer[] = [];
  for await (const piece of iterable) out.push(Buffer.from(piece));
  return Buffer.concat(out);
}

async function failure(iterable: AsyncIterable<Uint8Array>): Promise<S3AuthError> {
  try {
    await drain(iterable);
  } catch (error) {
    if (error instanceof S3AuthError) return error;
    throw error;
  }
  throw new Error('expected the body to be refused, but it was read to its end');
}

function syncFailure(call: () => unknown): S3AuthError {
  try {
    call();
  } catch (error) {
    if (error instanceof S3AuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

/**
 * An aws-chunked encoder for cases the documentation does not print (a wrong checksum properly
 * signed, many chunks): written here from the published algorithm, and first shown to reproduce
 * the documentation's bodies byte for byte.
 */
function signedChunked(data: Buffer, chunkSize: number, seed: string, options: { trailer?: string } = {}): Buffer {
  const key = [ '20130524', 'us-east-1', 's3', 'aws4_request' ].reduce<Buffer>((k, part) => createHmac('sha256', k).update(part).digest(), Buffer.from(`AWS4${DOC_KEY.secretKey}`));
  const sign = (lines: string[]) => createHmac('sha256', key).update(lines.join('\n')).digest('hex');
  const head = ['20130524T000000Z', '20130524/us-east-1/s3/aws4_request'];
  let previous = seed;
  const parts: Buffer[] = [];
  for (let at = 0; ; at += chunkSize) {
    const chunk = data.subarray(at, Math.min(at + chunkSize, data.length));
    previous = sign(['AWS4-HMAC-SHA256-PAYLOAD', ...head, previous, EMPTY, createHash('sha256').update(chunk).digest('hex')]);
    parts.push(Buffer.from(`${chunk.length.toString(16)};chunk-signature=${previous}\r\n`), chunk);
    if (chunk.length === 0) break;
    parts.push(Buffer.from('\r\n'));
  }
  if (options.trailer !== undefined) {
    const trailerSignature = sign(['AWS4-HMAC-SHA256-TRAILER', ...head, previous, createHash('sha256').update(`${options.trailer}\n`).digest('hex')]);
    parts.push(Buffer.from(`${options.trailer}\r\nx-amz-trailer-signature:${trailerSignature}\r\n`));
  }
  parts.push(Buffer.from('\r\n'));
  return Buffer.concat(parts);
}

/** STREAMING-UNSIGNED-PAYLOAD-TRAILER as the JS SDK frames it: `hex\r\ndata\r\n` … `0\r\n`, trailer lines, an empty line. */
function unsignedChunked(data: Buffer, chunkSize: number, trailer: string): Buffer {
  const parts: Buffer[] = [];
  for (let at = 0; at < data.length; at += chunkSize) {
    const chunk = data.subarray(at, at + chunkSize);
    parts.push(Buffer.from(`${chunk.length.toString(16)}\r\n`), chunk, Buffer.from('\r\n'));
  }
  parts.push(Buffer.from(`0\r\n${trailer}\r\n\r\n`));
  return Buffer.concat(parts);
}

const unsignedAuth: AuthResult = { kind: 'key', key: DOC_KEY, via: 'header', payload: { mode: 'chunked', trailer: true } };
const unsignedHeaders = (algorithm: string, length: number): IncomingHttpHeaders => ({
  'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'content-encoding': 'aws-chunked',
  'x-amz-decoded-content-length': String(length),
  'x-amz-trailer': `x-amz-checksum-${algorithm}`,
});

describe('CRC-32C and CRC-64/NVME', () => {
  it('give the catalogue\'s check values for "123456789"', () => {
    const check = Buffer.from('123456789');
    expect(crc32c(check).toString(16)).toBe('e3069283');
    const crc = new Crc64Nvme();
    crc.update(check);
    expect(crc.digest().toString('hex')).toBe('ae8b14860a799888');
  });

  it('agree with the AWS SDK\'s implementations on random data fed in uneven pieces', async () => {
    for (const size of [0, 1, 7, 8, 9, 15, 16, 17, 1000, 65_537]) {
      const data = randomBytes(size);
      const sdk32 = new Crc32cJs();
      const sdk64 = new Crc64NvmeJs();
      const ours64 = new Crc64Nvme();
      let ours32 = 0;
      for (let at = 0, step = 1; at < size; at += step, step = (step * 3) % 29 + 1) {
        const piece = data.subarray(at, at + step);
        sdk32.update(piece);
        sdk64.update(piece);
        ours64.update(piece);
        ours32 = crc32c(piece, ours32);
      }
      const own32 = Buffer.alloc(4);
      own32.writeUInt32BE(ours32);
      expect(own32.toString('hex'), `crc32c of ${size} bytes`).toBe(Buffer.from(await sdk32.digest()).toString('hex'));
      expect(ours64.digest().toString('hex'), `crc64nvme of ${size} bytes`).toBe(Buffer.from(await sdk64.digest()).toString('hex'));
    }
  });
});

describe('aws-chunked with chunk signatures: the S3 documentation\'s example upload', () => {
  it('the test encoder reproduces the documentation\'s bodies byte for byte', () => {
    expect(signedChunked(DATA, 65_536, SIGNED.seed).equals(docBody(SIGNED.chunks))).toBe(true);
    expect(docBody(SIGNED.chunks).length).toBe(66_824);
    const withTrailer = docBody(TRAILER.chunks, `${TRAILER.trailer}\r\nx-amz-trailer-signature:${TRAILER.trailerSignature}\r\n`);
    expect(signedChunked(DATA, 65_536, TRAILER.seed, { trailer: TRAILER.trailer }).equals(withTrailer)).toBe(true);
  });

  it('decodes to the 66,560 bytes, whatever pieces the socket delivers', async () => {
    const auth = docAuth(SIGNED);
    expect(auth).toMatchObject({ kind: 'key', payload: { mode: 'chunked', trailer: false, signing: { seedSignature: SIGNED.seed } } });
    for (const size of [1, 7, 1000, 65_536, 66_824]) {
      let verified: VerifiedPayload | undefined;
      const out = await drain(verifyPayload(auth, SIGNED.headers, pieces(docBody(SIGNED.chunks), size), { onVerified: (v) => (verified = v) }));
      expect(out.equals(DATA), `pieces of ${size}`).toBe(true);
      expect(verified).toEqual({ length: 66_560, checksums: {} });
    }
  });

  it('any one chunk signature changed: SignatureDoesNotMatch', async () => {
    for (let i = 0; i < 3; i++) {
      const signatures = [...SIGNED.chunks];
      signatures[i] = signatures[i]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
      const error = await failure(verifyPayload(docAuth(SIGNED), SIGNED.headers, pieces(docBody(signatures), 4096)));
      expect([error.code, error.httpStatus], `chunk ${i + 1}`).toEqual(['SignatureDoesNotMatch', 403]);
    }
  });

  it('a corrupted byte in a chunk: SignatureDoesNotMatch, before the body ends', async () => {
    const body = docBody(SIGNED.chunks);
    body[100] = 0x62; // 'b' in the first chunk's data
    const iterator = verifyPayload(docAuth(SIGNED), SIGNED.headers, pieces(body, 8192));
    let delivered = 0;
    let caught: unknown;
    try {
      for (;;) {
        const next = await iterator.next();
        if (next.done) break;
        delivered += next.value.length;
      }
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(S3AuthError);
    expect((caught as S3AuthError).code).toBe('SignatureDoesNotMatch');
    // Refused once the first chunk's last byte had passed: the second chunk never reached the store.
    expect(delivered).toBe(65_536);
  });

  it('a body cut short: IncompleteBody; more bytes than x-amz-decoded-content-length: refused', async () => {
    const body = docBody(SIGNED.chunks);
    expect((await failure(verifyPayload(docAuth(SIGNED), SIGNED.headers, pieces(body.subarray(0, body.length - 80), 4096)))).code).toBe('IncompleteBody');
    const shorter = { ...SIGNED.headers, 'x-amz-decoded-content-length': '66559' };
    expect((await failure(verifyPayload(docAuth(SIGNED), shorter, pieces(body, 4096)))).code).toBe('InvalidRequest');
    const longer = { ...SIGNED.headers, 'x-amz-decoded-content-length': '66561' };
    expect((await failure(verifyPayload(docAuth(SIGNED), longer, pieces(body, 4096)))).code).toBe('IncompleteBody');
  });

  it('malformed framing: refused with InvalidRequest', async () => {
    const auth = docAuth(SIGNED);
    const good = docBody(SIGNED.chunks);
    const cases = [
      Buffer.concat([Buffer.from('zz;chunk-signature=00\r\n'), good]),
      Buffer.from(good.toString('latin1').replace(`10000;chunk-signature=${SIGNED.chunks[0]}`, '10000'), 'latin1'),
      Buffer.concat([Buffer.alloc(5000, 0x31), good]),
      Buffer.concat([good, Buffer.from('junk')]),
      Buffer.from(good.toString('latin1').replace('10000;', 'ffff;'), 'latin1'),
    ];
    for (const [i, body] of cases.entries()) {
      expect((await failure(verifyPayload(auth, SIGNED.headers, pieces(body, 4096)))).code, `case ${i}`).toBe('InvalidRequest');
    }
  });

  it('without x-amz-decoded-content-length: MissingContentLength (411), before a byte is read', () => {
    const { 'x-amz-decoded-content-length': _gone, ...headers } = SIGNED.headers;
    const error = syncFailure(() => verifyPayload(docAuth(SIGNED), headers, pieces(docBody(SIGNED.chunks), 4096)));
    expect([error.code, error.httpStatus]).toEqual(['MissingContentLength', 411]);
  });

  it('chunks of 1 MiB fed in 64 KiB pieces come out in pieces no larger: nothing holds a chunk whole', async () => {
    const data = randomBytes(8 * 1024 * 1024 + 123);
    const body = signedChunked(data, 1024 * 1024, TRAILER.seed, { trailer: `x-amz-checksum-crc32c:${Buffer.from(await sdkDigest(new Crc32cJs(), data)).toString('base64')}` });
    const headers = { ...TRAILER.headers, 'x-amz-decoded-content-length': String(data.length) };
    let largest = 0;
    const hash = createHash('sha256');
    for await (const piece of verifyPayload(docAuth(TRAILER), headers, pieces(body, 64 * 1024))) {
      largest = Math.max(largest, piece.length);
      hash.update(piece);
    }
    expect(largest).toBeLessThanOrEqual(64 * 1024);
    expect(hash.digest('hex')).toBe(createHash('sha256').update(data).digest('hex'));
  });
});

async function sdkDigest(checksum: { update(d: Uint8Array): void; digest(): Promise<Uint8Array> }, data: Uint8Array): Promise<Uint8Array> {
  checksum.update(data);
  return checksum.digest();
}

describe('aws-chunked with a signed trailer: the documentation\'s CRC32C example', () => {
  const trailerBlock = `${TRAILER.trailer}\r\nx-amz-trailer-signature:${TRAILER.trailerSignature}\r\n`;

  it('decodes, verifies the trailer signature and the CRC32C', async () => {
    let verified: VerifiedPayload | undefined;
    const out = await drain(verifyPayload(docAuth(TRAILER), TRAILER.headers, pieces(docBody(TRAILER.chunks, trailerBlock), 3000), { onVerified: (v) => (verified = v) }));
    expect(out.equals(DATA)).toBe(true);
    expect(verified).toEqual({ length: 66_560, checksums: { crc32c: 'sOO8/Q==' } });
  });

  it('a trailer changed after signing: SignatureDoesNotMatch; no trailer signature: MalformedTrailerError', async () => {
    const changed = trailerBlock.replace('sOO8/Q==', 'AAAAAA==');
    expect((await failure(verifyPayload(docAuth(TRAILER), TRAILER.headers, pieces(docBody(TRAILER.chunks, changed), 3000)))).code).toBe('SignatureDoesNotMatch');
    expect((await failure(verifyPayload(docAuth(TRAILER), TRAILER.headers, pieces(docBody(TRAILER.chunks, `${TRAILER.trailer}\r\n`), 3000)))).code).toBe('MalformedTrailerError');
  });

  it('a wrong checksum, properly signed: BadDigest', async () => {
    const body = signedChunked(DATA, 65_536, TRAILER.seed, { trailer: 'x-amz-checksum-crc32c:AAAAAA==' });
    const error = await failure(verifyPayload(docAuth(TRAILER), TRAILER.headers, pieces(body, 3000)));
    expect([error.code, error.httpStatus]).toEqual(['BadDigest', 400]);
    expect(error.message).toContain('CRC32C');
  });

  it('a corrupted chunk among many: SignatureDoesNotMatch', async () => {
    const data = randomBytes(300_000);
    const body = signedChunked(data, 8192, TRAILER.seed, { trailer: `x-amz-checksum-crc32c:${Buffer.from(await sdkDigest(new Crc32cJs(), data)).toString('base64')}` });
    const headers = { ...TRAILER.headers, 'x-amz-decoded-content-length': String(data.length) };
    expect((await drain(verifyPayload(docAuth(TRAILER), headers, pieces(body, 5000)))).equals(data)).toBe(true);
    body[200_000] = body[200_000]! ^ 0xff;
    expect((await failure(verifyPayload(docAuth(TRAILER), headers, pieces(body, 5000)))).code).toBe('SignatureDoesNotMatch');
  });
});

describe('STREAMING-UNSIGNED-PAYLOAD-TRAILER: every flexible checksum', () => {
  const data = randomBytes(200_001);
  const expected = async (algorithm: string): Promise<string> => {
    switch (algorithm) {
      case 'crc32': {
        const out = Buffer.alloc(4);
        out.writeUInt32BE(crc32(data));
        return out.toString('base64');
      }
      case 'crc32c':
        return Buffer.from(await sdkDigest(new Crc32cJs(), data)).toString('base64');
      case 'crc64nvme':
        return Buffer.from(await sdkDigest(new Crc64NvmeJs(), data)).toString('base64');
      default:
        return createHash(algorithm).update(data).digest('base64');
    }
  };

  for (const algorithm of ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256']) {
    it(`x-amz-checksum-${algorithm}: the right value passes, a wrong one is BadDigest`, async () => {
      const value = await expected(algorithm);
      let verified: VerifiedPayload | undefined;
      const out = await drain(verifyPayload(unsignedAuth, unsignedHeaders(algorithm, data.length), pieces(unsignedChunked(data, 65_536, `x-amz-checksum-${algorithm}:${value}`), 10_000), { onVerified: (v) => (verified = v) }));
      expect(out.equals(data)).toBe(true);
      expect(verified?.checksums).toEqual({ [algorithm]: value });
      const wrong = Buffer.from(value, 'base64');
      wrong[0] = wrong[0]! ^ 1;
      const error = await failure(verifyPayload(unsignedAuth, unsignedHeaders(algorithm, data.length), pieces(unsignedChunked(data, 65_536, `x-amz-checksum-${algorithm}:${wrong.toString('base64')}`), 10_000)));
      expect(error.code).toBe('BadDigest');
    });
  }

  it('a trailer other than the one x-amz-trailer announced, or none: MalformedTrailerError', async () => {
    const crc = await expected('crc32');
    const other = await failure(verifyPayload(unsignedAuth, unsignedHeaders('crc32c', data.length), pieces(unsignedChunked(data, 65_536, `x-amz-checksum-crc32:${crc}`), 10_000)));
    expect(other.code).toBe('MalformedTrailerError');
    const none = unsignedChunked(data, 65_536, '').subarray(0, -2); // `0\r\n\r\n`: no trailer line at all
    expect((await failure(verifyPayload(unsignedAuth, unsignedHeaders('crc32', data.length), pieces(none, 10_000)))).code).toBe('MalformedTrailerError');
  });

  it('an anonymous request with STREAMING-UNSIGNED-PAYLOAD-TRAILER is decoded and checked too', async () => {
    const crc = await expected('crc32');
    const out = await drain(verifyPayload({ kind: 'anonymous' }, unsignedHeaders('crc32', data.length), pieces(unsignedChunked(data, 65_536, `x-amz-checksum-crc32:${crc}`), 10_000)));
    expect(out.equals(data)).toBe(true);
  });
});

describe('a plain body', () => {
  const body = Buffer.from('Welcome to Amazon S3.');
  const sha = createHash('sha256').update(body).digest('hex');
  const md5 = createHash('md5').update(body).digest('base64');
  const signed = (expectedHex: string): AuthResult => ({ kind: 'key', key: DOC_KEY, via: 'header', payload: { mode: 'sha256', expectedHex } });

  it('x-amz-content-sha256: a match passes; a mismatch is XAmzContentSHA256Mismatch, thrown where the body would end', async () => {
    expect((await drain(verifyPayload(signed(sha), {}, pieces(body, 5)))).equals(body)).toBe(true);
    const iterator = verifyPayload(signed(sha), {}, pieces(Buffer.from('Welcome to Amazon S4.'), 5));
    const seen: number[] = [];
    const error = await (async () => {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done) return null;
          seen.push(next.value.length);
        }
      } catch (e) {
        return e as S3AuthError;
      }
    })();
    expect(seen.reduce((a, b) => a + b, 0)).toBe(21);
    expect(error?.code).toBe('XAmzContentSHA256Mismatch');
    expect(error?.details).toMatchObject({ ClientComputedContentSHA256: sha });
  });

  it('Content-MD5: a match passes, a mismatch is BadDigest, a malformed one InvalidDigest at once', async () => {
    const unsigned: AuthResult = { kind: 'key', key: DOC_KEY, via: 'query', payload: { mode: 'unsigned' } };
    expect((await drain(verifyPayload(unsigned, { 'content-md5': md5 }, pieces(body, 4)))).equals(body)).toBe(true);
    const wrong = createHash('md5').update('other').digest('base64');
    expect((await failure(verifyPayload(unsigned, { 'content-md5': wrong }, pieces(body, 4)))).code).toBe('BadDigest');
    for (const malformed of ['not base64!', 'AAAA', md5.slice(0, -2)]) {
      expect(syncFailure(() => verifyPayload(unsigned, { 'content-md5': malformed }, pieces(body, 4))).code).toBe('InvalidDigest');
    }
  });

  it('x-amz-checksum-<algorithm> headers: verified; two at once or a malformed value refused at once', async () => {
    const crc = new Crc64NvmeJs();
    crc.update(body);
    const value = Buffer.from(await crc.digest()).toString('base64');
    const auth = signed(sha);
    let verified: VerifiedPayload | undefined;
    await drain(verifyPayload(auth, { 'x-amz-checksum-crc64nvme': value }, pieces(body, 3), { onVerified: (v) => (verified = v) }));
    expect(verified).toEqual({ length: 21, checksums: { crc64nvme: value } });
    expect((await failure(verifyPayload(auth, { 'x-amz-checksum-crc64nvme': 'AAAAAAAAAAA=' }, pieces(body, 3)))).code).toBe('BadDigest');
    expect(syncFailure(() => verifyPayload(auth, { 'x-amz-checksum-crc64nvme': value, 'x-amz-checksum-crc32': 'AAAAAA==' }, pieces(body, 3))).code).toBe('InvalidRequest');
    expect(syncFailure(() => verifyPayload(auth, { 'x-amz-checksum-crc32': 'AAAA' }, pieces(body, 3))).code).toBe('InvalidRequest');
  });

  it('an anonymous request\'s own x-amz-content-sha256 is held to its body; signed chunks without a signature are refused', async () => {
    const error = await failure(verifyPayload({ kind: 'anonymous' }, { 'x-amz-content-sha256': EMPTY }, pieces(body, 8)));
    expect(error.code).toBe('XAmzContentSHA256Mismatch');
    const chunked = { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'x-amz-decoded-content-length': '21' };
    expect(syncFailure(() => verifyPayload({ kind: 'anonymous' }, chunked, pieces(body, 8))).code).toBe('InvalidRequest');
  });
});
