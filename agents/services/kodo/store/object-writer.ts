import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StripeReader, type ObjectBody } from './body-reader';
import { TMP_DIR } from './disk-format';
import { fsyncDir, mkdirSynced, writeFileSynced } from './disk-io';
import { errnoOf } from './errors';
import { keyToSegments, META_FILE } from './object-key';
import { CHECKSUM_ALGORITHM, dataDirOf, highestGeneration, resolveVersion, serializeMeta, shardIndexFor, type VersionRecord } from './object-meta';
import { DiskRound, StripeEncoder, writeShardFiles } from './shard-writer';
import { diskName, objectDir, readDiskMetas, type StoreContext } from './store-context';

// heal.ts imports writeFully from here.
export { writeFully } from './shard-writer';

/**
 * PUT: stream the body in stripes of ctx.blockSize bytes, each cut into k data shards plus m
 * parity shards, each disk's shard written with its SHA-256 in front into
 * `<disk>/.kodo/tmp/<uuid>/part.1`; then commit on every disk (commitVersion). Memory: one stage
 * of blockSize bytes, two codecs' k + m shards of blockSize / k (one stripe being written while
 * the next is encoded), and the chunk the body is yielding — about 4 × blockSize at 4+2 whatever
 * the object's size.
 */

export interface PutMeta {
  contentType?: string;
  userMetadata?: Record<string, string>;
  headers?: Record<string, string>;
}

export interface ObjectInfo {
  bucket: string;
  key: string;
  versionId: string;
  size: number;
  etag: string;
  contentType: string;
  userMetadata: Record<string, string>;
  headers: Record<string, string>;
  lastModified: Date;
}

export function toInfo(bucket: string, key: string, r: VersionRecord): ObjectInfo {
  return { bucket, key, versionId: r.versionId, size: r.size, etag: r.etag, contentType: r.contentType, userMetadata: r.userMetadata, headers: r.headers, lastModified: new Date(r.mtime) };
}

const PART_FILE = 'part.1';

export async function putObject(ctx: StoreContext, bucket: string, key: string, body: ObjectBody, meta: PutMeta, commitLock: <T>(fn: () => Promise<T>) => Promise<T>): Promise<ObjectInfo> {
  const what = `${bucket}/${key}`;
  const round = new DiskRound(ctx);
  round.check(what);
  const versionId = randomUUID();
  const tmpId = randomUUID();
  const tmpDirs = ctx.slots.map((s) => (s.path ? path.join(s.path, TMP_DIR, tmpId) : ''));
  const shardOf = ctx.slots.map((_, i) => shardIndexFor(i, ctx.n, bucket, key));
  const reader = new StripeReader(body);
  const md5 = createHash('md5');
  const stage = Buffer.allocUnsafe(ctx.blockSize);
  // Two codecs, used in turn: stripe s + 1 is read, hashed and encoded while stripe s is written.
  const codecs = [ctx.codecs.acquire(), ctx.codecs.acquire()];
  const encoders = codecs.map((codec) => new StripeEncoder(codec));

  try {
    const length = await reader.fill(stage);
    md5.update(stage.subarray(0, length));
    let size = length;
    const inline = length <= ctx.inlineLimit;
    let inlineShards: Buffer[] = [];
    if (inline) {
      inlineShards = encoders[0]!.encode(stage, length).map((s) => Buffer.from(s));
    } else {
      await round.onLive(what, async (i) => {
        await fs.mkdir(tmpDirs[i]!);
      });
      size = await writeShardFiles(ctx, { round, what, bucket, key, reader, md5, stage, firstLength: length, encoders, fileOf: (i) => path.join(tmpDirs[i]!, PART_FILE) });
    }

    const base: Omit<VersionRecord, 'erasure' | 'generation'> = {
      versionId,
      size,
      etag: md5.digest('hex'),
      contentType: meta.contentType ?? 'application/octet-stream',
      userMetadata: { ...meta.userMetadata },
      headers: { ...meta.headers },
      mtime: Date.now(),
    };
    const recordFor = (i: number, generation: number): VersionRecord => {
      const shardIndex = shardOf[i]!;
      const erasure = { k: ctx.k, m: ctx.m, blockSize: ctx.blockSize, shardIndex, checksum: CHECKSUM_ALGORITHM } as const;
      if (!inline) return { ...base, generation, erasure, dataDir: dataDirOf(versionId) };
      const shard = inlineShards[shardIndex]!;
      return { ...base, generation, erasure, inline: { shard: shard.toString('base64'), sum: createHash(CHECKSUM_ALGORITHM).update(shard).digest('hex') } };
    };
    return await commitLock(() => commitVersion(ctx, round, bucket, key, tmpId, recordFor, inline));
  } catch (error) {
    await reader.cancel();
    await removeTemp(ctx.slots.flatMap((s, i) => (s.path ? [i] : [])));
    throw error;
  } finally {
    for (const codec of codecs) ctx.codecs.release(codec);
    // A disk that dropped out of a put that succeeded may hold its part of it in tmp.
    await removeTemp([...round.failures.keys()]);
  }

  async function removeTemp(disks: number[]): Promise<void> {
    await Promise.all(
      disks.map(async (i) => {
        await fs.rm(tmpDirs[i]!, { recursive: true, force: true }).catch(() => undefined);
        await fs.rm(`${tmpDirs[i]}.meta`, { force: true }).catch(() => undefined);
      }),
    );
  }
}

