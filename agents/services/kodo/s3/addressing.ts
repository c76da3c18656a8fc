import { S3Error } from './s3-errors';

/**
 * Where a request points: the bucket and key, from the path (path-style, `/bucket/key`) or from
 * the Host header (virtual-hosted-style, `bucket.<suffix>/key`), and its query. The one place a
 * request's URL is read.
 */
export interface S3Target {
  bucket: string | undefined;
  key: string | undefined;
  query: URLSearchParams;
  /** The path as the client sent it (before decoding): the error document's Resource. */
  resource: string;
  style: 'path' | 'virtual-host';
}

const invalidUri = () => new S3Error('InvalidURI', 400, "Couldn't parse the specified URI: percent-encode the bucket and key as UTF-8.");

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    throw invalidUri();
  }
}

/** The host's name without port, lower-case (`[::1]:9000` → `[::1]`). */
function hostName(host: string | undefined): string {
  if (!host) return '';
  const h = host.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export function parseTarget(url: string | undefined, host: string | undefined, virtualHostSuffixes: readonly string[]): S3Target {
  const raw = url ?? '/';
  const q = raw.indexOf('?');
  const path = q === -1 ? raw : raw.slice(0, q);
  if (!path.startsWith('/')) throw invalidUri();
  const query = new URLSearchParams(q === -1 ? '' : raw.slice(q + 1));
  const name = hostName(host);
  const suffix = virtualHostSuffixes.find((s) => name.endsWith(`.${s.toLowerCase()}`));
  if (suffix !== undefined) {
    const bucket = name.slice(0, -(suffix.length + 1));
    // A key is everything after the first '/', '/' included ('/a//b' → 'a//b'); '/' alone is the bucket.
    const key = path.length > 1 ? decode(path.slice(1)) : undefined;
    return { bucket, key, query, resource: path, style: 'virtual-host' };
  }
  const rest = path.slice(1);
  if (rest === '') return { bucket: undefined, key: undefined, query, resource: path, style: 'path' };
  const slash = rest.indexOf('/');
  const bucket = decode(slash === -1 ? rest : rest.slice(0, slash));
  const keyPart = slash === -1 ? '' : rest.slice(slash + 1);
  return { bucket, key: keyPart === '' ? undefined : decode(keyPart), query, resource: path, style: 'path' };
}
