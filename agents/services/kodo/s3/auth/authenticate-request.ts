import type { IncomingHttpHeaders } from 'node:http';
import type { AccessKey, AccessKeyLookup } from '../../access/access-keys';
import { type PayloadCheck, classifyContentSha256, declaredPayloadCheck } from './payload-check';
import { S3AuthError, accessDenied, invalidRequest } from './s3-auth-error';
import { claimKind, parseHeaderClaim, parseQueryClaim, type SignatureClaim } from './signature-claim';
import {
  UNSIGNED_PAYLOAD,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  decodeQuery,
  hmac,
  sameSignature,
  signingKey,
  stringToSign,
} from './sigv4-canonical';

/** A request as authentication sees it: no transport, the path and query exactly as on the wire. */
export interface AuthRequest {
  method: string;
  /** Percent-encoded, before any decoding (`/bucket/a%20b`). */
  rawPath: string;
  /** After '?', as sent; '' when there is none. */
  rawQuery: string;
  /** Node's IncomingHttpHeaders: lower-case names. */
  headers: IncomingHttpHeaders;
  /**
   * Node's `req.headersDistinct`, when the transport has it: a header sent twice is signed as its
   * values joined by ',', which `headers` cannot give back (Node joins them with ', ').
   */
  headersDistinct?: NodeJS.Dict<string[]>;
}

export interface AuthOptions {
  region: string;
  service?: string;
  now: Date;
  /** How far a header-signed request's time may be from ours; AWS's 15 minutes by default. */
  maxSkewMs?: number;
}

export type AuthResult =
  | { kind: 'anonymous' }
  | { kind: 'key'; key: AccessKey; via: 'header' | 'query'; payload: PayloadCheck };

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

/**
 * Who signed this request, checked as S3 checks Signature Version 4 (header or presigned URL).
 * Throws S3AuthError for every refusal; returns `anonymous` when the request carries no
 * signature at all (the caller decides whether the bucket is public). The body is not read here:
 * `payload` says how verifyPayload must check it.
 */
export function authenticateRequest(request: AuthRequest, keys: AccessKeyLookup, options: AuthOptions): AuthResult {
  const query = decodeQuery(request.rawQuery);
  const kind = claimKind(request.headers, query);
  if (kind === 'anonymous') return { kind: 'anonymous' };
  const expected = { region: options.region, service: options.service ?? 's3' };
  const claim = kind === 'header' ? parseHeaderClaim(request.headers, expected) : parseQueryClaim(query, expected);

  const key = keys.get(claim.accessKeyId);
  if (!key) {
    throw new S3AuthError(
      'InvalidAccessKeyId',
      403,
      'The AWS Access Key Id you provided does not exist in our records. Check the key on the appliance\'s Storage page (it may have been deleted).',
      { AWSAccessKeyId: claim.accessKeyId },
    );
  }
  checkTime(claim, options);
  const payloadHash = kind === 'header' ? headerPayloadHash(request.headers) : queryPayloadHash(claim, request.headers);
  checkSignedHeaders(claim, request.headers);

  const sKey = signingKey(key.secretKey, claim.scopeDate, claim.region, claim.service);
  const scope = credentialScope(claim.scopeDate, claim.region, claim.service);
  const omit = kind === 'query' ? 'X-Amz-Signature' : undefined;
  const canonicalOf = (uri: string, plusIsLiteral: boolean) =>
    canonicalRequest({
      method: request.method,
      canonicalUri: uri,
      canonicalQuery: canonicalQuery(request.rawQuery, omit !== undefined ? { omit, plusIsLiteral } : { plusIsLiteral }),
      headers: request.headersDistinct ?? request.headers,
      signedHeaders: claim.signedHeaders,
      payloadHash,
    });
  // S3's reading first (path decoded and encoded again, '+' in the query a space); then the request
  // exactly as sent, for signers that sign the path they send without normalizing it ('!' or '(' left
  // unencoded, lower-case hex) or mean '+' literally. Both are this request's own bytes.
  const primary = canonicalOf(canonicalUri(request.rawPath), false);
  const candidates = [primary];
  const asSent = canonicalOf(request.rawPath === '' ? '/' : request.rawPath, true);
  if (asSent !== primary) candidates.push(asSent);
  for (const canonical of candidates) {
    const expectedSignature = hmac(sKey, stringToSign(claim.amzDate, scope, canonical)).toString('hex');
    if (sameSignature(expectedSignature, claim.signature)) return { kind: 'key', key, via: kind, payload: payloadCheck(payloadHash, claim, request.headers, sKey, scope) };
  }
  const sts = stringToSign(claim.amzDate, scope, primary);
  throw new S3AuthError(
    'SignatureDoesNotMatch',
    403,
    'The request signature we calculated does not match the signature you provided. Check your key and signing method (the secret key, the region, and that nothing rewrote the request after signing).',
    { AWSAccessKeyId: claim.accessKeyId, StringToSign: sts, SignatureProvided: claim.signature, CanonicalRequest: primary },
  );
}

