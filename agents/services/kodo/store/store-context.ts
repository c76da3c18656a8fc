import path from 'node:path';
import { createErasureCodec, type ErasureCodec, type ErasureCodecOptions } from '../erasure';
import { diskStillServes, type DiskSlot } from './disk-format';
import { readJsonOrNull } from './disk-io';
import { StoreError } from './errors';
import type { ObjectInfos } from './listing-infos';
import type { DirectoryNames } from './listing-names';
import { keyToSegments, META_FILE } from './object-key';
import { parseMeta, resolveVersion, type DiskMeta, type Resolved } from './object-meta';

/** A shard the store found missing or bad: what healing will rewrite. */
export interface ShardProblem {
  bucket: string;
  key: string;
  versionId: string | null;
  disk: string;
  diskIndex: number;
  reason: 'offline' | 'missing' | 'stale' | 'checksum' | 'io' | 'meta-corrupt';
  detail?: string;
}

/** What the store's parts share: the disk set and its layout, fixed at open. */
export interface StoreContext {
  storeId: string;
  k: number;
  m: number;
  n: number;
  slots: DiskSlot[];
  /** Object bytes per stripe. */
  blockSize: number;
  /** Objects up to this size live inside meta.json. */
  inlineLimit: number;
  /** Writes succeed on this many disks at least (MinIO's rule: k, or k + 1 when k = m, so two halves never both win). */
  writeQuorum: number;
  codecs: CodecPool;
  /** The sorted names of listed directories, kept between listings (listing-names.ts). */
  names: DirectoryNames;
  /** What listings found keys to be, kept between listings (listing-infos.ts). */
  infos: ObjectInfos;
  report(problem: ShardProblem): void;
  faults: StoreFaults;
}

/**
 * A fault-injection point for the crash test: awaited before each step of a commit or delete that
 * changes what a reader sees on one disk. A test freezes the store after its n-th step (a promise
 * that never settles) and SIGKILLs the process, so the disks are left exactly between two of their
 * steps: the window a kill at a random instant rarely hits, since the disks' renames run at once.
 * Does nothing otherwise.
 */
export interface StoreFaults {
  beforeStep(step: StoreStep, diskIndex: number): void | Promise<void>;
}

/** The steps StoreFaults can stop at: an object's commit and delete, and a multipart upload's. */
export type StoreStep =
  | 'data-rename'
  | 'meta-rename'
  | 'meta-collapse'
  | 'old-data-remove'
  | 'meta-remove'
  | 'upload-create'
  | 'part-rename'
  | 'part-old-remove'
  | 'upload-remove';

/**
 * Codecs for the store's operations. Each holds its shard buffers in its own WebAssembly memory
 * (allocateShards), so one operation uses one codec at a time; a free list keeps up to `keep` of
 * them instead of making (and leaving the garbage collector) a new memory per request.
 */
export interface CodecPool {
  acquire(): ErasureCodec;
  release(codec: ErasureCodec): void;
}

export function createCodecPool(k: number, m: number, options: ErasureCodecOptions, keep = 8): CodecPool {
  const free: ErasureCodec[] = [];
  return {
    acquire: () => free.pop() ?? createErasureCodec(k, m, options),
    release: (codec) => {
      if (free.length < keep) free.push(codec);
    },
  };
}

export function diskName(ctx: StoreContext, index: number): string {
  return ctx.slots[index]?.path ?? `disk index ${index}`;
}

export function bucketDir(slot: DiskSlot, bucket: string): string {
  return path.join(slot.path!, bucket);
}

export function objectDir(slot: DiskSlot, bucket: string, key: string): string {
  return path.join(slot.path!, bucket, ...keyToSegments(key));
}

export function readDiskMeta(slot: DiskSlot, bucket: string, key: string): DiskMeta {
  if (slot.state !== 'online' || slot.path === null) return { state: 'error', error: slot.reason ?? 'offline' };
  try {
    const value = readJsonOrNull(path.join(objectDir(slot, bucket, key), META_FILE));
    if (value === null) return { state: 'absent' };
    return { state: 'ok', versions: parseMeta(value) };
  } catch (error) {
    return { state: 'error', error: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * Enough disks' meta.json to know the object's version: k of them first, then the rest only when
 * those k do not all agree (listing reads metadata for every key; 10+2 reads 10 files, not 12).
 * Disks not read come back as 'error' 'not read': callers that need every disk use readDiskMetas.
 */
export function readQuorumMetas(ctx: StoreContext, bucket: string, key: string): DiskMeta[] {
  const metas: DiskMeta[] = ctx.slots.map(() => ({ state: 'error', error: 'not read' }));
  let read = 0;
  ctx.slots.forEach((slot, i) => {
    if (read < ctx.k && slot.state === 'online') {
      metas[i] = readDiskMeta(slot, bucket, key);
      read++;
    }
  });
  const first = metas.find((m) => m.state === 'ok');
  const agree =
    read === ctx.k &&
    first?.state === 'ok' &&
    first.versions.length === 1 &&
    metas.every((m) => m.state === 'error' ? m.error === 'not read' : m.state === 'ok' && m.versions.length === 1 && m.versions[0]!.versionId === first.versions[0]!.versionId) &&
    metas.filter((m) => m.state === 'ok').length === ctx.k;
  if (agree) return metas;
  return readDiskMetas(ctx, bucket, key);
}

/** Every disk's meta.json for the key (synchronous: see readJsonOrNull). */
export function readDiskMetas(ctx: StoreContext, bucket: string, key: string): DiskMeta[] {
  return ctx.slots.map((slot) => readDiskMeta(slot, bucket, key));
}

/**
 * The object's current version, or:
 *  - NoSuchKey when the disks that answered leave no way for k of them to agree;
 *  - ReadQuorum, naming the disks, when they might if the unreadable disks were back (m + 1 lost:
 *    an error, never a guess). A disk whose meta.json is absent counts as unreadable when the disk
 *    itself no longer is the store's (wiped, unmounted: its format.json is gone).
 */
export function resolveOrThrow(ctx: StoreContext, bucket: string, key: string, metas: DiskMeta[]): Resolved {
  const resolved = resolveVersion(metas, ctx.k);
  if (resolved) return resolved;
  const alive = ctx.slots.map((slot, i) => (metas[i]!.state === 'absent' ? diskStillServes(slot, ctx.storeId) : metas[i]!.state === 'ok'));
  const unreadable = metas.flatMap((meta, i) => (meta.state === 'error' || !alive[i] ? [i] : []));
  // The most disks that agree on any version.
  const counts = new Map<string, number>();
  for (const meta of metas) if (meta.state === 'ok') for (const r of meta.versions) counts.set(r.versionId, (counts.get(r.versionId) ?? 0) + 1);
  const most = Math.max(0, ...counts.values());
  if (unreadable.length > 0 && most + unreadable.length >= ctx.k) {
    const names = unreadable.map((i) => diskName(ctx, i));
    throw new StoreError(
      'ReadQuorum',
      `${bucket}/${key}: ${unreadable.length} of ${ctx.n} disks cannot be read (${unreadable.map((i) => `${diskName(ctx, i)}: ${metas[i]!.state === 'error' ? (metas[i] as { error: string }).error : 'not this store’s disk any more'}`).join('; ')}); ${ctx.k} must agree to read it`,
      names,
    );
  }
  throw new StoreError('NoSuchKey', `${bucket}/${key}: no such object`);
}
