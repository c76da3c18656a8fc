import type { ObjectInfo, ObjectStore, PutMeta } from '../store';
import { StoreError } from '../store';
import { Qetag } from './qetag';

/**
 * Where an object's Qiniu hash lives: in the store's per-object headers, written with the object
 * by this API. Objects written through S3 have none; stat computes theirs by reading them.
 */
export const HASH_HEADER = 'x-qn-hash';

export async function hashOf(store: ObjectStore, info: ObjectInfo): Promise<string> {
  const stored = info.headers[HASH_HEADER];
  if (stored) return stored;
  const { stream } = await store.getObject(info.bucket, info.key);
  const qetag = new Qetag();
  for await (const chunk of stream) qetag.update(chunk as Buffer);
  return qetag.digest();
}

export interface HashedPut {
  contentType: string;
  userMetadata: Record<string, string>;
  /** Called for every chunk with the size so far (fsizeLimit); throw to abort the write. */
  onProgress?: (size: number) => void;
  /**
   * Called once the bytes have all arrived and before the object is committed: a form's fields
   * after the file (crc32, metadata) are read here; throw to abort the write, or return
   * metadata to add.
   */
  beforeCommit?: (size: number, hash: string) => Promise<Record<string, string> | void>;
}

/**
 * Puts a body with its qetag in its headers. The store takes metadata when a put starts and copies
 * it into the object's record only after the body has ended, so what the generator adds to `meta`
 * once the last byte has passed (the hash, late metadata) is committed with the object — and
 * a throw there aborts the put, leaving any old object as it was.
 */
export async function putHashed(store: ObjectStore, bucket: string, key: string, body: AsyncIterable<Uint8Array>, options: HashedPut): Promise<{ info: ObjectInfo; hash: string }> {
  const meta: Required<PutMeta> = { contentType: options.contentType, userMetadata: { ...options.userMetadata }, headers: {} };
  let hash = '';
  async function* hashed() {
    const qetag = new Qetag();
    let size = 0;
    for await (const chunk of body) {
      size += chunk.length;
      options.onProgress?.(size);
      qetag.update(chunk);
      yield chunk;
    }
    hash = qetag.digest();
    Object.assign(meta.userMetadata, (await options.beforeCommit?.(size, hash)) ?? {});
    meta.headers[HASH_HEADER] = hash;
  }
  const info = await store.putObject(bucket, key, hashed(), meta);
  // A guard against the store ever reading metadata before the body's end: fail loudly, not store an object without its hash.
  if (info.headers[HASH_HEADER] !== hash) throw new StoreError('BadBody', `${bucket}/${key}: the store committed the object without its hash`);
  return { info, hash };
}

/** Reads a body only to hash it (insertOnly compares hashes without writing), with the same checks. */
export async function hashOnly(body: AsyncIterable<Uint8Array>, options: HashedPut): Promise<{ hash: string; size: number }> {
  const qetag = new Qetag();
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    options.onProgress?.(size);
    qetag.update(chunk);
  }
  const hash = qetag.digest();
  await options.beforeCommit?.(size, hash);
  return { hash, size };
}

export async function headOrNull(store: ObjectStore, bucket: string, key: string): Promise<ObjectInfo | null> {
  try {
    return await store.headObject(bucket, key);
  } catch (error) {
    if (error instanceof StoreError && error.code === 'NoSuchKey') return null;
    throw error;
  }
}
