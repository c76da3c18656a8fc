import { createHash, createHmac } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { describe, expect, it } from 'vitest';
import type { AccessKey } from '../../agents/services/kodo/access/access-keys';
import { authenticateRequest, presignUrl, S3AuthError, type AuthRequest } from '../../agents/services/kodo/s3/auth';
import { canonicalQuery, canonicalRequest, canonicalUri, credentialScope, hmac, sha256Hex, signingKey, stringToSign, uriEncode } from '../../agents/services/kodo/s3/auth/sigv4-canonical';

/**
 * Signature Version 4 verification against three references that owe nothing to this code: AWS's
 * published test suite, the worked examples of the S3 documentation (AWS's example key), and
 * requests signed by the AWS SDK's own signer (@smithy/signature-v4).
 */

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const DOC_KEY: AccessKey = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  bucket: null,
  access: 'read-write',
  created: '2013-05-24T00:00:00Z',
  description: 'the S3 documentation\'s example key',
};
const KODO_KEY: AccessKey = { ...DOC_KEY, accessKeyId: 'KODOTESTKEY000000001', secretKey: 'kodo-secret-0123456789abcdefghijklmnopqr', description: 'test' };
const keys = { get: (id: string) => [DOC_KEY, KODO_KEY].find((k) => k.accessKeyId === id) };
const DOC_NOW = new Date('2013-05-24T00:00:00Z');
const DOC_HOST = 'examplebucket.s3.amazonaws.com';
const docAuth = (signedHeaders: string, signature: string) =>
  `AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=${signedHeaders},Signature=${signature}`;

