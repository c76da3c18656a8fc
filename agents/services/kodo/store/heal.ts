import { createHash, randomUUID } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { diskStillServes, TMP_DIR } from './disk-format';
import { fsyncDir, mkdirSynced, writeFileSynced } from './disk-io';
import { StoreError } from './errors';
import { keyToSegments, META_FILE } from './object-key';
import { partFileName } from './multipart-meta';
import { CHECKSUM_ALGORITHM, CHECKSUM_BYTES, partsOf, serializeMeta, shardIndexFor, type DiskMeta, type VersionRecord } from './object-meta';
import { writeFully } from './object-writer';
import { diskName, objectDir, readDiskMetas, resolveOrThrow, type StoreContext } from './store-context';

/**
 * healObject: rewrites, on every online disk that lacks the object's current version or holds a
 * bad shard of it, that disk's shard and meta.json, rebuilt from the good shards. Two passes over
 * a striped object: the first reads every holder's part.1 and checks every block (a disk with one
 * bad block is rewritten whole), the second rebuilds the missing shards stripe by stripe into the
 * targets' temp dirs. Each target then commits as a put does (data dir renamed in, meta.json
 * renamed over, fsyncs), so a crash mid-heal leaves each disk as it was or healed. Runs under the
 * key's lock. The scanner (heal-scanner.ts) calls it for every object, with a throttle that
 * bounds the bytes it reads per second.
 */

export interface HealOptions {
  /** Awaited before each block read with its size: the scanner's I/O budget (heal-throttle.ts). */
  throttle?: (bytes: number) => Promise<void>;
}

export interface HealResult {
  versionId: string;
  /** The disks rewritten, and why each needed it. */
  healed: { disk: string; diskIndex: number; reason: string }[];
}

export async function healObject(ctx: StoreContext, bucket: string, key: string, options: HealOptions = {}): Promise<HealResult> {
  const throttle = options.throttle ?? (() => Promise.resolve());
  // Listings read the key again after every heal and scan of it: it is what the disks hold now.
  ctx.infos.forget(bucket, key);
  const metas = readDiskMetas(ctx, bucket, key);
  const resolved = resolveOrThrow(ctx, bucket, key, metas);
  const version = resolved.version;
  const { k, n } = ctx;
  const shardOf = ctx.slots.map((_, i) => resolved.holders[i]?.erasure.shardIndex ?? shardIndexFor(i, n, bucket, key));
  const held = new Set(resolved.holders.flatMap((r) => (r ? [r.erasure.shardIndex] : [])));
  const targets = new Map<number, string>();
  ctx.slots.forEach((slot, i) => {
    // Not a disk that stopped being the store's (wiped, swapped): formatting it is not healing's job here.
    if (slot.state !== 'online' || resolved.holders[i] || held.has(shardOf[i]!) || !diskStillServes(slot, ctx.storeId)) return;
    const meta = metas[i]!;
    targets.set(i, meta.state === 'ok' ? 'stale' : meta.state === 'absent' ? 'missing' : 'meta-corrupt');
  });
  const good = () => resolved.holders.flatMap((r, i) => (r && !targets.has(i) ? [i] : []));
  const unrecoverable = () =>
    new StoreError('ReadQuorum', `${bucket}/${key}: fewer than ${k} good shards left, cannot heal`, ctx.slots.flatMap((_, i) => (good().includes(i) ? [] : [diskName(ctx, i)])));

  const tmpId = randomUUID();
  const tmpDir = (i: number) => path.join(ctx.slots[i]!.path!, TMP_DIR, tmpId);
  const codec = ctx.codecs.acquire();
  const handles: PartHandles = new Map();
  try {
    let inlineShards: Uint8Array[] = [];
    if (version.inline) {
      const shards: (Uint8Array | null)[] = new Array<Uint8Array | null>(n).fill(null);
      resolved.holders.forEach((r, i) => {
        if (!r?.inline) return;
        const shard = Buffer.from(r.inline.shard, 'base64');
        if (createHash(CHECKSUM_ALGORITHM).update(shard).digest('hex') !== r.inline.sum) targets.set(i, 'checksum');
        else shards[r.erasure.shardIndex] = shard;
      });
      if (targets.size === 0) return { versionId: version.versionId, healed: [] };
      if (good().length < k) throw unrecoverable();
      inlineShards = codec.reconstruct(shards);
    } else {
      await checkParts(ctx, bucket, key, resolved.holders, targets, handles, throttle);
      if (targets.size === 0) return { versionId: version.versionId, healed: [] };
      if (good().length < k) throw unrecoverable();
      await rebuildParts(ctx, version, shardOf, good(), [...targets.keys()], tmpDir, handles, codec, throttle);
    }

    const healed: HealResult['healed'] = [];
    await Promise.all(
      [...targets].map(async ([i, reason]) => {
        try {
          await commitHealed(ctx, bucket, key, i, tmpId, healedRecord(version, shardOf[i]!, inlineShards), metas[i]!);
          healed.push({ disk: diskName(ctx, i), diskIndex: i, reason });
        } catch (error) {
          ctx.report({ bucket, key, versionId: version.versionId, disk: diskName(ctx, i), diskIndex: i, reason: 'io', detail: `heal failed: ${error instanceof Error ? error.message : String(error)}` });
        }
      }),
    );
    return { versionId: version.versionId, healed: healed.sort((a, b) => a.diskIndex - b.diskIndex) };
  } finally {
    ctx.codecs.release(codec);
    await Promise.all([...handles.values()].map((h) => h.close().catch(() => undefined)));
    await Promise.all(ctx.slots.map((s, i) => (s.path ? fs.rm(tmpDir(i), { recursive: true, force: true }).catch(() => undefined) : undefined)));
  }
}

