import { createHash, randomUUID } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import type { ErasureCodec } from '../erasure';
import { StripeReader, type ObjectBody } from './body-reader';
import { TMP_DIR } from './disk-format';
import { fsyncDir, mkdirSynced, writeFileSynced } from './disk-io';
import { errnoOf, isNoSpace, StoreError } from './errors';
import { keyToSegments, META_FILE } from './object-key';
import { CHECKSUM_ALGORITHM, dataDirOf, highestGeneration, resolveVersion, serializeMeta, shardIndexFor, type VersionRecord } from './object-meta';
import { diskName, objectDir, readDiskMetas, type StoreContext } from './store-context';

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

/** One put's per-disk state: which disks are still taking part, and why the others left. */
class DiskRound {
  readonly live: boolean[];
  readonly failures = new Map<number, unknown>();
  constructor(private readonly ctx: StoreContext) {
    this.live = ctx.slots.map((s) => s.state === 'online');
  }
  fail(i: number, error: unknown): void {
    if (!this.failures.has(i)) this.failures.set(i, error);
    this.live[i] = false;
  }
  get liveIndices(): number[] {
    return this.live.flatMap((ok, i) => (ok ? [i] : []));
  }
  /** Throws when fewer than the write quorum of disks are left: StorageFull if a disk was full. */
  check(bucket: string, key: string): void {
    const live = this.liveIndices.length;
    if (live >= this.ctx.writeQuorum) return;
    const down = this.ctx.slots.flatMap((s, i) => (this.live[i] ? [] : [i]));
    const why = (i: number) => {
      const error = this.failures.get(i);
      return error === undefined ? (this.ctx.slots[i]!.reason ?? 'offline') : error instanceof Error ? error.message : String(error);
    };
    const full = [...this.failures.values()].some(isNoSpace);
    throw new StoreError(
      full ? 'StorageFull' : 'WriteQuorum',
      `${bucket}/${key}: ${full ? 'storage is full' : 'too few disks can be written'}: ${live} of ${this.ctx.n} disks left, ${this.ctx.writeQuorum} needed (${down.map((i) => `${diskName(this.ctx, i)}: ${why(i)}`).join('; ')})`,
      down.map((i) => diskName(this.ctx, i)),
    );
  }
}

export async function writeFully(handle: FileHandle, buffers: Uint8Array[]): Promise<void> {
  const total = buffers.reduce((sum, b) => sum + b.length, 0);
  const { bytesWritten } = await handle.writev(buffers);
  if (bytesWritten !== total) throw Object.assign(new Error(`short write (${bytesWritten} of ${total} bytes): the disk is full`), { code: 'ENOSPC' });
}

/** Encodes one stripe of `stage` into the codec's shards, reusing them while the shard length stays. */
class StripeEncoder {
  private shards: Uint8Array[] = [];
  private shardLength = -1;
  constructor(private readonly codec: ErasureCodec) {}
  encode(stage: Uint8Array, length: number): Uint8Array[] {
    const { k } = this.codec;
    const c = Math.ceil(length / k);
    if (c !== this.shardLength) {
      this.shards = this.codec.allocateShards(c);
      this.shardLength = c;
    }
    for (let i = 0; i < k; i++) {
      const shard = this.shards[i]!;
      const start = Math.min(length, i * c);
      const end = Math.min(length, start + c);
      shard.set(stage.subarray(start, end));
      if (end - start < c) shard.fill(0, end - start);
    }
    this.codec.encode(this.shards.slice(0, k), this.shards.slice(k));
    return this.shards;
  }
}

export async function putObject(ctx: StoreContext, bucket: string, key: string, body: ObjectBody, meta: PutMeta, commitLock: <T>(fn: () => Promise<T>) => Promise<T>): Promise<ObjectInfo> {
  const round = new DiskRound(ctx);
  round.check(bucket, key);
  const versionId = randomUUID();
  const tmpId = randomUUID();
  const tmpDirs = ctx.slots.map((s) => (s.path ? path.join(s.path, TMP_DIR, tmpId) : ''));
  const shardOf = ctx.slots.map((_, i) => shardIndexFor(i, ctx.n, bucket, key));
  const handles: (FileHandle | null)[] = ctx.slots.map(() => null);
  const reader = new StripeReader(body);
  const md5 = createHash('md5');
  const stage = Buffer.allocUnsafe(ctx.blockSize);
  // Two codecs, used in turn: stripe s + 1 is read, hashed and encoded while stripe s is written.
  const codecs = [ctx.codecs.acquire(), ctx.codecs.acquire()];
  const encoders = codecs.map((codec) => new StripeEncoder(codec));

  const onLive = (fn: (i: number) => Promise<void>) =>
    Promise.all(round.liveIndices.map((i) => fn(i).catch((error: unknown) => round.fail(i, error)))).then(() => round.check(bucket, key));

  try {
    let length = await reader.fill(stage);
    md5.update(stage.subarray(0, length));
    let size = length;
    const inline = length <= ctx.inlineLimit;
    if (!inline) {
      await onLive(async (i) => {
        await fs.mkdir(tmpDirs[i]!);
        handles[i] = await fs.open(path.join(tmpDirs[i]!, PART_FILE), 'w', 0o640);
      });
    }

    let inlineShards: Buffer[] = [];
    if (inline) {
      inlineShards = encoders[0]!.encode(stage, length).map((s) => Buffer.from(s));
    } else {
      let writing: Promise<void> | null = null;
      for (let stripe = 0; ; stripe++) {
        const shards = encoders[stripe % 2]!.encode(stage, length);
        const sums = shards.map((shard) => createHash(CHECKSUM_ALGORITHM).update(shard).digest());
        // One stripe in flight: the previous one's writes end before this one's start (each
        // part.1 is written in order), and before this codec's shards are encoded into again.
        await writing;
        writing = onLive(async (i) => {
          const s = shardOf[i]!;
          await writeFully(handles[i]!, [sums[s]!, shards[s]!]);
        });
        writing.catch(() => undefined); // awaited below; not unhandled meanwhile
        if (length < ctx.blockSize) break;
        length = await reader.fill(stage);
        if (length === 0) break;
        md5.update(stage.subarray(0, length));
        size += length;
      }
      await writing;
      await onLive(async (i) => {
        const handle = handles[i]!;
        handles[i] = null;
        try {
          await handle.sync();
        } finally {
          await handle.close();
        }
      });
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
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
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
async function commitVersion(
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
  if (committed.length < ctx.writeQuorum) round.check(bucket, key);

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
