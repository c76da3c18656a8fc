import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod/mini';
import type { AccessKey, AccessKeyLookup } from '../access/access-keys';
import { badToken, expiredToken, forbidden, invalidArgument } from './qiniu-error';

/**
 * Qiniu's three credentials, all HMAC-SHA1 with the key's secret, base64url:
 *  - upload tokens `AK:sign(encodedPutPolicy):encodedPutPolicy` (form and resumable uploads);
 *  - management requests, `Authorization: Qiniu AK:sign` over the request (method, path, Host,
 *    Content-Type, X-Qiniu-* headers, body) or the older `QBox AK:sign` (path, body);
 *  - private download URLs `…?e=<deadline>&token=AK:sign(url up to e)`.
 * The same key pair signs S3 requests (../access/access-keys.ts).
 */

/** base64url as Qiniu writes it (with or without padding); standard base64 is accepted too. */
export function decodeBase64Url(text: string): Buffer {
  return Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
}

function sign(secret: string, data: string | Buffer): Buffer {
  return createHmac('sha1', secret).update(data).digest();
}

function sameSignature(expected: Buffer, given: string): boolean {
  const actual = decodeBase64Url(given);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function lookUp(keys: AccessKeyLookup, accessKeyId: string, what: string): AccessKey {
  const key = keys.get(accessKeyId);
  if (!key) throw badToken(`the ${what} is signed with access key "${accessKeyId}", which this appliance does not know: use a key listed on the Storage page`);
  return key;
}

const opt = <T extends z.ZodMiniType>(type: T) => z.optional(z.nullable(type));

/** The put policy fields this appliance reads (developer.qiniu.com/kodo/manual/1206/put-policy). */
const PutPolicySchema = z.object({
  scope: z.string(),
  deadline: z.number(),
  isPrefixalScope: opt(z.number()),
  insertOnly: opt(z.number()),
  saveKey: opt(z.string()),
  forceSaveKey: opt(z.boolean()),
  endUser: opt(z.string()),
  returnUrl: opt(z.string()),
  returnBody: opt(z.string()),
  fsizeLimit: opt(z.number()),
  fsizeMin: opt(z.number()),
  mimeLimit: opt(z.string()),
  detectMime: opt(z.number()),
  fileType: opt(z.number()),
  callbackUrl: opt(z.string()),
  persistentOps: opt(z.string()),
  persistentWorkflowTemplateID: opt(z.string()),
  deleteAfterDays: opt(z.number()),
});
export type PutPolicy = z.infer<typeof PutPolicySchema>;

export interface UploadGrant {
  key: AccessKey;
  policy: PutPolicy;
  bucket: string;
  /** The key in the scope (`bucket:key`), or the prefix with isPrefixalScope; null for `bucket` alone. */
  scopeKey: string | null;
}

/** Checks an upload token and its policy; the caller checks the key against the scope. */
export function verifyUploadToken(token: string, keys: AccessKeyLookup, now: Date): UploadGrant {
  const parts = token.trim().split(':');
  if (parts.length !== 3 || !parts[0] || !parts[1] || !parts[2]) throw badToken('an upload token is "AK:signature:encodedPutPolicy": issue it with the SDK (PutPolicy.uploadToken)');
  const [accessKeyId, signature, encodedPolicy] = parts as [string, string, string];
  const key = lookUp(keys, accessKeyId, 'upload token');
  if (!sameSignature(sign(key.secretKey, encodedPolicy), signature)) throw badToken(`the upload token's signature does not match access key "${accessKeyId}": sign it with that key's secret`);
  let json: unknown;
  try {
    json = JSON.parse(decodeBase64Url(encodedPolicy).toString('utf8'));
  } catch {
    throw badToken('the upload token\'s put policy is not base64url-encoded JSON');
  }
  const parsed = PutPolicySchema.safeParse(json);
  if (!parsed.success) throw badToken(`the upload token's put policy is invalid (${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}): it needs a string scope and a numeric deadline`);
  const policy = parsed.data;
  if (policy.deadline < Math.floor(now.getTime() / 1000)) {
    throw expiredToken(`the upload token expired at ${new Date(policy.deadline * 1000).toISOString()}: issue a new one (check the clocks too; the appliance's is ${now.toISOString()})`);
  }
  refuseUnsupported(policy);
  const colon = policy.scope.indexOf(':');
  const bucket = colon < 0 ? policy.scope : policy.scope.slice(0, colon);
  const scopeKey = colon < 0 ? null : policy.scope.slice(colon + 1);
  if (!bucket) throw badToken('the put policy\'s scope names no bucket: use "bucket" or "bucket:key"');
  if (key.access !== 'read-write' || (key.bucket !== null && key.bucket !== bucket)) {
    throw forbidden('permission denied', `access key "${accessKeyId}" may not write to bucket ${bucket} (${key.access}${key.bucket ? `, bucket ${key.bucket} only` : ''}): sign with a read-write key for this bucket`);
  }
  return { key, policy, bucket, scopeKey };
}

/** Put policy features the appliance does not have: refused, so an upload never silently loses what its token asked for. */
function refuseUnsupported(policy: PutPolicy): void {
  const refuse = (field: string, why: string) => {
    throw invalidArgument(`${field} is not supported`, `${why}; issue the token without ${field}`);
  };
  if (policy.callbackUrl) refuse('callbackUrl', 'this appliance does not call back after uploads');
  if (policy.persistentOps || policy.persistentWorkflowTemplateID) refuse('persistentOps', 'this appliance has no data processing (Dora) on uploads');
  if (policy.deleteAfterDays) refuse('deleteAfterDays', 'this appliance has no object lifecycle yet');
  if (policy.fileType) refuse('fileType', 'this appliance has one storage class (standard, fileType 0)');
}

/** The most a request's clock may be off (X-Qiniu-Date), as Qiniu's servers allow. */
const MAX_SKEW_MS = 15 * 60 * 1000;

export interface SignedRequest {
  method: string;
  /** Path and query, as sent (req.url). */
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/**
 * Checks a management request's `Authorization` (Qiniu or QBox) and returns its key. X-Qiniu-Date,
 * when sent, is signed and must be within 15 minutes of the appliance's clock.
 */
export function verifyManagementRequest(request: SignedRequest, keys: AccessKeyLookup, now: Date): AccessKey {
  const header = headerOf(request.headers, 'authorization');
  const match = /^(Qiniu|QBox) ([^:\s]+):(\S+)$/.exec(header ?? '');
  if (!match) throw badToken('management requests need "Authorization: Qiniu <AK>:<sign>" (the SDK\'s BucketManager signs them)');
  const [, scheme, accessKeyId, signature] = match as unknown as [string, 'Qiniu' | 'QBox', string, string];
  const key = lookUp(keys, accessKeyId, 'request');
  const candidates = scheme === 'Qiniu' ? qiniuSigningStrings(request) : [qboxSigningString(request)];
  if (!candidates.some((data) => sameSignature(sign(key.secretKey, data), signature))) {
    throw badToken(`the request's signature does not match access key "${accessKeyId}": sign with that key's secret, and send the request as signed (path, Host, Content-Type, X-Qiniu-* headers, body)`);
  }
  const date = headerOf(request.headers, 'x-qiniu-date');
  if (scheme === 'Qiniu' && date) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(date);
    const at = m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!) : NaN;
    if (!Number.isFinite(at) || Math.abs(at - now.getTime()) > MAX_SKEW_MS) {
      throw forbidden('request time skewed', `X-Qiniu-Date ${date} is more than 15 minutes from the appliance's clock (${now.toISOString()}): set both clocks right (NTP)`);
    }
  }
  return key;
}

