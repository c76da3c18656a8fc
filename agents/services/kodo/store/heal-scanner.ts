import fs from 'node:fs/promises';
import path from 'node:path';
import { bucketFile, listBuckets } from './buckets';
import { BUCKETS_DIR, diskStillServes } from './disk-format';
import { fsyncDir, readJsonOrNull, writeFileSynced } from './disk-io';
import { errnoOf, StoreError } from './errors';
import { healObject } from './heal';
import { cleanupObject, rawBytesOf, sweepStaleTemp } from './heal-cleanup';
import { recordError, type BucketUsage, type HealCycle } from './heal-status';
import type { HealThrottle } from './heal-throttle';
import { decodeSegment, META_FILE } from './object-key';
import { resolveVersion } from './object-meta';
import { diskName, readDiskMetas, type StoreContext } from './store-context';

/**
 * One scan cycle: every bucket, every object directory on any of the store's online disks, in key
 * order. Per object, under its key's lock: healObject (every block of every shard checked, within
 * the throttle's budget; missing or bad shards and stale meta.json rewritten, onto a replaced disk
 * too), then the crash leftovers removed (heal-cleanup.ts), then its usage counted. Buckets missing
 * on a disk (a replaced one) get their directory and file back first. Directories are read
 * asynchronously (fs.promises): the scanner is background work and must not block the event loop
 * the way the request path's synchronous metadata reads may.
 */

export interface ScanDeps {
  ctx: StoreContext;
  withKeyLock<T>(bucket: string, key: string, fn: () => Promise<T>): Promise<T>;
  throttle: HealThrottle;
  /** Updated as the cycle goes (the status reads it). */
  cycle: HealCycle;
  /** True when the cycle should end now (close, or a restart for a replaced disk). */
  stopped(): boolean;
}

class Stopped extends Error {}

export async function runScanCycle(deps: ScanDeps): Promise<BucketUsage[]> {
  const { ctx, cycle } = deps;
  cycle.leftoversRemoved += await sweepStaleTemp(ctx, Date.now());
  const usage: BucketUsage[] = [];
  try {
    for (const bucket of await listBuckets(ctx)) {
      if (deps.stopped()) throw new Stopped();
      await healBucketFiles(ctx, bucket.name, cycle);
      const counted: BucketUsage = { name: bucket.name, objects: 0, logicalBytes: 0, rawBytes: 0 };
      await walk(deps, bucket.name, [bucket.name], [], counted);
      usage.push(counted);
    }
  } catch (error) {
    if (error instanceof Stopped) cycle.aborted = true;
    else recordError(cycle, `scan: ${error instanceof Error ? error.message : String(error)}`);
  }
  return usage;
}

/** The disks a cycle reads: online and still the store's. */
function servingDisks(ctx: StoreContext): number[] {
  return ctx.slots.flatMap((slot, i) => (slot.state === 'online' && diskStillServes(slot, ctx.storeId) ? [i] : []));
}

async function walk(deps: ScanDeps, bucket: string, segments: string[], keyParts: string[], usage: BucketUsage): Promise<void> {
  const { ctx } = deps;
  const disks = servingDisks(ctx);
  if (disks.length < ctx.k) throw new StoreError('ReadQuorum', `only ${disks.length} of ${ctx.n} disks can be read; ${ctx.k} are needed to scan`);
  let isObject = false;
  const children = new Map<string, string>();
  for (const i of disks) {
    let entries: { name: string; isDirectory(): boolean }[];
    try {
      entries = await fs.readdir(path.join(ctx.slots[i]!.path!, ...segments), { withFileTypes: true });
    } catch (error) {
      const code = errnoOf(error);
      if (code === 'ENOENT' || code === 'ENOTDIR') continue;
      throw error;
    }
    for (const entry of entries) {
      if (entry.name === META_FILE || entry.name.startsWith('.v-')) isObject = true;
      else if (entry.isDirectory()) {
        const decoded = decodeSegment(entry.name);
        if (decoded !== null) children.set(entry.name, decoded);
      }
    }
  }
  if (isObject && keyParts.length > 0) {
    if (deps.stopped()) throw new Stopped();
    await deps.throttle.between();
    await visitObject(deps, bucket, keyParts.join('/'), usage);
  }
  for (const name of [...children.keys()].sort()) await walk(deps, bucket, [...segments, name], [...keyParts, children.get(name)!], usage);
}

async function visitObject(deps: ScanDeps, bucket: string, key: string, usage: BucketUsage): Promise<void> {
  const { ctx, cycle } = deps;
  try {
    await deps.withKeyLock(bucket, key, async () => {
      let metas = readDiskMetas(ctx, bucket, key);
      const before = resolveVersion(metas, ctx.k);
      let lost = false;
      if (before) {
        cycle.objectsScanned++;
        try {
          const result = await healObject(ctx, bucket, key, { throttle: (bytes) => deps.throttle.take(bytes) });
          if (result.healed.length > 0) {
            cycle.objectsHealed++;
            cycle.shardsRepaired += result.healed.length;
            metas = readDiskMetas(ctx, bucket, key);
          }
        } catch (error) {
          if (error instanceof StoreError && error.code === 'ReadQuorum') {
            cycle.unrecoverable++;
            lost = true;
          }
          else recordError(cycle, `${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      const resolved = resolveVersion(metas, ctx.k);
      cycle.leftoversRemoved += await cleanupObject(ctx, bucket, key, metas, resolved);
      // A replaced disk is done only when it holds every object.
      const short = resolved && !lost ? cycle.rebuilding.filter((i) => !resolved.holders[i]) : [];
      if (short.length > 0) recordError(cycle, `${bucket}/${key}: not rebuilt onto ${short.map((i) => diskName(ctx, i)).join(', ')}`);
      if (resolved) {
        usage.objects++;
        usage.logicalBytes += resolved.version.size;
        usage.rawBytes += await rawBytesOf(ctx, bucket, key, resolved);
      }
    });
  } catch (error) {
    recordError(cycle, `${bucket}/${key}: ${error instanceof Error ? error.message : String(error)}`);
  }
  cycle.bytesScanned = deps.throttle.bytes;
}

/**
 * The bucket's directory and its file on every serving disk that lacks them (a replaced disk), the
 * file copied from a disk that has it (creation time and settings), staged in the disk's temp dir.
 */
async function healBucketFiles(ctx: StoreContext, bucket: string, cycle: HealCycle): Promise<void> {
  const disks = servingDisks(ctx);
  const source = disks.map((i) => {
    try {
      return readJsonOrNull(bucketFile(ctx.slots[i]!.path!, bucket));
    } catch {
      return null;
    }
  });
  const text = JSON.stringify(source.find((s) => s !== null));
  if (text === undefined) return;
  await Promise.all(
    disks.map(async (i, at) => {
      if (source[at] !== null) return;
      const disk = ctx.slots[i]!.path!;
      try {
        await fs.mkdir(path.join(disk, bucket), { recursive: true, mode: 0o750 });
        await fs.mkdir(path.join(disk, BUCKETS_DIR), { recursive: true, mode: 0o750 });
        await fsyncDir(disk);
        const staged = `${bucketFile(disk, bucket)}.new`;
        await writeFileSynced(staged, text);
        await fs.rename(staged, bucketFile(disk, bucket));
        await fsyncDir(path.join(disk, BUCKETS_DIR));
      } catch (error) {
        recordError(cycle, `bucket ${bucket} on ${disk}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
}
