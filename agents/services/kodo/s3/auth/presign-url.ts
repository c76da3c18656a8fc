import { MAX_PRESIGN_SECONDS } from './signature-claim';
import {
  ALGORITHM,
  UNSIGNED_PAYLOAD,
  canonicalQuery,
  canonicalRequest,
  canonicalUri,
  credentialScope,
  formatAmzDate,
  hmac,
  signingKey,
  stringToSign,
  uriEncode,
} from './sigv4-canonical';

export interface PresignInput {
  method: string;
  /** The object's URL (`http://host:port/bucket/key`), path already percent-encoded as a URL holds it. */
  url: string | URL;
  key: { accessKeyId: string; secretKey: string };
  region: string;
  expiresSeconds: number;
  now: Date;
  service?: string;
}

/**
 * A presigned URL (query-string Signature Version 4, host the only signed header, UNSIGNED-PAYLOAD),
 * built by the same canonical functions the verifier uses: for the console's object browser, which
 * must not carry the AWS SDK. Parameters are encoded strictly (%20, never '+').
 */
export function presignUrl(input: PresignInput): string {
  const url = new URL(String(input.url));
  if (!Number.isInteger(input.expiresSeconds) || input.expiresSeconds < 1 || input.expiresSeconds > MAX_PRESIGN_SECONDS) {
    throw new RangeError(`expiresSeconds must be a whole number from 1 to ${MAX_PRESIGN_SECONDS} (a week), not ${input.expiresSeconds}`);
  }
  const service = input.service ?? 's3';
  const amzDate = formatAmzDate(input.now);
  const scope = credentialScope(amzDate.slice(0, 8), input.region, service);
  const params: [string, string][] = [
    ['X-Amz-Algorithm', ALGORITHM],
    ['X-Amz-Credential', `${input.key.accessKeyId}/${scope}`],
    ['X-Amz-Date', amzDate],
    ['X-Amz-Expires', String(input.expiresSeconds)],
    ['X-Amz-SignedHeaders', 'host'],
  ];
  const existing = url.search.startsWith('?') ? url.search.slice(1) : '';
  const rawQuery = [existing, ...params.map(([n, v]) => `${uriEncode(n)}=${uriEncode(v)}`)].filter((p) => p !== '').join('&');
  const canonical = canonicalRequest({
    method: input.method.toUpperCase(),
    canonicalUri: canonicalUri(url.pathname),
    canonicalQuery: canonicalQuery(rawQuery),
    headers: { host: url.host },
    signedHeaders: ['host'],
    payloadHash: UNSIGNED_PAYLOAD,
  });
  const signature = hmac(signingKey(input.key.secretKey, amzDate.slice(0, 8), input.region, service), stringToSign(amzDate, scope, canonical)).toString('hex');
  return `${url.origin}${url.pathname}?${rawQuery}&X-Amz-Signature=${signature}`;
}
