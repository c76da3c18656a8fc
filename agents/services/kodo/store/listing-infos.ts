import type { ObjectInfo } from './object-writer';

/**
 * What listings found each key to be (size, ETag, time, type), kept in memory between listings:
 * a listed key costs k meta.json reads (4 on 4+2, 20 on 20+2), which is most of a page once its
 * directory's names are kept (listing-names.ts). Like the names, a cache of what the disks say,
 * true because this process is the disks' only writer: a put, a completed multipart upload and a
 * delete forget the key (store.ts), a shard problem met on a key forgets it (the disks may no
 * longer agree), a bucket deleted forgets its keys, and taking disks into the set forgets all.
 * Least recently listed first out, up to `budget` keys (~300 bytes each with short metadata).
 */

export const DEFAULT_INFOS_BUDGET = 200_000;

export interface ObjectInfos {
  get(bucket: string, key: string): ObjectInfo | undefined;
  set(bucket: string, key: string, info: ObjectInfo): void;
  forget(bucket: string, key: string): void;
  forgetBucket(bucket: string): void;
  clear(): void;
  size(): number;
}

export function createObjectInfos(budget = DEFAULT_INFOS_BUDGET): ObjectInfos {
  const infos = new Map<string, ObjectInfo>();
  const id = (bucket: string, key: string) => `${bucket}\0${key}`;
  return {
    get(bucket, key) {
      const at = id(bucket, key);
      const info = infos.get(at);
      if (info) {
        infos.delete(at);
        infos.set(at, info); // most recently listed
      }
      return info;
    },
    set(bucket, key, info) {
      if (budget <= 0) return;
      infos.set(id(bucket, key), info);
      if (infos.size > budget) infos.delete(infos.keys().next().value!);
    },
    forget: (bucket, key) => void infos.delete(id(bucket, key)),
    forgetBucket(bucket) {
      for (const at of infos.keys()) if (at.startsWith(`${bucket}\0`)) infos.delete(at);
    },
    clear: () => infos.clear(),
    size: () => infos.size,
  };
}