function headerOf(headers: SignedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * What `Qiniu` signs (the SDK's util.generateAccessTokenV2). Two Host lines are tried: the header
 * as sent, and with its port written twice — the Node SDK appends `:port` to URL.host, which
 * already holds it, so against any non-default port it signs `Host: 127.0.0.1:9000:9000`.
 */
function qiniuSigningStrings(request: SignedRequest): Buffer[] {
  const host = headerOf(request.headers, 'host') ?? '';
  const contentType = headerOf(request.headers, 'content-type');
  const qiniuHeaders = Object.keys(request.headers)
    .filter((name) => name.startsWith('x-qiniu-') && name.length > 'x-qiniu-'.length)
    .map((name) => [canonicalHeaderName(name), headerOf(request.headers, name) ?? ''] as const)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}: ${value}`);
  const withBody = request.body.length > 0 && contentType !== 'application/octet-stream';
  const port = /:(\d+)$/.exec(host)?.[1];
  const hosts = port ? [host, `${host}:${port}`] : [host];
  return hosts.map((h) => {
    let data = `${request.method.toUpperCase()} ${request.url}\nHost: ${h}\nContent-Type: ${contentType ?? 'application/x-www-form-urlencoded'}`;
    if (qiniuHeaders.length > 0) data += `\n${qiniuHeaders.join('\n')}`;
    data += '\n\n';
    return withBody ? Buffer.concat([Buffer.from(data), request.body]) : Buffer.from(data);
  });
}

/** `x-qiniu-foo-bar` → `X-Qiniu-Foo-Bar`, as Go's CanonicalMIMEHeaderKey and the SDK do. */
function canonicalHeaderName(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1).toLowerCase())
    .join('-');
}

/** What `QBox` signs (the SDK's util.generateAccessToken): path and query, newline, a form body. */
function qboxSigningString(request: SignedRequest): Buffer {
  const contentType = headerOf(request.headers, 'content-type');
  const withBody = contentType === 'application/x-www-form-urlencoded' && request.body.length > 0;
  return Buffer.concat([Buffer.from(`${request.url}\n`), withBody ? request.body : Buffer.alloc(0)]);
}

/**
 * Checks a private download URL (the SDK's privateDownloadUrl: `<base>?e=<deadline>&token=AK:sign`,
 * sign over `<base>?e=<deadline>` as the client wrote it, scheme and host included). Returns the key.
 */
export function verifyDownloadToken(request: { url: string; host: string; secure: boolean }, keys: AccessKeyLookup, now: Date): AccessKey {
  const at = request.url.lastIndexOf('&token=');
  const query = new URLSearchParams(request.url.slice(request.url.indexOf('?') + 1));
  const token = query.get('token') ?? '';
  const deadline = Number(query.get('e'));
  const colon = token.indexOf(':');
  if (at < 0 || colon < 0 || !Number.isInteger(deadline)) throw badToken('a private download URL ends "?e=<deadline>&token=<AK>:<sign>": make it with the SDK (BucketManager.privateDownloadUrl)');
  const accessKeyId = token.slice(0, colon);
  const key = lookUp(keys, accessKeyId, 'download URL');
  const signed = request.url.slice(0, at);
  // Signed as the client wrote the URL; a TLS-terminating proxy in front may have changed the scheme.
  const schemes = request.secure ? ['https', 'http'] : ['http', 'https'];
  if (!schemes.some((scheme) => sameSignature(sign(key.secretKey, `${scheme}://${request.host}${signed}`), token.slice(colon + 1)))) {
    throw badToken(`the download URL's signature does not match access key "${accessKeyId}": sign the URL with the host and path it is fetched with`);
  }
  if (deadline < Math.floor(now.getTime() / 1000)) throw expiredToken(`the download URL expired at ${new Date(deadline * 1000).toISOString()}: make a new one`);
  return key;
}
