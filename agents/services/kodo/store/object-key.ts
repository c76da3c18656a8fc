import { StoreError } from './errors';

/**
 * Bucket names and object keys, and how a key becomes a path under its bucket's directory.
 *
 * A key is split on '/' and each segment becomes one directory name, percent-encoded so that no
 * name can mean anything to the filesystem or to the store:
 *  - '%' is always escaped, so decoding is unambiguous and every other escape below is reversible;
 *  - an empty segment ('a//b', a leading '/', a folder marker 'photos/') becomes the bare name '%',
 *    which no other segment can encode to;
 *  - a leading '.' is escaped ('.' → '%2E', '..' → '%2E.', '.kodo' → '%2Ekodo'), so no segment is
 *    '.' or '..' (no traversal) and every name starting with '.' is the store's own (data dirs);
 *  - the segment 'meta.json' is escaped, being the object's own metadata file's name;
 *  - NUL (which no filesystem stores) is escaped as %00.
 * Nothing else is touched: names stay readable on disk. Refused: keys over 1024 UTF-8 bytes (S3's
 * limit), lone UTF-16 surrogates (no UTF-8 form), and a segment over 255 bytes once encoded
 * (NAME_MAX of ext4/xfs).
 */

export const MAX_KEY_BYTES = 1024;
const NAME_MAX = 255;
export const META_FILE = 'meta.json';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function validateBucketName(bucket: string): void {
  const ok =
    bucket.length >= 3 &&
    bucket.length <= 63 &&
    /^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(bucket) &&
    !bucket.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(bucket) &&
    !bucket.startsWith('xn--') &&
    !bucket.endsWith('-s3alias');
  if (!ok) throw new StoreError('InvalidBucketName', `"${bucket}" is not a valid bucket name (3–63 of a-z 0-9 . -, starting and ending with a letter or digit, S3's rules)`);
}

export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0) throw new StoreError('InvalidKey', 'an object key cannot be empty');
  if (LONE_SURROGATE.test(key)) throw new StoreError('InvalidKey', 'an object key must be valid Unicode (it has a lone surrogate)');
  if (Buffer.byteLength(key, 'utf8') > MAX_KEY_BYTES) throw new StoreError('InvalidKey', `an object key is at most ${MAX_KEY_BYTES} bytes of UTF-8`);
  for (const segment of key.split('/')) {
    if (Buffer.byteLength(encodeSegment(segment), 'utf8') > NAME_MAX) {
      throw new StoreError('InvalidKey', `each '/'-separated part of a key is at most ${NAME_MAX} bytes once encoded ("${segment.slice(0, 32)}…" is longer)`);
    }
  }
}

export function encodeSegment(segment: string): string {
  if (segment === '') return '%';
  // '/' cannot occur (keys are split on it); escaped all the same, so no caller can make a path of one name.
  let out = segment.replace(/%/g, '%25').replace(/\0/g, '%00').replace(/\//g, '%2F');
  if (out.startsWith('.')) out = `%2E${out.slice(1)}`;
  if (out === META_FILE) out = 'meta%2Ejson';
  return out;
}

/** The inverse of encodeSegment; null for a name the store did not make (a data dir, a stray file). */
export function decodeSegment(name: string): string | null {
  if (name === '%') return '';
  if (name.startsWith('.') || name === META_FILE) return null;
  if (!/^(?:[^%]|%(?:25|00|2E|2F))*$/.test(name)) return null;
  return name.replace(/%(25|00|2E|2F)/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** The key's directory path segments, each encoded (validate the key first). */
export function keyToSegments(key: string): string[] {
  return key.split('/').map(encodeSegment);
}

/**
 * S3 orders keys by their UTF-8 bytes, which is Unicode code point order. JavaScript's `<` on
 * strings compares UTF-16 code units, which differ for characters above U+FFFF (surrogates,
 * 0xD800…) against U+E000…U+FFFF; this compares code points.
 */
export function compareKeys(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) stand for code points above 0xFFFF: they sort after everything in the BMP.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
