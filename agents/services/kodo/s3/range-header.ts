import type { ByteRange } from '../store';

/**
 * A GET's Range header as the store's ByteRange. S3 serves one range: a header it cannot read, a
 * unit other than bytes, or several ranges are ignored (the whole object is answered, 200), as S3
 * does; a well-formed range the object cannot satisfy is the store's InvalidRange (416).
 */
export function parseRangeHeader(value: string | undefined): ByteRange | undefined {
  if (value === undefined) return undefined;
  const m = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(value);
  if (!m) return undefined;
  const [, from = '', to = ''] = m;
  if (from === '' && to === '') return undefined;
  if (from === '') return { suffix: Number(to) };
  const start = Number(from);
  if (to === '') return { start };
  const end = Number(to);
  // "bytes=5-2" is not satisfiable syntax: RFC 7233 says ignore the header.
  if (end < start) return undefined;
  return { start, end };
}
