import type { ObjectStore } from '../store';

/**
 * A bucket's public-read switch, kept by the store with the bucket (`getBucketSettings` /
 * `setBucketSettings`, on every disk). S3 clients set it as a canned ACL (bucket-handlers.ts).
 */
export async function isPublicRead(store: ObjectStore, bucket: string): Promise<boolean> {
  return (await store.getBucketSettings(bucket)).publicRead;
}

export async function setPublicRead(store: ObjectStore, bucket: string, publicRead: boolean): Promise<void> {
  await store.setBucketSettings(bucket, { publicRead });
}
