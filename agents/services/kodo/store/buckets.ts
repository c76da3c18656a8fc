import fs from 'node:fs/promises';
import path from 'node:path';
import { BUCKETS_DIR, diskStillServes, TMP_DIR } from './disk-format';
import { fsyncDir, readDirOrEmpty, readJsonOrNull, writeFileSynced } from './disk-io';
import { StoreError } from './errors';
import { validateBucketName } from './object-key';
import { diskName, type StoreContext } from './store-context';

/**
 * Buckets: a directory `<disk>/<bucket>/` holding the objects, and `<disk>/.kodo/buckets/<bucket>.json`
 * (its creation time) written after it, on every disk. A bucket exists when k disks say so, the
 * same rule as objects, so a crash half-way through creating or deleting one leaves it existing or
 * not, consistently, and losing m disks loses no bucket.
 */

export interface BucketInfo {
  name: string;
  created: Date;
}

export function bucketFile(diskPath: string, bucket: string): string {
  return path.join(diskPath, BUCKETS_DIR, `${bucket}.json`);
}

/** What a bucket's file may say besides its creation time; absent in files written before settings existed. */
export interface BucketSettings {
  /** Anyone may GET and HEAD its objects without signing (S3's public-read, as one switch). */
  publicRead: boolean;
}

const DEFAULT_SETTINGS: BucketSettings = { publicRead: false };

interface BucketFile {
  created: number;
  settings?: BucketSettings;
  /** One more on each change: the highest a readable disk holds is the bucket's settings. */
  settingsGeneration?: number;
}

type BucketState = { state: 'ok'; created: number; file: BucketFile } | { state: 'absent' } | { state: 'error' };

function readBucket(ctx: StoreContext, bucket: string): BucketState[] {
  return ctx.slots.map((slot): BucketState => {
    if (slot.state !== 'online' || !slot.path) return { state: 'error' };
    try {
      const value = readJsonOrNull(bucketFile(slot.path, bucket)) as Partial<BucketFile> | null;
      if (value === null) return diskStillServes(slot, ctx.storeId) ? { state: 'absent' } : { state: 'error' };
      return typeof value.created === 'number' ? { state: 'ok', created: value.created, file: value as BucketFile } : { state: 'error' };
    } catch {
      return { state: 'error' };
    }
  });
}

/** The bucket's creation time when it exists; null when it does not; ReadQuorum when too few disks answer to tell. */
export async function bucketExists(ctx: StoreContext, bucket: string): Promise<Date | null> {
  validateBucketName(bucket);
  const states = readBucket(ctx, bucket);
  const present = states.filter((s): s is Extract<BucketState, { state: 'ok' }> => s.state === 'ok');
  if (present.length >= ctx.k) return new Date(Math.min(...present.map((s) => s.created)));
  const failed = states.flatMap((s, i) => (s.state === 'error' ? [diskName(ctx, i)] : []));
  if (failed.length > 0 && present.length + failed.length >= ctx.k) {
    throw new StoreError('ReadQuorum', `bucket ${bucket}: ${failed.length} disks cannot be read (${failed.join(', ')})`, failed);
  }
  return null;
}

export async function requireBucket(ctx: StoreContext, bucket: string): Promise<void> {
  if (!(await bucketExists(ctx, bucket))) throw new StoreError('NoSuchBucket', `no bucket named ${bucket}`);
}

function online(ctx: StoreContext): number[] {
  return ctx.slots.flatMap((s, i) => (s.state === 'online' && s.path ? [i] : []));
}