/**
 * The commit, per disk (run under the key's lock, so two puts of one key commit one after the
 * other):
 *  1. meta.json listing [new, current] (current: the version the disks' quorum reads now, if this
 *     disk holds it) is written and fsynced in the temp dir;
 *  2. the temp dir is renamed into the object's directory as `.v-<versionId>` (an inlined object
 *     has no data dir), then its meta.json renamed over the object's meta.json — one atomic
 *     replace of a file — and the directory fsynced;
 *  3. once every disk has done 2, each rewrites meta.json as [new] alone and removes the old
 *     version's data dir.
 * Killed at any instant, each disk holds its old state, [new, current], or [new]: `current` is on
 * at least k disks until step 3 begins, which is after `new` is on every disk that will take it,
 * so the quorum rule (object-meta.ts) reads the old object or the new one, never neither and
 * never a mix. Objects are directories that may also hold other keys' directories
 * ('a' and 'a/b'), which is why the commit renames a file rather than the object's directory.
 */
export async function commitVersion(
  ctx: StoreContext,
  round: DiskRound,
  bucket: string,
  key: string,
  tmpId: string,
  recordFor: (i: number, generation: number) => VersionRecord,
  inline: boolean,
): Promise<ObjectInfo> {
  const metas = readDiskMetas(ctx, bucket, key);
  const current = resolveVersion(metas, ctx.k);
  const generation = highestGeneration(metas) + 1;
  const segments = [bucket, ...keyToSegments(key)];
  const records = ctx.slots.map((_, i) => recordFor(i, generation));
  const previous = ctx.slots.map((_, i) => current?.holders[i] ?? null);
  const committed: number[] = [];

  await Promise.all(
    round.liveIndices.map(async (i) => {
      const slot = ctx.slots[i]!;
      const tmpDir = path.join(slot.path!, TMP_DIR, tmpId);
      const record = records[i]!;
      const prev = previous[i];
      try {
        const list = prev && prev.versionId !== record.versionId ? [record, prev] : [record];
        const dir = objectDir(slot, bucket, key);
        // Make the object's directory only when the rename says it is missing. A concurrent delete
        // of a neighbouring key may remove an empty parent meanwhile: make it again and retry.
        const renameInto = async (from: string, to: string) => {
          for (let attempt = 0; ; attempt++) {
            try {
              return await fs.rename(from, to);
            } catch (error) {
              if (errnoOf(error) !== 'ENOENT' || attempt >= 3) throw error;
              await mkdirSynced(slot.path!, segments);
            }
          }
        };
        if (inline) {
          const staged = `${tmpDir}.meta`;
          await writeFileSynced(staged, serializeMeta(list));
          await ctx.faults.beforeStep('meta-rename', i);
          await renameInto(staged, path.join(dir, META_FILE));
        } else {
          await writeFileSynced(path.join(tmpDir, META_FILE), serializeMeta(list));
          await ctx.faults.beforeStep('data-rename', i);
          await renameInto(tmpDir, path.join(dir, record.dataDir!));
          await fsyncDir(dir);
          await ctx.faults.beforeStep('meta-rename', i);
          await fs.rename(path.join(dir, record.dataDir!, META_FILE), path.join(dir, META_FILE));
        }
        await fsyncDir(dir);
        committed.push(i);
      } catch (error) {
        round.fail(i, error);
      }
    }),
  );
  if (committed.length < ctx.writeQuorum) round.check(`${bucket}/${key}`);

  await Promise.all(
    committed.map(async (i) => {
      const prev = previous[i];
      if (!prev || prev.versionId === records[i]!.versionId) return;
      const slot = ctx.slots[i]!;
      const dir = objectDir(slot, bucket, key);
      const staged = path.join(slot.path!, TMP_DIR, `${tmpId}.meta`); // free again: the inline commit renamed it away
      try {
        await writeFileSynced(staged, serializeMeta([records[i]!]));
        await ctx.faults.beforeStep('meta-collapse', i);
        await fs.rename(staged, path.join(dir, META_FILE));
        await fsyncDir(dir);
        await ctx.faults.beforeStep('old-data-remove', i);
        if (prev.dataDir) await fs.rm(path.join(dir, prev.dataDir), { recursive: true, force: true });
      } catch (error) {
        // The new version is committed; the old one only lingers (a scanner's job).
        ctx.report({ bucket, key, versionId: records[i]!.versionId, disk: diskName(ctx, i), diskIndex: i, reason: 'io', detail: `old version not removed: ${error instanceof Error ? error.message : String(error)}` });
      }
    }),
  );
  for (const [i, error] of round.failures) {
    ctx.report({ bucket, key, versionId: records[i]!.versionId, disk: diskName(ctx, i), diskIndex: i, reason: 'io', detail: `not written: ${error instanceof Error ? error.message : String(error)}` });
  }
  for (const [i, slot] of ctx.slots.entries()) {
    if (slot.state !== 'online') ctx.report({ bucket, key, versionId: records[i]!.versionId, disk: diskName(ctx, i), diskIndex: i, reason: 'offline' });
  }
  return toInfo(bucket, key, records.find((_, i) => committed.includes(i)) ?? records[0]!);
}
