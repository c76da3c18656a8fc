import { CreateBucketCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3ServiceException, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKodoS3Server, type KodoS3Server } from '../helpers/kodo-s3-server';

/**
 * ListObjectsV2 and ListObjects (V1) as S3 answers them: prefix, delimiter and CommonPrefixes,
 * paging by continuation token / start-after / marker (NextMarker only with a delimiter),
 * max-keys 0…1000, encoding-type=url for keys XML cannot carry, fetch-owner, KeyCount.
 */

let s3: KodoS3Server;
let client: S3Client;
const BUCKET = 'listing';
const KEYS = ['a', 'a-b', 'a/x', 'a/y/z', 'b/1', 'b/2', 'b/3', 'c', 'photos/2024/01.jpg', 'photos/2024/02.jpg', 'photos/2025/01.jpg', 'sp ace', 'z+plus'];

beforeAll(async () => {
  s3 = await startKodoS3Server();
  client = s3.client();
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  for (const key of KEYS) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: key }));
});
afterAll(async () => {
  await s3?.close();
});

async function failure(promise: Promise<unknown>): Promise<{ code: string; status: number | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof S3ServiceException) return { code: error.name, status: error.$metadata.httpStatusCode };
    throw error;
  }
  throw new Error('expected the call to fail');
}

describe('ListObjectsV2', () => {
  it('lists every key in UTF-8 order with size, ETag and KeyCount', async () => {
    const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
    expect(out.Contents?.map((c) => c.Key)).toEqual(KEYS);
    expect(out.KeyCount).toBe(KEYS.length);
    expect(out.IsTruncated).toBe(false);
    expect(out.Contents?.[0]).toMatchObject({ Key: 'a', Size: 1, StorageClass: 'STANDARD' });
    expect(out.Contents?.[0]?.ETag).toMatch(/^"[0-9a-f]{32}"$/);
    expect(out.Contents?.[0]?.Owner).toBeUndefined();
    const owned = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, FetchOwner: true, MaxKeys: 1 }));
    expect(owned.Contents?.[0]?.Owner?.DisplayName).toBe('kodo');
  });

  it('rolls keys up into CommonPrefixes with a delimiter, under a prefix', async () => {
    const top = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
    expect(top.Contents?.map((c) => c.Key)).toEqual(['a', 'a-b', 'c', 'sp ace', 'z+plus']);
    expect(top.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['a/', 'b/', 'photos/']);
    expect(top.KeyCount).toBe(8);
    const photos = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'photos/', Delimiter: '/' }));
    expect(photos.Contents ?? []).toEqual([]);
    expect(photos.CommonPrefixes?.map((p) => p.Prefix)).toEqual(['photos/2024/', 'photos/2025/']);
    expect(photos.Prefix).toBe('photos/');
    expect(photos.Delimiter).toBe('/');
  });

  it('pages with max-keys and continuation tokens, keys and prefixes together', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 2, ...(token ? { ContinuationToken: token } : {}) }));
      pages++;
      seen.push(...(page.Contents ?? []).map((c) => c.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      expect(page.KeyCount).toBeLessThanOrEqual(2);
      if (token) expect(page.ContinuationToken).toBe(token);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated) expect(token).toBeTruthy();
    } while (token);
    expect(pages).toBe(4);
    expect(seen.sort()).toEqual(['a', 'a-b', 'a/', 'b/', 'c', 'photos/', 'sp ace', 'z+plus']);
  });

  it('starts after start-after, and answers max-keys 0 with nothing', async () => {
    const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: 'b/2' }));
    expect(out.Contents?.[0]?.Key).toBe('b/3');
    expect(out.StartAfter).toBe('b/2');
    const none = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 0 }));
    expect(none.Contents ?? []).toEqual([]);
    expect(none.KeyCount).toBe(0);
    const many = await s3.raw({ method: 'GET', path: `/${BUCKET}?list-type=2&max-keys=5000` });
    expect(many.body).toContain('<MaxKeys>1000</MaxKeys>');
  });

  it('url-encodes keys with encoding-type=url', async () => {
    const raw = await s3.raw({ method: 'GET', path: `/${BUCKET}?list-type=2&encoding-type=url&prefix=sp` });
    expect(raw.body).toContain('<Key>sp%20ace</Key>');
    expect(raw.body).toContain('<EncodingType>url</EncodingType>');
    const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, EncodingType: 'url', Prefix: 'z' }));
    // The JavaScript SDK hands the encoded key over as it is (the CLI decodes it: kodo-s3-cli).
    expect(out.Contents?.map((c) => decodeURIComponent(c.Key!))).toEqual(['z+plus']);
    expect(out.Contents?.[0]?.Key).toBe('z%2Bplus');
  });

  it('refuses a bad max-keys, encoding-type and continuation token (InvalidArgument); NoSuchBucket for a missing bucket', async () => {
    for (const query of ['max-keys=-1', 'max-keys=abc', 'encoding-type=base64', 'continuation-token=not%20a%20token']) {
      const r = await s3.raw({ method: 'GET', path: `/${BUCKET}?list-type=2&${query}` });
      expect(r.status, query).toBe(400);
      expect(r.body, query).toContain('<Code>InvalidArgument</Code>');
    }
    expect(await failure(client.send(new ListObjectsV2Command({ Bucket: 'no-such-bucket' })))).toMatchObject({ code: 'NoSuchBucket', status: 404 });
    // A prefix no key can have lists nothing.
    const long = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'p'.repeat(1100) }));
    expect(long.KeyCount).toBe(0);
  });
});

describe('ListObjects (V1)', () => {
  it('pages by marker; NextMarker only with a delimiter, as S3', async () => {
    const first = await client.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 3 }));
    expect(first.Contents?.map((c) => c.Key)).toEqual(['a', 'a-b', 'a/x']);
    expect(first.IsTruncated).toBe(true);
    expect(first.NextMarker).toBeUndefined();
    expect(first.Contents?.[0]?.Owner?.DisplayName).toBe('kodo');
    const second = await client.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 3, Marker: 'a/x' }));
    expect(second.Contents?.map((c) => c.Key)).toEqual(['a/y/z', 'b/1', 'b/2']);
    expect(second.Marker).toBe('a/x');

    const delimited = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 3 }));
    expect([...(delimited.Contents ?? []).map((c) => c.Key), ...(delimited.CommonPrefixes ?? []).map((p) => p.Prefix)].sort()).toEqual(['a', 'a-b', 'a/']);
    expect(delimited.NextMarker).toBe('a/');
    const next = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 3, Marker: delimited.NextMarker! }));
    expect(next.CommonPrefixes?.[0]?.Prefix).toBe('b/');
    expect(next.Contents?.map((c) => c.Key)).toEqual(['c']);
  });
});