/** The error a call throws, as an S3AuthError (failing the test when it returns or throws something else). */
function refusal(call: () => unknown): S3AuthError {
  try {
    call();
  } catch (error) {
    if (error instanceof S3AuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal, but the request was accepted');
}

describe('AWS Signature V4 test suite (aws-sig-v4-test-suite: AKIDEXAMPLE, service "service", 20150830T123600Z)', () => {
  const secret = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
  const date = '20150830T123600Z';
  const host = 'example.amazonaws.com';
  // Request (path and query as on the wire, headers besides host and x-amz-date) → the suite's signature.
  const cases: { name: string; method: string; path: string; query?: string; headers?: IncomingHttpHeaders; body?: string; signature: string }[] = [
    { name: 'get-vanilla', method: 'GET', path: '/', signature: '5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31' },
    { name: 'get-vanilla-empty-query-key', method: 'GET', path: '/', query: 'Param1=value1', signature: 'a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb' },
    { name: 'get-vanilla-query-order-key-case', method: 'GET', path: '/', query: 'Param2=value2&Param1=value1', signature: 'b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500' },
    {
      name: 'get-vanilla-query-unreserved',
      method: 'GET',
      path: '/',
      query: '-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz',
      signature: '9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197',
    },
    { name: 'get-vanilla-utf8-query', method: 'GET', path: '/', query: '%E1%88%B4=bar', signature: '2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04' },
    { name: 'get-unreserved', method: 'GET', path: '/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz', signature: '07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f' },
    { name: 'get-utf8', method: 'GET', path: '/%E1%88%B4', signature: '8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85' },
    { name: 'normalize-path/get-space', method: 'GET', path: '/example%20space/', signature: '652487583200325589f1fba4c7e578f72c47cb61beeca81406b39ddec1366741' },
    { name: 'get-header-value-trim', method: 'GET', path: '/', headers: { 'my-header1': ' value1', 'my-header2': ' "a   b   c"' }, signature: 'acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736' },
    // Repeated headers: each value as sent, joined by ',' in order (Node hands repeated unknown headers as one ', '-joined string; an array here stands for rawHeaders).
    { name: 'get-header-key-duplicate', method: 'GET', path: '/', headers: { 'my-header1': ['value2', 'value2', 'value1'] }, signature: 'c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea' },
    { name: 'get-header-value-order', method: 'GET', path: '/', headers: { 'my-header1': ['value4', 'value1', 'value3', 'value2'] }, signature: '08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01' },
    { name: 'post-vanilla', method: 'POST', path: '/', signature: '5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b' },
    { name: 'post-vanilla-empty-query-value', method: 'POST', path: '/', query: 'Param1=value1', signature: '28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11' },
    { name: 'post-header-key-sort', method: 'POST', path: '/', headers: { 'my-header1': 'value1' }, signature: 'c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c' },
    { name: 'post-header-value-case', method: 'POST', path: '/', headers: { 'my-header1': 'VALUE1' }, signature: 'cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d' },
    {
      name: 'post-x-www-form-urlencoded',
      method: 'POST',
      path: '/',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Param1=value1',
      signature: 'ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a',
    },
  ];

  for (const c of cases) {
    it(c.name, () => {
      const headers: IncomingHttpHeaders = { host, 'x-amz-date': date, ...c.headers };
      const signedHeaders = Object.keys(headers).sort();
      const canonical = canonicalRequest({
        method: c.method,
        canonicalUri: canonicalUri(c.path),
        canonicalQuery: canonicalQuery(c.query ?? ''),
        headers,
        signedHeaders,
        payloadHash: sha256Hex(c.body ?? ''),
      });
      const scope = credentialScope('20150830', 'us-east-1', 'service');
      expect(hmac(signingKey(secret, '20150830', 'us-east-1', 'service'), stringToSign(date, scope, canonical)).toString('hex')).toBe(c.signature);
    });
  }

  it('a canonical request the suite prints in full: get-vanilla-query-order-key', () => {
    const canonical = canonicalRequest({
      method: 'GET',
      canonicalUri: '/',
      canonicalQuery: canonicalQuery('Param1=value2&Param1=Value1'),
      headers: { host, 'x-amz-date': date },
      signedHeaders: ['host', 'x-amz-date'],
      payloadHash: EMPTY,
    });
    expect(canonical).toBe(`GET\n/\nParam1=Value1&Param1=value2\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY}`);
  });
});

describe('the S3 documentation\'s worked examples (AKIAIOSFODNN7EXAMPLE, us-east-1, 20130524T000000Z)', () => {
  const get = (rawPath: string, rawQuery: string, extra: IncomingHttpHeaders, signedHeaders: string, signature: string): AuthRequest => ({
    method: 'GET',
    rawPath,
    rawQuery,
    headers: { host: DOC_HOST, 'x-amz-content-sha256': EMPTY, 'x-amz-date': '20130524T000000Z', ...extra, authorization: docAuth(signedHeaders, signature) },
  });
  const options = { region: 'us-east-1', now: DOC_NOW };

  it('GET Object with a Range header', () => {
    const result = authenticateRequest(get('/test.txt', '', { range: 'bytes=0-9' }, 'host;range;x-amz-content-sha256;x-amz-date', 'f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41'), keys, options);
    expect(result).toMatchObject({ kind: 'key', key: { accessKeyId: 'AKIAIOSFODNN7EXAMPLE' }, via: 'header', payload: { mode: 'sha256', expectedHex: EMPTY } });
  });

  it('PUT Object: a path with $, a Date header beside x-amz-date, the body\'s SHA-256', () => {
    const bodyHash = sha256Hex('Welcome to Amazon S3.');
    expect(bodyHash).toBe('44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072');
    const result = authenticateRequest(
      {
        method: 'PUT',
        rawPath: '/test%24file.text',
        rawQuery: '',
        headers: {
          host: DOC_HOST,
          date: 'Fri, 24 May 2013 00:00:00 GMT',
          'x-amz-date': '20130524T000000Z',
          'x-amz-storage-class': 'REDUCED_REDUNDANCY',
          'x-amz-content-sha256': bodyHash,
          authorization: docAuth('date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class', '98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd'),
        },
      },
      keys,
      options,
    );
    expect(result).toMatchObject({ kind: 'key', payload: { mode: 'sha256', expectedHex: bodyHash } });
  });

  it('GET Bucket lifecycle: a parameter without a value', () => {
    expect(authenticateRequest(get('/', 'lifecycle', {}, 'host;x-amz-content-sha256;x-amz-date', 'fea454ca298b7da1c68078a5d1bdbfbbe0d65c699e0f91ac7a200a0136783543'), keys, options).kind).toBe('key');
  });

  it('GET Bucket (list objects): parameters sorted by name', () => {
    expect(authenticateRequest(get('/', 'max-keys=2&prefix=J', {}, 'host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'), keys, options).kind).toBe('key');
    expect(authenticateRequest(get('/', 'prefix=J&max-keys=2', {}, 'host;x-amz-content-sha256;x-amz-date', '34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7'), keys, options).kind).toBe('key');
  });

  const docPresigned =
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404';

  it('a presigned GET (X-Amz-Expires=86400), valid until its last second', () => {
    const request = { method: 'GET', rawPath: '/test.txt', rawQuery: docPresigned, headers: { host: DOC_HOST } };
    expect(authenticateRequest(request, keys, options)).toMatchObject({ kind: 'key', via: 'query', payload: { mode: 'unsigned' } });
    expect(authenticateRequest(request, keys, { ...options, now: new Date('2013-05-25T00:00:00Z') }).kind).toBe('key');
    const expired = refusal(() => authenticateRequest(request, keys, { ...options, now: new Date('2013-05-25T00:00:01Z') }));
    expect([expired.code, expired.httpStatus]).toEqual(['AccessDenied', 403]);
    expect(expired.message).toMatch(/^Request has expired/);
    expect(expired.details).toMatchObject({ 'X-Amz-Expires': '86400', Expires: '2013-05-25T00:00:00.000Z', ServerTime: '2013-05-25T00:00:01.000Z' });
  });

  it('presignUrl builds the documentation\'s presigned URL, byte for byte', () => {
    const url = presignUrl({ method: 'GET', url: `https://${DOC_HOST}/test.txt`, key: DOC_KEY, region: 'us-east-1', expiresSeconds: 86400, now: DOC_NOW });
    expect(url).toBe(`https://${DOC_HOST}/test.txt?${docPresigned}`);
  });
});

/** node:crypto as the SDK's Checksum constructor (hash, or HMAC when given a secret). */
class NodeSha256 {
  private readonly hash;
  constructor(secret?: string | ArrayBuffer | ArrayBufferView) {
    const key = secret === undefined || typeof secret === 'string' ? secret : ArrayBuffer.isView(secret) ? new Uint8Array(secret.buffer, secret.byteOffset, secret.byteLength) : new Uint8Array(secret);
    this.hash = key === undefined ? createHash('sha256') : createHmac('sha256', key);
  }
  update(data: string | Uint8Array): void {
    this.hash.update(data);
  }
  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.hash.digest()));
  }
  reset(): void {}
}