function healedRecord(version: VersionRecord, shardIndex: number, inlineShards: Uint8Array[]): VersionRecord {
  const { inline: _inline, ...rest } = version;
  const record: VersionRecord = { ...rest, erasure: { ...version.erasure, shardIndex } };
  if (version.inline) {
    const shard = Buffer.from(inlineShards[shardIndex]!);
    record.inline = { shard: shard.toString('base64'), sum: createHash(CHECKSUM_ALGORITHM).update(shard).digest('hex') };
  }
  return record;
}

function stripeGeometry(partSize: number, blockSize: number, k: number) {
  const stripes = Math.ceil(partSize / blockSize);
  const full = Math.ceil(blockSize / k);
  return { stripes, full, lengthOf: (s: number) => Math.ceil(Math.min(blockSize, partSize - s * blockSize) / k) };
}

/** Open part files, by disk and part number. */
type PartHandles = Map<string, FileHandle>;
const handleId = (disk: number, part: number) => `${disk}/${part}`;

/**
 * Pass 1: every block of every part of every holder checked (each part striped on its own, a
 * single put's object being one part.1); a holder with a bad or missing block becomes a target.
 */
async function checkParts(
  ctx: StoreContext,
  bucket: string,
  key: string,
  holders: (VersionRecord | null)[],
  targets: Map<number, string>,
  handles: PartHandles,
  throttle: (bytes: number) => Promise<void>,
): Promise<void> {
  await Promise.all(
    holders.map(async (record, i) => {
      if (!record?.dataDir) return;
      for (const part of partsOf(record)) {
        let handle: FileHandle;
        try {
          handle = await fs.open(path.join(objectDir(ctx.slots[i]!, bucket, key), record.dataDir, partFileName(part.number)), 'r');
        } catch {
          return void targets.set(i, 'missing');
        }
        handles.set(handleId(i, part.number), handle);
        const { stripes, full, lengthOf } = stripeGeometry(part.size, record.erasure.blockSize, ctx.k);
        const sum = Buffer.alloc(CHECKSUM_BYTES);
        const block = Buffer.alloc(full);
        for (let s = 0; s < stripes; s++) {
          const c = lengthOf(s);
          await throttle(CHECKSUM_BYTES + c);
          try {
            const { bytesRead } = await handle.readv([sum, block.subarray(0, c)], s * (CHECKSUM_BYTES + full));
            if (bytesRead !== CHECKSUM_BYTES + c) return void targets.set(i, 'missing');
            if (!createHash(CHECKSUM_ALGORITHM).update(block.subarray(0, c)).digest().equals(sum)) return void targets.set(i, 'checksum');
          } catch {
            return void targets.set(i, 'io');
          }
        }
      }
    }),
  );
}