function checkTime(claim: SignatureClaim, options: AuthOptions): void {
  const maxSkew = options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS;
  const now = options.now.getTime();
  const at = claim.requestTime.getTime();
  const serverTime = options.now.toISOString();
  if (claim.via === 'header') {
    if (Math.abs(now - at) > maxSkew) {
      throw new S3AuthError(
        'RequestTimeTooSkewed',
        403,
        'The difference between the request time and the current time is too large. Set the client machine\'s clock (or the appliance\'s, with NTP) and retry.',
        { RequestTime: claim.amzDate, ServerTime: serverTime, MaxAllowedSkewMilliseconds: String(maxSkew) },
      );
    }
    return;
  }
  if (at - now > maxSkew) {
    throw accessDenied('Request is not valid yet: the presigned URL is dated in the future. Check the clock of the machine that presigned it.', {
      'X-Amz-Date': claim.amzDate,
      ServerTime: serverTime,
    });
  }
  const expiresAt = at + (claim.expiresSeconds ?? 0) * 1000;
  if (now > expiresAt) {
    throw accessDenied('Request has expired: presign the URL again.', {
      'X-Amz-Expires': String(claim.expiresSeconds),
      Expires: new Date(expiresAt).toISOString(),
      ServerTime: serverTime,
    });
  }
}

function headerPayloadHash(headers: IncomingHttpHeaders): string {
  const value = headers['x-amz-content-sha256'];
  if (typeof value !== 'string') throw invalidRequest('Missing required header for this request: x-amz-content-sha256 (every Signature Version 4 request to S3 carries it).');
  classifyContentSha256(value);
  return value;
}

/** A presigned URL signs UNSIGNED-PAYLOAD unless it says otherwise (a signed header or X-Amz-Content-Sha256). */
function queryPayloadHash(claim: SignatureClaim, headers: IncomingHttpHeaders): string {
  const header = headers['x-amz-content-sha256'];
  const value = typeof header === 'string' && claim.signedHeaders.includes('x-amz-content-sha256') ? header : (claim.queryPayloadHash ?? UNSIGNED_PAYLOAD);
  classifyContentSha256(value);
  return value;
}

/** Unsigned headers a presigned request may carry: about its own body only (hash, checksums, framing). */
const PRESIGNED_UNSIGNED_ALLOWED = /^x-amz-(content-sha256|checksum-[a-z0-9]+|sdk-checksum-algorithm|decoded-content-length|trailer)$/;

/**
 * Host must be signed (else a signature could be replayed at another endpoint), and every x-amz-*
 * header present too (for a presigned URL, all but those about its own body), as S3 requires: an unsigned x-amz-content-sha256 could
 * be swapped for UNSIGNED-PAYLOAD together with the body, an unsigned x-amz-meta-* rewritten.
 */
function checkSignedHeaders(claim: SignatureClaim, headers: IncomingHttpHeaders): void {
  const signed = new Set(claim.signedHeaders);
  const notSigned = signed.has('host') ? [] : ['host'];
  for (const name of Object.keys(headers)) {
    if (!name.startsWith('x-amz-') || signed.has(name)) continue;
    // A presigned URL is handed to someone else: it may carry only headers that describe or check
    // its own body. Anything else unsigned would change what the link does — x-amz-copy-source
    // turns an upload link into a copy of any object its key can read.
    if (claim.via === 'query' && PRESIGNED_UNSIGNED_ALLOWED.test(name)) continue;
    notSigned.push(name);
  }
  if (notSigned.length > 0) {
    throw accessDenied(`There were headers present in the request which were not signed: ${notSigned.join(', ')}. Sign them (the AWS SDKs do).`, {
      HeadersNotSigned: notSigned.join(', '),
    });
  }
}

function payloadCheck(payloadHash: string, claim: SignatureClaim, headers: IncomingHttpHeaders, key: Buffer, scope: string): PayloadCheck {
  const signing = { key, amzDate: claim.amzDate, scope, seedSignature: claim.signature };
  switch (classifyContentSha256(payloadHash)) {
    case 'unsigned':
      // A presigned URL signs UNSIGNED-PAYLOAD; the request's own header may still frame or hash the body.
      return claim.via === 'query' ? declaredPayloadCheck(headers) : { mode: 'unsigned' };
    case 'sha256':
      return { mode: 'sha256', expectedHex: payloadHash.toLowerCase() };
    case 'signed-chunks':
      if (claim.via === 'query') throw invalidRequest('A presigned URL cannot sign an aws-chunked body: upload with the Authorization header.');
      return { mode: 'chunked', trailer: false, signing };
    case 'signed-chunks-trailer':
      if (claim.via === 'query') throw invalidRequest('A presigned URL cannot sign an aws-chunked body: upload with the Authorization header.');
      return { mode: 'chunked', trailer: true, signing };
    case 'unsigned-trailer':
      return { mode: 'chunked', trailer: true };
  }
}
