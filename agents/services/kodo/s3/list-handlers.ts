import { compareKeys, StoreError, type ListPage, type ObjectInfo } from '../store';
import { isoTime, OWNER, quoteEtag, sendXml } from './responses';
import { invalidArgument } from './s3-errors';
import { bucketOf, type S3Context } from './s3-context';
import { buildXml, type XmlElement } from './xml';

/**
 * ListObjectsV2 (`?list-type=2`) and ListObjects (V1): prefix, delimiter, max-keys (0…1000, more
 * is 1000 as S3), continuation-token / start-after (V2), marker (V1, NextMarker only with a
 * delimiter, as S3), encoding-type=url, fetch-owner (V2; V1 always names the owner).
 */

const MAX_KEYS = 1000;

function parseMaxKeys(raw: string | null): number {
  if (raw === null) return MAX_KEYS;
  if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) throw invalidArgument('Provided max-keys not an integer or within integer range.', 'max-keys', raw);
  return Math.min(MAX_KEYS, Number(raw));
}

/** S3's encoding-type=url: the key percent-encoded as UTF-8, '/' kept (clients decode with unquote). */
const urlEncode = (text: string): string => encodeURIComponent(text).replace(/%2F/g, '/');

/** The store's continuation token is the last key listed, base64url; anything else is not ours. */
function checkToken(token: string): void {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  if (token === '' || Buffer.from(text, 'utf8').toString('base64url') !== token) throw invalidArgument('The continuation token provided is incorrect.', 'continuation-token', token);
}

/** A prefix no key can have (longer than a key may be, …) lists nothing: S3 answers an empty page, not an error. */
async function listPage(ctx: S3Context, bucket: string, options: Parameters<S3Context['store']['listObjects']>[1]): Promise<ListPage> {
  try {
    return await ctx.store.listObjects(bucket, options);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'InvalidKey' && options?.prefix) {
      await ctx.store.headBucket(bucket);
      return { objects: [], commonPrefixes: [], isTruncated: false };
    }
    throw error;
  }
}

export async function listObjects(ctx: S3Context): Promise<void> {
  const bucket = bucketOf(ctx);
  const q = ctx.target.query;
  const v2 = q.get('list-type') === '2';
  const encoding = q.get('encoding-type');
  if (encoding !== null && encoding !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request: the only one is url.', 'encoding-type', encoding);
  const enc = encoding === 'url' ? urlEncode : (s: string) => s;
  const maxKeys = parseMaxKeys(q.get('max-keys'));
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const token = v2 ? q.get('continuation-token') : null;
  const startAfter = v2 ? q.get('start-after') : q.get('marker');
  if (token !== null) checkToken(token);
  const fetchOwner = !v2 || q.get('fetch-owner') === 'true';

  // A V1 marker is a continuation: after the NextMarker "a/" (a common prefix) nothing under "a/"
  // comes back. The store's token (the last key or prefix listed, base64url: its README) means
  // exactly that; its startAfter is V2's start-after, which does not skip the prefix's keys.
  const v1Marker = !v2 && startAfter ? Buffer.from(startAfter, 'utf8').toString('base64url') : undefined;
  const page = await listPage(ctx, bucket, {
    ...(prefix ? { prefix } : {}),
    ...(delimiter ? { delimiter } : {}),
    ...(v2 && startAfter ? { startAfter } : {}),
    ...(token !== null ? { continuationToken: token } : v1Marker !== undefined ? { continuationToken: v1Marker } : {}),
    maxKeys,
  });

  const contents = page.objects.map((o: ObjectInfo) => ({
    Key: enc(o.key),
    LastModified: isoTime(o.lastModified),
    ETag: quoteEtag(o.etag),
    Size: o.size,
    ...(fetchOwner ? { Owner: OWNER } : {}),
    StorageClass: 'STANDARD',
  }));
  const commonPrefixes = page.commonPrefixes.map((p) => ({ Prefix: enc(p) }));
  const common: XmlElement = {
    Name: bucket,
    Prefix: enc(prefix),
    ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
    MaxKeys: maxKeys,
    ...(encoding ? { EncodingType: encoding } : {}),
  };
  let doc: XmlElement;
  if (v2) {
    doc = {
      ...common,
      KeyCount: page.objects.length + page.commonPrefixes.length,
      IsTruncated: page.isTruncated,
      ...(token !== null ? { ContinuationToken: token } : {}),
      ...(page.isTruncated && page.nextContinuationToken ? { NextContinuationToken: page.nextContinuationToken } : {}),
      ...(startAfter !== null ? { StartAfter: enc(startAfter) } : {}),
    };
  } else {
    // S3 gives NextMarker only with a delimiter; without one the client continues from the last key.
    const lastKey = page.objects.at(-1)?.key;
    const lastPrefix = page.commonPrefixes.at(-1);
    const next = [lastKey, lastPrefix].filter((s): s is string => s !== undefined).sort(compareKeys).at(-1);
    doc = {
      Name: bucket,
      Prefix: enc(prefix),
      Marker: enc(startAfter ?? ''),
      ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
      MaxKeys: maxKeys,
      ...(encoding ? { EncodingType: encoding } : {}),
      IsTruncated: page.isTruncated,
      ...(page.isTruncated && delimiter && next !== undefined ? { NextMarker: enc(next) } : {}),
    };
  }
  doc.Contents = contents;
  doc.CommonPrefixes = commonPrefixes;
  sendXml(ctx, 200, buildXml('ListBucketResult', doc));
}
