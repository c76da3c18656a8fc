import type { IncomingHttpHeaders } from 'node:http';
import { ALGORITHM, formatAmzDate, parseAmzDate } from './sigv4-canonical';
import { S3AuthError, accessDenied, headerMalformed, invalidArgument, invalidRequest, queryMalformed } from './s3-auth-error';

/** What a request says about its signature, read from the Authorization header or a presigned URL. */
export interface SignatureClaim {
  via: 'header' | 'query';
  accessKeyId: string;
  /** The credential scope's parts: `yyyyMMdd`, region, service. */
  scopeDate: string;
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  /** The request time as signed (`yyyyMMddTHHmmssZ`), and as a Date. */
  amzDate: string;
  requestTime: Date;
  /** Presigned only: seconds the URL stays valid from requestTime. */
  expiresSeconds?: number;
  /** Presigned only: X-Amz-Content-Sha256 from the query, when the URL carries one. */
  queryPayloadHash?: string;
}

export const MAX_PRESIGN_SECONDS = 604_800;

const V2_UNSUPPORTED = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256 (Signature Version 4); Signature Version 2 is not served by Kodo.';
const SIGNED_QUERY_PARAMS = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'] as const;

/** Which of the three ways a request authenticates; refuses two at once and Signature Version 2. */
export function claimKind(headers: IncomingHttpHeaders, query: Map<string, string[]>): 'header' | 'query' | 'anonymous' {
  const header = headers.authorization;
  const presigned = query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential') || query.has('X-Amz-Signature');
  if (header !== undefined && presigned) {
    throw invalidArgument(
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter, Signature query string parameter or the Authorization header should be specified.',
      'Authorization',
      header,
    );
  }
  if (header !== undefined) return 'header';
  if (presigned) return 'query';
  if (query.has('Signature') && query.has('AWSAccessKeyId')) throw invalidRequest(V2_UNSUPPORTED);
  return 'anonymous';
}

interface Scope {
  accessKeyId: string;
  scopeDate: string;
  region: string;
  service: string;
}

/** `AKID/yyyyMMdd/region/s3/aws4_request`, checked against this endpoint's region and service. */
function parseCredential(credential: string, expected: { region: string; service: string }, malformed: (why: string, details?: Record<string, string>) => S3AuthError): Scope {
  const parts = credential.split('/');
  if (parts.length !== 5 || parts.some((p) => p === '')) {
    throw malformed(`the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request", got "${credential}".`);
  }
  const [accessKeyId, scopeDate, region, service, terminator] = parts as [string, string, string, string, string];
  if (!/^\d{8}$/.test(scopeDate)) throw malformed(`the credential date "${scopeDate}" is not a date (YYYYMMDD).`);
  if (region !== expected.region) {
    throw malformed(`the region '${region}' is wrong; expecting '${expected.region}'. Set the client's region to ${expected.region}.`, { Region: expected.region });
  }
  if (service !== expected.service) throw malformed(`the Credential should be scoped to the correct service: '${expected.service}', not '${service}'.`);
  if (terminator !== 'aws4_request') throw malformed(`the Credential should be scoped with a valid terminator: 'aws4_request', not '${terminator}'.`);
  return { accessKeyId, scopeDate, region, service };
}

const isSignature = (s: string) => /^[0-9a-fA-F]{64}$/.test(s);

