import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { ErasureCodecOptions } from '../erasure';
import { MAX_DATA_SHARDS, MAX_PARITY_SHARDS } from '../erasure';
import type { ObjectBody } from './body-reader';
import { healObject, type HealResult } from './heal';
import { createHealing, type Healing, type HealingOptions } from './heal-service';
import type { HealStatus } from './heal-status';
import type { HealPriority } from './heal-throttle';
import { bucketExists, createBucket, getBucketSettings, listBuckets, removeBucket, requireBucket, setBucketSettings, type BucketInfo, type BucketSettings } from './buckets';
import { openDiskSet, TMP_DIR, type DiskSlot } from './disk-format';
import { fsyncDir, removeEmptyParents } from './disk-io';
import { StoreError } from './errors';
import { createKeyedLock, keyLockId } from './keyed-lock';
import { listObjects, type ListOptions, type ListPage } from './listing';
import { createObjectInfos } from './listing-infos';
import { createDirectoryNames } from './listing-names';
import { abortMultipartUpload, completeMultipartUpload, createMultipartUpload, listParts, uploadPart, type CompleteOptions, type CompletePart, type ListPartsOptions, type MultipartDeps, type PartsPage } from './multipart';
import { listMultipartUploads, sweepUploads, type ListUploadsOptions, type UploadsPage } from './multipart-listing';
import { MULTIPART_DIR } from './multipart-meta';
import { META_FILE, validateBucketName, validateKey } from './object-key';
import { readObject, metaProblems, type ByteRange, type GetResult } from './object-reader';
import { putObject, toInfo, type ObjectInfo, type PutMeta } from './object-writer';
import { bucketDir, createCodecPool, diskName, objectDir, readDiskMetas, resolveOrThrow, type ShardProblem, type StoreContext, type StoreFaults } from './store-context';

export interface StoreOptions {
  /** The data disks' mount points (directories), k + m of them. */
  disks: string[];
  /** Required when the store is created; checked against the disks' format afterwards (it cannot change). */
  layout?: { k: number; m: number };
  /** Object bytes per stripe (default 1 MiB). Fixed per object (recorded in its metadata). */
  blockSize?: number;
  /** Objects up to this many bytes are kept inside meta.json (default 128 KiB). */
  inlineLimit?: number;
  /** Called for every missing or bad shard the store meets: the feed for healing. */
  onShardProblem?: (problem: ShardProblem) => void;
  codec?: ErasureCodecOptions;
  /** For crash tests only: see StoreFaults. */
  faults?: Partial<StoreFaults>;
  /** Healing's schedule and I/O budget (heal-service.ts). */
  healing?: HealingOptions;
  /** Directory names listings keep in memory between pages (listing-names.ts; default 2,000,000). */
  listingNamesBudget?: number;
  /** Keys whose listing figures are kept in memory between pages (listing-infos.ts; default 200,000; 0: none). */
  listingInfosBudget?: number;
}

export interface ObjectStore {
  readonly storeId: string;
  readonly layout: { k: number; m: number };
  /** The disks by their index in the set, with their state. */
  disks(): DiskSlot[];
  createBucket(bucket: string): Promise<BucketInfo>;
  headBucket(bucket: string): Promise<BucketInfo>;
  /** Refused (BucketNotEmpty) while it lists any object. */
  deleteBucket(bucket: string): Promise<void>;
  listBuckets(): Promise<BucketInfo[]>;
  putObject(bucket: string, key: string, body: ObjectBody, meta?: PutMeta): Promise<ObjectInfo>;
  getObject(bucket: string, key: string, range?: ByteRange): Promise<GetResult>;
  headObject(bucket: string, key: string): Promise<ObjectInfo>;
  /** S3 semantics: deleting a missing key is not an error (deleted: false). */
  deleteObject(bucket: string, key: string): Promise<{ deleted: boolean }>;
  listObjects(bucket: string, options?: ListOptions): Promise<ListPage>;
  /** Rewrites the object's missing or bad shards (and stale meta.json) on the online disks from the good ones. */
  healObject(bucket: string, key: string): Promise<HealResult>;