export async function createBucket(ctx: StoreContext, bucket: string): Promise<BucketInfo> {
  if (await bucketExists(ctx, bucket)) throw new StoreError('BucketAlreadyExists', `bucket ${bucket} already exists`);
  const created = Date.now();
  const failures: string[] = [];
  await Promise.all(
    online(ctx).map(async (i) => {
      const disk = ctx.slots[i]!.path!;
      try {
        await fs.mkdir(path.join(disk, bucket), { recursive: true, mode: 0o750 });
        await fsyncDir(disk);
        await writeFileSynced(bucketFile(disk, bucket), JSON.stringify({ created }));
        await fsyncDir(path.join(disk, BUCKETS_DIR));
      } catch (error) {
        failures.push(`${disk}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  if (online(ctx).length - failures.length < ctx.writeQuorum) {
    throw new StoreError('WriteQuorum', `bucket ${bucket} could not be created on enough disks: ${failures.join('; ')}`, failures);
  }
  return { name: bucket, created: new Date(created) };
}

/** Deletes an empty bucket (the caller has checked that it lists nothing). */
export async function removeBucket(ctx: StoreContext, bucket: string): Promise<void> {
  await Promise.all(
    online(ctx).map(async (i) => {
      const disk = ctx.slots[i]!.path!;
      await fs.rm(bucketFile(disk, bucket), { force: true });
      await fsyncDir(path.join(disk, BUCKETS_DIR));
      // Only empty directories and leftovers of unfinished writes remain under it.
      await fs.rm(path.join(disk, bucket), { recursive: true, force: true });
    }),
  );
}

/**
 * The bucket's settings: those of the highest settings generation any disk holding the bucket has.
 * A change is acknowledged once the write quorum holds it, so any k readable disks include one
 * that has it; a change a crash interrupted may show or not until it is set again.
 */
export async function getBucketSettings(ctx: StoreContext, bucket: string): Promise<BucketSettings> {
  return (await currentSettings(ctx, bucket)).settings;
}

async function currentSettings(ctx: StoreContext, bucket: string): Promise<{ settings: BucketSettings; generation: number; created: number }> {
  const created = await bucketExists(ctx, bucket);
  if (!created) throw new StoreError('NoSuchBucket', `no bucket named ${bucket}`);
  let best: { settings: BucketSettings; generation: number; created: number } = { settings: { ...DEFAULT_SETTINGS }, generation: 0, created: created.getTime() };
  for (const state of readBucket(ctx, bucket)) {
    if (state.state !== 'ok') continue;
    const generation = state.file.settingsGeneration ?? 0;
    if (generation > best.generation && state.file.settings) best = { settings: { ...DEFAULT_SETTINGS, ...state.file.settings }, generation, created: best.created };
  }
  return best;
}

/** Rewrites the bucket's file on every disk (staged in tmp, renamed over: each disk old or new). */
export async function setBucketSettings(ctx: StoreContext, bucket: string, settings: BucketSettings, tmpName: string): Promise<void> {
  if (typeof settings.publicRead !== 'boolean') throw new StoreError('InvalidArgument', 'publicRead must be true or false');
  const current = await currentSettings(ctx, bucket);
  const file: BucketFile = { created: current.created, settings: { publicRead: settings.publicRead }, settingsGeneration: current.generation + 1 };
  const failures: string[] = [];
  const disks = readBucket(ctx, bucket).flatMap((s, i) => (s.state === 'ok' ? [i] : []));
  await Promise.all(
    disks.map(async (i) => {
      const disk = ctx.slots[i]!.path!;
      const staged = path.join(disk, TMP_DIR, tmpName);
      try {
        await writeFileSynced(staged, JSON.stringify(file));
        await fs.rename(staged, bucketFile(disk, bucket));
        await fsyncDir(path.join(disk, BUCKETS_DIR));
      } catch (error) {
        await fs.rm(staged, { force: true }).catch(() => undefined);
        failures.push(`${disk}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  if (disks.length - failures.length < ctx.writeQuorum) {
    throw new StoreError('WriteQuorum', `bucket ${bucket}: settings not written on enough disks (${failures.join('; ') || `only ${disks.length} disks hold the bucket`}); try again`, failures);
  }
}

export async function listBuckets(ctx: StoreContext): Promise<BucketInfo[]> {
  const names = new Set<string>();
  for (const i of online(ctx)) {
    for (const file of readDirOrEmpty(path.join(ctx.slots[i]!.path!, BUCKETS_DIR))) if (file.endsWith('.json')) names.add(file.slice(0, -'.json'.length));
  }
  const out: BucketInfo[] = [];
  for (const name of [...names].sort()) {
    try {
      const created = await bucketExists(ctx, name);
      if (created) out.push({ name, created });
    } catch (error) {
      if (!(error instanceof StoreError) || error.code !== 'InvalidBucketName') throw error;
    }
  }
  return out;
}