function parseSignedHeaders(list: string, malformed: (why: string) => S3AuthError): string[] {
  const names = list.split(';').map((n) => n.trim().toLowerCase());
  if (names.some((n) => n === '' || !/^[!#$%&'*+\-.^_`|~0-9a-z]+$/.test(n))) throw malformed(`SignedHeaders "${list}" is not a ';'-separated list of header names.`);
  return names;
}

/** The request time a header-signed request gives: x-amz-date, or else Date. */
function headerRequestTime(headers: IncomingHttpHeaders): { amzDate: string; requestTime: Date } {
  const amz = headers['x-amz-date'];
  if (typeof amz === 'string') {
    const time = parseAmzDate(amz.trim());
    if (time) return { amzDate: amz.trim(), requestTime: time };
  } else if (typeof headers.date === 'string') {
    const ms = Date.parse(headers.date);
    if (Number.isFinite(ms)) {
      const time = new Date(Math.floor(ms / 1000) * 1000);
      return { amzDate: formatAmzDate(time), requestTime: time };
    }
  }
  throw accessDenied('AWS authentication requires a valid Date or x-amz-date header (x-amz-date as YYYYMMDDTHHMMSSZ). Check the client\'s clock and signer.');
}

export function parseHeaderClaim(headers: IncomingHttpHeaders, expected: { region: string; service: string }): SignatureClaim {
  const header = (headers.authorization ?? '').trim();
  if (header.startsWith('AWS ')) throw invalidRequest(V2_UNSUPPORTED);
  const space = header.indexOf(' ');
  const algorithm = space < 0 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    if (algorithm === 'AWS4-ECDSA-P256-SHA256') throw new S3AuthError('NotImplemented', 501, 'Signature Version 4A (AWS4-ECDSA-P256-SHA256) is not served by Kodo: sign with AWS4-HMAC-SHA256.');
    throw invalidArgument(`Unsupported Authorization Type "${algorithm}": sign requests with AWS4-HMAC-SHA256.`, 'Authorization', header);
  }
  const fields = new Map<string, string>();
  for (const piece of header.slice(space + 1).split(',')) {
    const eq = piece.indexOf('=');
    if (eq < 0) continue;
    fields.set(piece.slice(0, eq).trim(), piece.slice(eq + 1).trim());
  }
  const credential = fields.get('Credential');
  const signedHeaders = fields.get('SignedHeaders');
  const signature = fields.get('Signature');
  if (credential === undefined || signedHeaders === undefined || signature === undefined) {
    throw headerMalformed('the authorization header requires three components: Credential, SignedHeaders, and Signature.');
  }
  const scope = parseCredential(credential, expected, headerMalformed);
  if (!isSignature(signature)) throw headerMalformed(`the Signature "${signature}" is not 64 hexadecimal digits.`);
  const { amzDate, requestTime } = headerRequestTime(headers);
  if (amzDate.slice(0, 8) !== scope.scopeDate) {
    throw headerMalformed(`Invalid credential date "${scope.scopeDate}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  return { via: 'header', ...scope, signedHeaders: parseSignedHeaders(signedHeaders, headerMalformed), signature: signature.toLowerCase(), amzDate, requestTime };
}

export function parseQueryClaim(query: Map<string, string[]>, expected: { region: string; service: string }): SignatureClaim {
  const one = (name: string): string | undefined => {
    const values = query.get(name);
    if (values !== undefined && values.length > 1) throw queryMalformed(`${name} is given ${values.length} times: a presigned URL carries it once.`);
    return values?.[0];
  };
  const values = SIGNED_QUERY_PARAMS.map(one);
  if (values.some((v) => v === undefined)) {
    throw queryMalformed('Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.');
  }
  const [algorithm, credential, signature, amzDate, signedHeaders, expires] = values as string[] as [string, string, string, string, string, string];
  if (algorithm !== ALGORITHM) throw queryMalformed(`X-Amz-Algorithm only supports "${ALGORITHM}", not "${algorithm}".`);
  const scope = parseCredential(credential, expected, (why, details) => new S3AuthError('AuthorizationQueryParametersError', 400, `Error parsing the X-Amz-Credential parameter; ${why}`, details ?? {}));
  if (!isSignature(signature)) throw queryMalformed(`X-Amz-Signature "${signature}" is not 64 hexadecimal digits.`);
  const requestTime = parseAmzDate(amzDate);
  if (!requestTime) throw queryMalformed(`X-Amz-Date must be in the ISO8601 Long Format "yyyyMMdd'T'HHmmss'Z'", not "${amzDate}".`);
  if (amzDate.slice(0, 8) !== scope.scopeDate) {
    throw queryMalformed(`Invalid credential date "${scope.scopeDate}". This date is not the same as X-Amz-Date: "${amzDate.slice(0, 8)}".`);
  }
  if (!/^\d+$/.test(expires)) throw queryMalformed(`X-Amz-Expires should be a whole number of seconds, not "${expires}".`);
  const expiresSeconds = Number(expires);
  if (expiresSeconds < 1) throw queryMalformed('X-Amz-Expires must be at least 1 second.');
  if (expiresSeconds > MAX_PRESIGN_SECONDS) throw queryMalformed(`X-Amz-Expires must be less than a week (in seconds) that is ${MAX_PRESIGN_SECONDS}; presign the URL again with a shorter expiry.`);
  // The SDK's presigner hoists x-amz-content-sha256 into the query in lower case.
  const hashParam = [...query.keys()].find((name) => name.toLowerCase() === 'x-amz-content-sha256');
  const queryPayloadHash = hashParam !== undefined ? one(hashParam) : undefined;
  return {
    via: 'query',
    ...scope,
    signedHeaders: parseSignedHeaders(signedHeaders, queryMalformed),
    signature: signature.toLowerCase(),
    amzDate,
    requestTime,
    expiresSeconds,
    ...(queryPayloadHash !== undefined ? { queryPayloadHash } : {}),
  };
}