/** Pass 2: each part's stripes read from k good disks, the targets' shards rebuilt and written to their temp part files. */
async function rebuildParts(
  ctx: StoreContext,
  version: VersionRecord,
  shardOf: number[],
  good: number[],
  targets: number[],
  tmpDir: (i: number) => string,
  handles: PartHandles,
  codec: ReturnType<StoreContext['codecs']['acquire']>,
  throttle: (bytes: number) => Promise<void>,
): Promise<void> {
  const sources = good.slice(0, ctx.k);
  const read = new Set(sources.map((i) => shardOf[i]!));
  const lost = [...Array(ctx.n).keys()].filter((x) => !read.has(x));
  for (const i of targets) await fs.mkdir(tmpDir(i), { recursive: true });
  for (const part of partsOf(version)) {
    const outputs = new Map<number, FileHandle>();
    try {
      for (const i of targets) outputs.set(i, await fs.open(path.join(tmpDir(i), partFileName(part.number)), 'w', 0o640));
      const { stripes, full, lengthOf } = stripeGeometry(part.size, version.erasure.blockSize, ctx.k);
      const sums = Buffer.alloc(CHECKSUM_BYTES);
      let shards: Uint8Array[] = [];
      let shardLength = -1;
      for (let s = 0; s < stripes; s++) {
        const c = lengthOf(s);
        await throttle(sources.length * (CHECKSUM_BYTES + c));
        if (c !== shardLength) {
          shards = codec.allocateShards(c);
          shardLength = c;
        }
        for (const i of sources) {
          const { bytesRead } = await handles.get(handleId(i, part.number))!.readv([sums, shards[shardOf[i]!]!], s * (CHECKSUM_BYTES + full));
          if (bytesRead !== CHECKSUM_BYTES + c) throw new StoreError('ReadQuorum', `${diskName(ctx, i)} changed while healing`, [diskName(ctx, i)]);
        }
        codec.reconstruct(shards, lost);
        for (const i of targets) {
          const shard = shards[shardOf[i]!]!;
          await writeFully(outputs.get(i)!, [createHash(CHECKSUM_ALGORITHM).update(shard).digest(), shard]);
        }
      }
      for (const handle of outputs.values()) await handle.sync();
    } finally {
      await Promise.all([...outputs.values()].map((h) => h.close().catch(() => undefined)));
    }
  }
}

/** One target's commit: its rebuilt data dir and a meta.json holding only the healed version. */
async function commitHealed(ctx: StoreContext, bucket: string, key: string, i: number, tmpId: string, record: VersionRecord, before: DiskMeta): Promise<void> {
  const slot = ctx.slots[i]!;
  const tmp = path.join(slot.path!, TMP_DIR, tmpId);
  const dir = objectDir(slot, bucket, key);
  await fs.mkdir(tmp, { recursive: true });
  await writeFileSynced(path.join(tmp, META_FILE), serializeMeta([record]));
  await mkdirSynced(slot.path!, [bucket, ...keyToSegments(key)]);
  if (record.dataDir) {
    // A bad copy of this version's data dir goes aside first (this disk's shard was bad anyway).
    const aside = path.join(slot.path!, TMP_DIR, `${tmpId}-old`);
    await fs.rename(path.join(dir, record.dataDir), aside).catch(() => undefined);
    await fs.rename(tmp, path.join(dir, record.dataDir));
    await fsyncDir(dir);
    await fs.rename(path.join(dir, record.dataDir, META_FILE), path.join(dir, META_FILE));
    await fs.rm(aside, { recursive: true, force: true });
  } else {
    await fs.rename(path.join(tmp, META_FILE), path.join(dir, META_FILE));
  }
  await fsyncDir(dir);
  // Versions this disk held that are not the object's any more.
  if (before.state === 'ok') {
    for (const old of before.versions) if (old.dataDir && old.dataDir !== record.dataDir) await fs.rm(path.join(dir, old.dataDir), { recursive: true, force: true });
  }
}
