import type { ObjectStore } from '../store';

/**
 * A bucket's public-read switch, kept by the store (`getBucketSettings`/`setBucketSettings`,
 * added beside multipart). Until a store has them, every bucket is private and the switch cannot
 * be set: read here through one adapter so the rest of the S3 layer does not care.
 */
export interface BucketSettings {
  publicRead: boolean;
}

interface WithSettings {
  getBucketSettings?: (bucket: string) => Promise<Partial<BucketSettings>>;
  setBucketSettings?: (bucket: string, settings: Partial<BucketSettings>) => Promise<unknown>;
}

export async function isPublicRead(store: ObjectStore, bucket: string): Promise<boolean> {
  const get = (store as ObjectStore & WithSettings).getBucketSettings;
  if (!get) return false;
  return (await get.call(store, bucket)).publicRead === true;
}

/** False when the store cannot keep the setting (the caller answers NotImplemented). */
export async function setPublicRead(store: ObjectStore, bucket: string, publicRead: boolean): Promise<boolean> {
  const set = (store as ObjectStore & WithSettings).setBucketSettings;
  if (!set) return false;
  await set.call(store, bucket, { publicRead });
  return true;
}