  // Multipart uploads (multipart.ts; README "Multipart"). Errors: NoSuchUpload (unknown, completed
  // or aborted, or another key's), InvalidArgument (part number), InvalidPart, InvalidPartOrder,
  // EntityTooSmall, StorageFull.
  createMultipartUpload(bucket: string, key: string, meta?: PutMeta): Promise<{ uploadId: string }>;
  /** Part 1…10000; uploading a number again replaces it. etag: MD5 hex of the part (unquoted). */
  uploadPart(bucket: string, key: string, uploadId: string, partNumber: number, body: ObjectBody): Promise<{ etag: string; size: number }>;
  /** The object of the listed parts (ascending, each as uploaded); the upload is gone afterwards. ETag: MD5 of the parts' MD5s, "-N". */
  completeMultipartUpload(bucket: string, key: string, uploadId: string, parts: CompletePart[], options?: CompleteOptions): Promise<ObjectInfo>;
  abortMultipartUpload(bucket: string, key: string, uploadId: string): Promise<void>;
  listParts(bucket: string, key: string, uploadId: string, options?: ListPartsOptions): Promise<PartsPage>;
  listMultipartUploads(bucket: string, options?: ListUploadsOptions): Promise<UploadsPage>;

  getBucketSettings(bucket: string): Promise<BucketSettings>;
  setBucketSettings(bucket: string, settings: BucketSettings): Promise<void>;

  // Healing (heal-service.ts; README "Healing").
  /** The scanner's state, its cycle's progress and ETA, the last cycle, per-bucket usage, the heal-on-read queue. */
  healStatus(): HealStatus;
  setHealPriority(priority: HealPriority): void;
  /** Scan every object now (nothing when a cycle is running). */
  startHealCycle(): void;
  /** Looks at the disks again ("I replaced disk N"): a blank disk where one is missing is formatted in and rebuilt. */
  rescanDisks(): Promise<DiskSlot[]>;
  /** Resolves when no heal cycle runs and no object waits for healing. */
  healIdle(): Promise<void>;
  /** Stops healing and waits for it (the object being healed finishes). */
  close(): Promise<void>;
}

export const DEFAULT_BLOCK_SIZE = 1 << 20;
export const DEFAULT_INLINE_LIMIT = 128 * 1024;

