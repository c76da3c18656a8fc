import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * Signature Version 4 as S3 computes it: the canonical request, the string to sign, the signing
 * key. Pure functions over strings and bytes, shared by the verifier (authenticate-request.ts),
 * the aws-chunked decoder and the presigner, so the three can never disagree.
 */

export const ALGORITHM = 'AWS4-HMAC-SHA256';
export const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';

export const sha256Hex = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex');
export const hmac = (key: Uint8Array | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

/** The key every signature of one day, region and service is made with. */
export function signingKey(secretKey: string, scopeDate: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secretKey}`, scopeDate), region), service), 'aws4_request');
}

/** Constant-time comparison of two hex signatures (a wrong length is simply unequal). */
export function sameSignature(expectedHex: string, providedHex: string): boolean {
  const a = Buffer.from(expectedHex, 'utf8');
  const b = Buffer.from(providedHex.toLowerCase(), 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

const HEX = '0123456789ABCDEF';
const isUnreserved = (b: number) =>
  (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a) || (b >= 0x30 && b <= 0x39) || b === 0x2d || b === 0x2e || b === 0x5f || b === 0x7e;

/** AWS's UriEncode of raw bytes: every byte but A–Z a–z 0–9 - . _ ~ as %XX (and '/' too unless kept). */
export function uriEncodeBytes(bytes: Uint8Array, keepSlash: boolean): string {
  let out = '';
  for (const b of bytes) {
    if (isUnreserved(b) || (keepSlash && b === 0x2f)) out += String.fromCharCode(b);
    else out += `%${HEX[b >> 4]}${HEX[b & 15]}`;
  }
  return out;
}

export const uriEncode = (text: string, keepSlash = false): string => uriEncodeBytes(Buffer.from(text, 'utf8'), keepSlash);

const hexValue = (c: number): number => (c >= 0x30 && c <= 0x39 ? c - 0x30 : c >= 0x41 && c <= 0x46 ? c - 0x37 : c >= 0x61 && c <= 0x66 ? c - 0x57 : -1);

/**
 * Percent-decoding to bytes, not to a string: a %FF that is not UTF-8 survives to be re-encoded as
 * it came, and a '%' not followed by two hex digits stays a literal '%' (re-encoded as %25).
 */
export function percentDecode(text: string, plusAsSpace: boolean): Buffer {
  const raw = Buffer.from(text, 'utf8');
  const out = Buffer.allocUnsafe(raw.length);
  let n = 0;
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b === 0x25 && i + 2 < raw.length && hexValue(raw[i + 1]!) >= 0 && hexValue(raw[i + 2]!) >= 0) {
      out[n++] = (hexValue(raw[i + 1]!) << 4) | hexValue(raw[i + 2]!);
      i += 2;
    } else if (b === 0x2b && plusAsSpace) out[n++] = 0x20;
    else out[n++] = b;
  }
  return out.subarray(0, n);
}

/**
 * S3's canonical URI: the path decoded once and each byte encoded again, '/' kept. Unlike every
 * other AWS service S3 neither encodes the path twice nor removes dot segments or double slashes
 * (a key may be `a//b` or `../x`).
 */
export function canonicalUri(rawPath: string): string {
  if (rawPath === '') return '/';
  return uriEncodeBytes(percentDecode(rawPath, false), true);
}

/** One query parameter as it came on the wire (name and value still encoded). */
export interface RawQueryParam {
  rawName: string;
  rawValue: string;
}

export function splitRawQuery(rawQuery: string): RawQueryParam[] {
  if (rawQuery === '') return [];
  const params: RawQueryParam[] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const eq = piece.indexOf('=');
    params.push(eq < 0 ? { rawName: piece, rawValue: '' } : { rawName: piece.slice(0, eq), rawValue: piece.slice(eq + 1) });
  }
  return params;
}

/** The query's parameters decoded to text (for reading X-Amz-* values). */
export function decodeQuery(rawQuery: string): Map<string, string[]> {
  const params = new Map<string, string[]>();
  for (const { rawName, rawValue } of splitRawQuery(rawQuery)) {
    const name = percentDecode(rawName, true).toString('utf8');
    const value = percentDecode(rawValue, true).toString('utf8');
    params.set(name, [...(params.get(name) ?? []), value]);
  }
  return params;
}

/**
 * The canonical query string: every parameter decoded and encoded again (so '%7e' and '~', or
 * '%2f' and '%2F', sign the same), sorted by encoded name and then value, `name=value` joined by
 * '&'; a parameter without '=' has an empty value. `omit` drops X-Amz-Signature from a presigned
 * URL. '+' counts as a space (form encoding, as S3 reads it) unless `plusIsLiteral`.
 */
export function canonicalQuery(rawQuery: string, options: { omit?: string; plusIsLiteral?: boolean } = {}): string {
  const pairs: [string, string][] = [];
  for (const { rawName, rawValue } of splitRawQuery(rawQuery)) {
    const nameBytes = percentDecode(rawName, !options.plusIsLiteral);
    if (options.omit !== undefined && nameBytes.toString('utf8') === options.omit) continue;
    pairs.push([uriEncodeBytes(nameBytes, false), uriEncodeBytes(percentDecode(rawValue, !options.plusIsLiteral), false)]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

/** A header's value as signed: several values joined by ',', trimmed, inner runs of whitespace as one space. */
export function canonicalHeaderValue(value: string | string[] | undefined): string {
  const joined = Array.isArray(value) ? value.join(',') : (value ?? '');
  return joined.trim().replace(/\s+/g, ' ');
}

export interface CanonicalRequestParts {
  method: string;
  canonicalUri: string;
  canonicalQuery: string;
  headers: IncomingHttpHeaders | NodeJS.Dict<string[]>;
  /** Lower-case names, in the order the client listed them (the spec has it sorted). */
  signedHeaders: readonly string[];
  payloadHash: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  const lines = parts.signedHeaders.map((name) => `${name}:${canonicalHeaderValue(parts.headers[name])}\n`).join('');
  return [parts.method, parts.canonicalUri, parts.canonicalQuery, lines, parts.signedHeaders.join(';'), parts.payloadHash].join('\n');
}

/** `20130524/us-east-1/s3/aws4_request` */
export const credentialScope = (scopeDate: string, region: string, service: string): string => `${scopeDate}/${region}/${service}/aws4_request`;

export function stringToSign(amzDate: string, scope: string, canonical: string): string {
  return [ALGORITHM, amzDate, scope, sha256Hex(canonical)].join('\n');
}

/** `yyyyMMddTHHmmssZ`, the form every SigV4 time takes. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** Reads `yyyyMMddTHHmmssZ`; null when it is not one. */
export function parseAmzDate(text: string): Date | null {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi, s] = m.map(Number) as [number, number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 20130231 over into March: such a date is not one.
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? date : null;
}