const SDK_NOW = new Date('2026-12-03T20:00:00Z');
const REGION = 'cn-east-1';
const signer = new SignatureV4({ credentials: { accessKeyId: KODO_KEY.accessKeyId, secretAccessKey: KODO_KEY.secretKey }, region: REGION, service: 's3', sha256: NodeSha256, uriEscapePath: false });

type Query = Record<string, string | string[]>;
/** The query as a client puts it on the wire: each name and value percent-encoded (%20, never '+'). */
const wireQuery = (query: Query) =>
  Object.entries(query)
    .flatMap(([name, value]) => (Array.isArray(value) ? value : [value]).map((v) => `${uriEncode(name)}=${uriEncode(v)}`))
    .join('&');
/** A key in the path as the S3 SDK sends it: each segment encoded, '/' kept. */
const keyPath = (bucket: string, key: string) => `/${bucket}/${key.split('/').map((s) => uriEncode(s)).join('/')}`;

async function sdkSigned(method: string, path: string, query: Query, headers: Record<string, string>, at = SDK_NOW): Promise<AuthRequest> {
  const signed = await signer.sign({ method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query, headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD', ...headers } }, { signingDate: at });
  const wire: IncomingHttpHeaders = {};
  for (const [name, value] of Object.entries(signed.headers)) wire[name.toLowerCase()] = value;
  return { method, rawPath: path, rawQuery: wireQuery(query), headers: wire };
}

async function sdkPresigned(method: string, path: string, query: Query, expiresIn: number, at = SDK_NOW): Promise<AuthRequest> {
  const signed = await signer.presign(
    { method, protocol: 'http:', hostname: '127.0.0.1', port: 9000, path, query, headers: { host: '127.0.0.1:9000', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
    { signingDate: at, expiresIn },
  );
  return { method, rawPath: path, rawQuery: wireQuery(signed.query as Query), headers: { host: '127.0.0.1:9000' } };
}

const kodo = { region: REGION, now: SDK_NOW };

describe('requests signed by the AWS SDK\'s signer (@smithy/signature-v4)', () => {
  const awkwardKeys = ['photos/été 2013/a+b (1)~x_y-z.jpg', 'space in key', 'plus+sign', '中文/文件名.txt', 'tilde~and*star!\'()', 'a//double/slash', 'percent%25and%', 'emoji 😀.png'];
  for (const key of awkwardKeys) {
    it(`header-signed GET of "${key}"`, async () => {
      const request = await sdkSigned('GET', keyPath('bucket', key), {}, {});
      expect(authenticateRequest(request, keys, kodo)).toMatchObject({ kind: 'key', key: { accessKeyId: KODO_KEY.accessKeyId } });
    });
    it(`presigned GET of "${key}"`, async () => {
      const request = await sdkPresigned('GET', keyPath('bucket', key), {}, 3600);
      expect(authenticateRequest(request, keys, kodo)).toMatchObject({ kind: 'key', via: 'query', payload: { mode: 'unsigned' } });
    });
  }

  const queries: [string, Query][] = [
    ['spaces and plus in values', { prefix: 'a b+c', delimiter: '/' }],
    ['unicode names and values', { 'x-ключ': 'значение', prefix: '日本' }],
    ['a repeated parameter, values out of order', { tag: ['z', 'a', 'm'] }],
    ['empty values', { uploads: '', prefix: '' }],
    ['reserved characters', { 'response-content-disposition': 'attachment; filename="a b.txt"', marker: '~!*\'()&=?#[]' }],
  ];
  for (const [what, query] of queries) {
    it(`query edge case: ${what}`, async () => {
      expect(authenticateRequest(await sdkSigned('GET', '/bucket', query, {}), keys, kodo).kind).toBe('key');
      expect(authenticateRequest(await sdkPresigned('GET', '/bucket', query, 60), keys, kodo).kind).toBe('key');
    });
  }

  it('a raw "+" in the query reads as a space, as S3 reads it (form encoding)', async () => {
    const request = await sdkSigned('GET', '/bucket', { prefix: 'a b' }, {});
    expect(request.rawQuery).toBe('prefix=a%20b');
    expect(authenticateRequest({ ...request, rawQuery: 'prefix=a+b' }, keys, kodo).kind).toBe('key');
    // A client that sends '+' raw but signed it as a plus (%2B) matches on the as-sent reading.
    const plus = await sdkSigned('GET', '/bucket', { prefix: 'a+b' }, {});
    expect(authenticateRequest({ ...plus, rawQuery: 'prefix=a+b' }, keys, kodo).kind).toBe('key');
    expect(refusal(() => authenticateRequest({ ...plus, rawQuery: 'prefix=a+c' }, keys, kodo)).code).toBe('SignatureDoesNotMatch');
  });

  it('a path sent with lower-case hex or unencoded sub-delimiters still matches (the path signed as sent)', async () => {
    const request = await sdkSigned('GET', '/bucket/a%2Bb', {}, {});
    expect(authenticateRequest({ ...request, rawPath: '/bucket/a%2bb' }, keys, kodo).kind).toBe('key');
    const literal = await sdkSigned('GET', "/bucket/it's(1)!", {}, {});
    expect(authenticateRequest(literal, keys, kodo).kind).toBe('key');
  });

  it('the payload mode follows x-amz-content-sha256', async () => {
    const hex = sha256Hex('body');
    expect(authenticateRequest(await sdkSigned('PUT', '/b/k', {}, { 'x-amz-content-sha256': hex }), keys, kodo)).toMatchObject({ payload: { mode: 'sha256', expectedHex: hex } });
    expect(authenticateRequest(await sdkSigned('PUT', '/b/k', {}, { 'x-amz-content-sha256': 'STREAMING-UNSIGNED-PAYLOAD-TRAILER' }), keys, kodo)).toMatchObject({ payload: { mode: 'chunked', trailer: true } });
    const streaming = authenticateRequest(await sdkSigned('PUT', '/b/k', {}, { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD' }), keys, kodo);
    expect(streaming).toMatchObject({ payload: { mode: 'chunked', trailer: false, signing: { amzDate: '20261203T200000Z', scope: `20261203/${REGION}/s3/aws4_request` } } });
  });

  it('x-amz-meta-* and other signed headers take part in the signature', async () => {
    const request = await sdkSigned('PUT', '/b/k', {}, { 'x-amz-meta-album': 'summer  2024', 'content-type': 'image/jpeg' });
    expect(authenticateRequest(request, keys, kodo).kind).toBe('key');
    expect(refusal(() => authenticateRequest({ ...request, headers: { ...request.headers, 'x-amz-meta-album': 'winter' } }, keys, kodo)).code).toBe('SignatureDoesNotMatch');
  });

  it('a request 14 minutes off our clock is accepted; 16 minutes is RequestTimeTooSkewed', async () => {
    const request = await sdkSigned('GET', '/b/k', {}, {});
    expect(authenticateRequest(request, keys, { ...kodo, now: new Date(SDK_NOW.getTime() + 14 * 60_000) }).kind).toBe('key');
    expect(authenticateRequest(request, keys, { ...kodo, now: new Date(SDK_NOW.getTime() - 14 * 60_000) }).kind).toBe('key');
    for (const offset of [16, -16]) {
      const error = refusal(() => authenticateRequest(request, keys, { ...kodo, now: new Date(SDK_NOW.getTime() + offset * 60_000) }));
      expect([error.code, error.httpStatus]).toEqual(['RequestTimeTooSkewed', 403]);
      expect(error.details).toMatchObject({ RequestTime: '20261203T200000Z', MaxAllowedSkewMilliseconds: '900000' });
    }
  });
});

describe('refusals', () => {
  it('no signature at all is anonymous (the S3 layer decides on public-read)', () => {
    expect(authenticateRequest({ method: 'GET', rawPath: '/b/k', rawQuery: 'versionId=1', headers: { host: 'x' } }, keys, kodo)).toEqual({ kind: 'anonymous' });
  });

  it('an unknown access key: InvalidAccessKeyId (403)', async () => {
    const request = await sdkSigned('GET', '/b/k', {}, {});
    const error = refusal(() => authenticateRequest(request, { get: () => undefined }, kodo));
    expect([error.code, error.httpStatus, error.details.AWSAccessKeyId]).toEqual(['InvalidAccessKeyId', 403, KODO_KEY.accessKeyId]);
  });

  it('a wrong secret: SignatureDoesNotMatch (403) with the StringToSign and CanonicalRequest the SDK signed', async () => {
    const request = await sdkSigned('GET', '/b/k', { 'list-type': '2' }, {});
    const error = refusal(() => authenticateRequest(request, { get: () => ({ ...KODO_KEY, secretKey: 'another-secret' }) }, kodo));
    expect([error.code, error.httpStatus]).toEqual(['SignatureDoesNotMatch', 403]);
    const canonical = error.details.CanonicalRequest!;
    expect(canonical.split('\n').slice(0, 3)).toEqual(['GET', '/b/k', 'list-type=2']);
    expect(error.details.StringToSign).toBe(stringToSign('20261203T200000Z', `20261203/${REGION}/s3/aws4_request`, canonical));
    expect(error.details.SignatureProvided).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a path, query or method changed after signing: SignatureDoesNotMatch', async () => {
    const request = await sdkSigned('GET', '/b/k', { a: '1' }, {});
    for (const changed of [{ ...request, rawPath: '/b/other' }, { ...request, rawQuery: 'a=2' }, { ...request, method: 'DELETE' }, { ...request, rawQuery: 'a=1&b=' }]) {
      expect(refusal(() => authenticateRequest(changed, keys, kodo)).code).toBe('SignatureDoesNotMatch');
    }
  });

  it('a malformed Authorization header: AuthorizationHeaderMalformed (400)', async () => {
    const request = await sdkSigned('GET', '/b/k', {}, {});
    const auth = String(request.headers.authorization);
    const cases = [auth.replace(/, Signature=[0-9a-f]+/, ''), auth.replace('/aws4_request', '/aws5_request'), auth.replace(`${KODO_KEY.accessKeyId}/`, ''), auth.replace(/Signature=[0-9a-f]+/, 'Signature=xyz')];
    for (const authorization of cases) {
      const error = refusal(() => authenticateRequest({ ...request, headers: { ...request.headers, authorization } }, keys, kodo));
      expect([error.code, error.httpStatus]).toEqual(['AuthorizationHeaderMalformed', 400]);
    }
  });

  it('a credential for another region: AuthorizationHeaderMalformed naming ours', async () => {
    const request = await sdkSigned('GET', '/b/k', {}, {});
    const error = refusal(() => authenticateRequest(request, keys, { ...kodo, region: 'us-east-1' }));
    expect([error.code, error.httpStatus, error.details.Region]).toEqual(['AuthorizationHeaderMalformed', 400, 'us-east-1']);
    expect(error.message).toContain(`the region '${REGION}' is wrong; expecting 'us-east-1'`);
  });

  it('header signing without x-amz-content-sha256: InvalidRequest; with a value S3 does not know: InvalidArgument', async () => {
    const request = await sdkSigned('GET', '/b/k', {}, {});
    const { 'x-amz-content-sha256': _dropped, ...without } = request.headers;
    expect(refusal(() => authenticateRequest({ ...request, headers: without }, keys, kodo)).code).toBe('InvalidRequest');
    const odd = await sdkSigned('GET', '/b/k', {}, { 'x-amz-content-sha256': 'SOMETHING' });
    expect(refusal(() => authenticateRequest(odd, keys, kodo)).code).toBe('InvalidArgument');
  });

  it('host, or an x-amz-* header, left out of SignedHeaders: AccessDenied naming it', async () => {
    const request = await sdkSigned('GET', '/b/k', {}, {});
    const noHost = String(request.headers.authorization).replace('SignedHeaders=host;', 'SignedHeaders=');
    const error = refusal(() => authenticateRequest({ ...request, headers: { ...request.headers, authorization: noHost } }, keys, kodo));
    expect([error.code, error.details.HeadersNotSigned]).toEqual(['AccessDenied', 'host']);
    const injected = refusal(() => authenticateRequest({ ...request, headers: { ...request.headers, 'x-amz-meta-owner': 'mallory' } }, keys, kodo));
    expect([injected.code, injected.details.HeadersNotSigned]).toEqual(['AccessDenied', 'x-amz-meta-owner']);
  });

  it('Signature Version 2 (header or query): InvalidRequest asking for AWS4-HMAC-SHA256', () => {
    const v2Header = refusal(() => authenticateRequest({ method: 'GET', rawPath: '/b/k', rawQuery: '', headers: { host: 'x', authorization: 'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=' } }, keys, kodo));
    const v2Query = refusal(() => authenticateRequest({ method: 'GET', rawPath: '/b/k', rawQuery: 'AWSAccessKeyId=A&Expires=1&Signature=x', headers: { host: 'x' } }, keys, kodo));
    for (const error of [v2Header, v2Query]) expect([error.code, error.httpStatus, /AWS4-HMAC-SHA256/.test(error.message)]).toEqual(['InvalidRequest', 400, true]);
  });

  it('a header signature and a presigned query together: InvalidArgument', async () => {
    const header = await sdkSigned('GET', '/b/k', {}, {});
    const query = await sdkPresigned('GET', '/b/k', {}, 60);
    expect(refusal(() => authenticateRequest({ ...query, headers: header.headers }, keys, kodo)).code).toBe('InvalidArgument');
  });

  it('presigned: expired → AccessDenied "Request has expired"; dated beyond the skew in the future → AccessDenied', async () => {
    const request = await sdkPresigned('GET', '/b/k', {}, 60);
    expect(authenticateRequest(request, keys, { ...kodo, now: new Date(SDK_NOW.getTime() + 60_000) }).kind).toBe('key');
    expect(refusal(() => authenticateRequest(request, keys, { ...kodo, now: new Date(SDK_NOW.getTime() + 61_000) })).message).toMatch(/^Request has expired/);
    const future = await sdkPresigned('GET', '/b/k', {}, 60, new Date(SDK_NOW.getTime() + 16 * 60_000));
    const error = refusal(() => authenticateRequest(future, keys, kodo));
    expect([error.code, error.httpStatus]).toEqual(['AccessDenied', 403]);
    expect(error.message).toMatch(/not valid yet/);
    // Within the skew a URL dated a little ahead (the presigning machine's clock) is fine.
    expect(authenticateRequest(await sdkPresigned('GET', '/b/k', {}, 60, new Date(SDK_NOW.getTime() + 5 * 60_000)), keys, kodo).kind).toBe('key');
  });

  it('presigned: X-Amz-Expires outside 1…604800, a missing parameter, another region → AuthorizationQueryParametersError (400)', async () => {
    const request = await sdkPresigned('GET', '/b/k', {}, 60);
    const variants = [
      request.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=604801'),
      request.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=0'),
      request.rawQuery.replace('X-Amz-Expires=60', 'X-Amz-Expires=soon'),
      request.rawQuery.replace(/&?X-Amz-SignedHeaders=host/, ''),
      request.rawQuery.replace('X-Amz-Algorithm=AWS4-HMAC-SHA256', 'X-Amz-Algorithm=AWS4-HMAC-SHA1'),
    ];
    for (const rawQuery of variants) {
      const error = refusal(() => authenticateRequest({ ...request, rawQuery }, keys, kodo));
      expect([error.code, error.httpStatus]).toEqual(['AuthorizationQueryParametersError', 400]);
    }
    const elsewhere = refusal(() => authenticateRequest(request, keys, { ...kodo, region: 'us-west-2' }));
    expect([elsewhere.code, elsewhere.details.Region]).toEqual(['AuthorizationQueryParametersError', 'us-west-2']);
    // The longest allowed expiry is accepted.
    expect(authenticateRequest(await sdkPresigned('GET', '/b/k', {}, 604_800), keys, kodo).kind).toBe('key');
  });

  it('presigned: a tampered signature or an added parameter → SignatureDoesNotMatch', async () => {
    const request = await sdkPresigned('GET', '/b/k', {}, 60);
    const flipped = request.rawQuery.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    expect(refusal(() => authenticateRequest({ ...request, rawQuery: flipped }, keys, kodo)).code).toBe('SignatureDoesNotMatch');
    expect(refusal(() => authenticateRequest({ ...request, rawQuery: `${request.rawQuery}&response-content-type=text%2Fhtml` }, keys, kodo)).code).toBe('SignatureDoesNotMatch');
  });

  it('presigned: the SDK hoists x-amz-content-sha256 into the query, and it is what the signature covers', async () => {
    const request = await sdkPresigned('GET', '/b/k', {}, 60);
    expect(request.rawQuery).toContain('x-amz-content-sha256=UNSIGNED-PAYLOAD');
    const hex = sha256Hex('x');
    expect(refusal(() => authenticateRequest({ ...request, rawQuery: request.rawQuery.replace('UNSIGNED-PAYLOAD', hex) }, keys, kodo)).code).toBe('SignatureDoesNotMatch');
  });

  it('presigned: an unsigned x-amz-content-sha256 header still decides how the body is read; signed chunks are refused', async () => {
    const request = await sdkPresigned('PUT', '/b/k', {}, 60);
    const hex = sha256Hex('body');
    const withHeader = (value: string) => authenticateRequest({ ...request, headers: { ...request.headers, 'x-amz-content-sha256': value } }, keys, kodo);
    expect(withHeader('STREAMING-UNSIGNED-PAYLOAD-TRAILER')).toMatchObject({ kind: 'key', payload: { mode: 'chunked', trailer: true } });
    expect(withHeader(hex)).toMatchObject({ kind: 'key', payload: { mode: 'sha256', expectedHex: hex } });
    expect(refusal(() => withHeader('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')).code).toBe('InvalidRequest');
  });

  it('presignUrl: a URL of an awkward key that the verifier accepts, for the method it was made for only', () => {
    const url = new URL(presignUrl({ method: 'GET', url: `http://127.0.0.1:9000${keyPath('bucket', 'photos/été 2013/a+b (1).jpg')}`, key: KODO_KEY, region: REGION, expiresSeconds: 300, now: SDK_NOW }));
    const request = { method: 'GET', rawPath: url.pathname, rawQuery: url.search.slice(1), headers: { host: url.host } };
    expect(authenticateRequest(request, keys, kodo)).toMatchObject({ kind: 'key', via: 'query' });
    expect(refusal(() => authenticateRequest({ ...request, method: 'PUT' }, keys, kodo)).code).toBe('SignatureDoesNotMatch');
    expect(() => presignUrl({ method: 'GET', url: 'http://h/b/k', key: KODO_KEY, region: REGION, expiresSeconds: 604_801, now: SDK_NOW })).toThrow(RangeError);
  });
});