export async function openStore(options: StoreOptions): Promise<ObjectStore> {
  const { layout } = options;
  if (layout) {
    const { k, m } = layout;
    if (!Number.isInteger(k) || !Number.isInteger(m) || k < 2 || m < 1 || k > MAX_DATA_SHARDS || m > MAX_PARITY_SHARDS) {
      throw new StoreError('InvalidLayout', `layout ${k}+${m}: k must be 2…${MAX_DATA_SHARDS} and m 1…${MAX_PARITY_SHARDS}`);
    }
  }
  const blockSize = options.blockSize ?? DEFAULT_BLOCK_SIZE;
  const inlineLimit = options.inlineLimit ?? DEFAULT_INLINE_LIMIT;
  if (inlineLimit >= blockSize) throw new StoreError('InvalidLayout', 'the inline limit must be below the block size');
  const set = await openDiskSet(options.disks, layout);
  const { k, m } = set.layout;
  // Leftovers of writes a crash interrupted: never referenced by any meta.json, so safe to drop.
  await Promise.all(
    set.slots.map(async (slot) => {
      if (slot.state !== 'online' || !slot.path) return;
      const tmp = path.join(slot.path, TMP_DIR);
      await fs.rm(tmp, { recursive: true, force: true });
      await fs.mkdir(tmp, { recursive: true, mode: 0o750 });
    }),
  );
  // Made once the key lock exists; fed every shard problem (heal on read).
  const healing: { current?: Healing } = {};
  const ctx: StoreContext = {
    storeId: set.storeId,
    k,
    m,
    n: k + m,
    slots: set.slots,
    blockSize,
    inlineLimit,
    writeQuorum: k === m ? k + 1 : k,
    codecs: createCodecPool(k, m, options.codec ?? {}),
    names: createDirectoryNames(options.listingNamesBudget),
    infos: createObjectInfos(options.listingInfosBudget),
    report: (problem) => {
      ctx.infos.forget(problem.bucket, problem.key);
      options.onShardProblem?.(problem);
      healing.current?.notice(problem);
    },
    faults: { beforeStep: options.faults?.beforeStep ?? (() => undefined) },
  };

  // One commit (or delete) per key at a time, in call order; one part commit, completion or
  // abort per multipart upload.
  const lock = createKeyedLock();
  const withKeyLock = <T>(bucket: string, key: string, fn: () => Promise<T>): Promise<T> => lock(keyLockId(bucket, key), fn);
  const mp: MultipartDeps = { ctx, lock };
  const heal = createHealing({ ctx, disks: options.disks, withKeyLock, options: options.healing ?? {} });
  healing.current = heal;

  // Buckets seen to exist: this process is the store's only writer, so what it created or saw
  // stays true until it deletes it; saves k + m reads per request.
  const knownBuckets = new Set<string>();
  const ensureBucket = async (bucket: string) => {
    if (knownBuckets.has(bucket)) return;
    await requireBucket(ctx, bucket);
    knownBuckets.add(bucket);
  };

  async function resolveObject(bucket: string, key: string) {
    validateBucketName(bucket);
    validateKey(key);
    const metas = readDiskMetas(ctx, bucket, key);
    try {
      return { metas, resolved: resolveOrThrow(ctx, bucket, key, metas) };
    } catch (error) {
      // The disks no longer hold the key listings remember (its files went behind the store's back).
      ctx.infos.forget(bucket, key);
      if (error instanceof StoreError && error.code === 'NoSuchKey') await ensureBucket(bucket);
      throw error;
    }
  }

  // What a crash left of uploads that cannot be live (never a live one: multipart-listing.ts).
  await sweepUploads(ctx, async (bucket) => (await bucketExists(ctx, bucket)) !== null);

  const store: ObjectStore = {
    storeId: set.storeId,
    layout: { k, m },
    disks: () => ctx.slots.map((s) => ({ ...s })),
    async createBucket(bucket) {
      const info = await createBucket(ctx, bucket);
      knownBuckets.add(bucket);
      return info;
    },
    async headBucket(bucket) {
      const created = await bucketExists(ctx, bucket);
      if (!created) throw new StoreError('NoSuchBucket', `no bucket named ${bucket}`);
      return { name: bucket, created };
    },
    async deleteBucket(bucket) {
      await requireBucket(ctx, bucket);
      const page = await listObjects(ctx, bucket, { maxKeys: 1 });
      if (page.objects.length > 0 || page.commonPrefixes.length > 0) throw new StoreError('BucketNotEmpty', `bucket ${bucket} is not empty`);
      knownBuckets.delete(bucket);
      // S3 deletes a general purpose bucket with multipart uploads in progress, and them with it
      // (ceph/ceph#15630 tried it on AWS; scality/cloudserver#1591 followed); only directory
      // buckets refuse. Uploads first: a crash between leaves them for the open's sweep.
      await Promise.all(ctx.slots.map((slot) => (slot.state === 'online' && slot.path ? fs.rm(path.join(slot.path, MULTIPART_DIR, bucket), { recursive: true, force: true }) : undefined)));
      await removeBucket(ctx, bucket);
      ctx.names.dropBucket(bucket);
      ctx.infos.forgetBucket(bucket);
    },
    listBuckets: () => listBuckets(ctx),
    async putObject(bucket, key, body, meta = {}) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      // A commit that failed part-way may still have left the key readable: the listing looks.
      return putObject(ctx, bucket, key, body, meta, (fn) => withKeyLock(bucket, key, fn)).then(
        (info) => (ctx.names.added(bucket, key), ctx.infos.forget(bucket, key), info),
        (error: unknown) => {
          ctx.names.uncertain(bucket, key);
          ctx.infos.forget(bucket, key);
          throw error;
        },
      );
    },
    async getObject(bucket, key, range) {
      const { metas, resolved } = await resolveObject(bucket, key);
      return await readObject(ctx, bucket, key, metas, resolved, range);
    },
    async headObject(bucket, key) {
      const { metas, resolved } = await resolveObject(bucket, key);
      for (const problem of metaProblems(ctx, bucket, key, metas, resolved)) ctx.report(problem);
      return toInfo(bucket, key, resolved.version);
    },
    async deleteObject(bucket, key) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      // Whatever happened (a delete that failed part-way too), the next listing looks at the disks.
      const done = () => (ctx.names.removed(bucket, key), ctx.infos.forget(bucket, key));
      return withKeyLock(bucket, key, async () => {
        const metas = readDiskMetas(ctx, bucket, key);
        let deleted = true;
        try {
          resolveOrThrow(ctx, bucket, key, metas);
        } catch (error) {
          if (!(error instanceof StoreError) || error.code !== 'NoSuchKey') throw error;
          deleted = false; // still clear any partial leftovers below
        }
        // meta.json goes first on each disk (the object stops being there), then the data dirs.
        const failed: string[] = [];
        await Promise.all(
          ctx.slots.map(async (slot, i) => {
            const meta = metas[i]!;
            if (meta.state !== 'ok' || slot.state !== 'online') return;
            const dir = objectDir(slot, bucket, key);
            try {
              await ctx.faults.beforeStep('meta-remove', i);
              await fs.rm(path.join(dir, META_FILE), { force: true });
              await fsyncDir(dir);
              for (const record of meta.versions) if (record.dataDir) await fs.rm(path.join(dir, record.dataDir), { recursive: true, force: true });
              await removeEmptyParents(dir, bucketDir(slot, bucket));
            } catch (error) {
              failed.push(`${diskName(ctx, i)}: ${error instanceof Error ? error.message : String(error)}`);
            }
          }),
        );
        if (failed.length > 0 && deleted) {
          const still = metas.filter((m) => m.state === 'ok').length - failed.length;
          if (still >= k) throw new StoreError('WriteQuorum', `${bucket}/${key}: not deleted on enough disks (${failed.join('; ')})`, failed);
        }
        return { deleted };
      }).finally(done);
    },
    async healObject(bucket, key) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      return withKeyLock(bucket, key, () => healObject(ctx, bucket, key));
    },
    async createMultipartUpload(bucket, key, meta = {}) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      return createMultipartUpload(mp, bucket, key, meta);
    },
    async uploadPart(bucket, key, uploadId, partNumber, body) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      return uploadPart(mp, bucket, key, uploadId, partNumber, body);
    },
    async completeMultipartUpload(bucket, key, uploadId, parts, options) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      return completeMultipartUpload(mp, bucket, key, uploadId, parts, options).then(
        (info) => (ctx.names.added(bucket, key), ctx.infos.forget(bucket, key), info),
        (error: unknown) => {
          ctx.names.uncertain(bucket, key);
          ctx.infos.forget(bucket, key);
          throw error;
        },
      );
    },
    async abortMultipartUpload(bucket, key, uploadId) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      return abortMultipartUpload(mp, bucket, key, uploadId);
    },
    async listParts(bucket, key, uploadId, options) {
      validateBucketName(bucket);
      validateKey(key);
      await ensureBucket(bucket);
      return listParts(mp, bucket, key, uploadId, options);
    },
    async listMultipartUploads(bucket, options) {
      await ensureBucket(bucket);
      return listMultipartUploads(ctx, bucket, options);
    },
    getBucketSettings: (bucket) => getBucketSettings(ctx, bucket),
    async setBucketSettings(bucket, settings) {
      await setBucketSettings(ctx, bucket, settings, `${randomUUID()}.bucket`);
    },
    async listObjects(bucket, options = {}) {
      await ensureBucket(bucket);
      if (options.prefix !== undefined && options.prefix !== '') validateKey(options.prefix);
      return listObjects(ctx, bucket, options);
    },
    healStatus: () => heal.status(),
    setHealPriority: (priority) => heal.setPriority(priority),
    startHealCycle: () => heal.startCycle(),
    async rescanDisks() {
      const slots = await heal.rescanDisks();
      ctx.infos.clear(); // disks came or went: what a key reads as may have changed
      return slots;
    },
    healIdle: () => heal.idle(),
    close: () => heal.close(),
  };
  heal.start();
  return heal.tracked(store);
}
