import { createHash, type Hash } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import type { ErasureCodec } from '../erasure';
import type { StripeReader } from './body-reader';
import { isNoSpace, StoreError } from './errors';
import { CHECKSUM_ALGORITHM, shardIndexFor } from './object-meta';
import { diskName, type StoreContext } from './store-context';

/**
 * Writing one shard file per disk from a body, stripe by stripe: what a put's part.1 and a
 * multipart upload's part both are. Each stripe of ctx.blockSize bytes is cut into k data shards
 * plus m parity shards, and each disk's shard is appended with its SHA-256 in front. One stripe is
 * written while the next is hashed and encoded (two codecs, used in turn).
 */

/** One write's per-disk state: which disks are still taking part, and why the others left. */
export class DiskRound {
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
  check(what: string): void {
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
      `${what}: ${full ? 'storage is full' : 'too few disks can be written'}: ${live} of ${this.ctx.n} disks left, ${this.ctx.writeQuorum} needed (${down.map((i) => `${diskName(this.ctx, i)}: ${why(i)}`).join('; ')})`,
      down.map((i) => diskName(this.ctx, i)),
    );
  }
  /** Runs fn on every live disk; a disk whose fn fails leaves the round; then check(). */
  async onLive(what: string, fn: (i: number) => Promise<void>): Promise<void> {
    await Promise.all(this.liveIndices.map((i) => fn(i).catch((error: unknown) => this.fail(i, error))));
    this.check(what);
  }
}

export async function writeFully(handle: FileHandle, buffers: Uint8Array[]): Promise<void> {
  const total = buffers.reduce((sum, b) => sum + b.length, 0);
  const { bytesWritten } = await handle.writev(buffers);
  if (bytesWritten !== total) throw Object.assign(new Error(`short write (${bytesWritten} of ${total} bytes): the disk is full`), { code: 'ENOSPC' });
}

/** Encodes one stripe of `stage` into the codec's shards, reusing them while the shard length stays. */
export class StripeEncoder {
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

export interface ShardFileWrite {
  round: DiskRound;
  /** Names the object in errors. */
  what: string;
  bucket: string;
  key: string;
  reader: StripeReader;
  md5: Hash;
  stage: Buffer;
  /** Bytes already in `stage` (read, and fed to md5, by the caller). */
  firstLength: number;
  encoders: StripeEncoder[];
  /** Per disk index: the file to write (created; its directory exists). */
  fileOf(i: number): string;
}

/**
 * Streams the body into each live disk's shard file, fsyncs and closes them; returns the body's
 * size. A disk that fails leaves the round; fewer than the write quorum left throws (StorageFull
 * when a disk was full). The caller removes the files on failure.
 */
export async function writeShardFiles(ctx: StoreContext, w: ShardFileWrite): Promise<number> {
  const { round, reader, md5, stage, encoders } = w;
  const shardOf = ctx.slots.map((_, i) => shardIndexFor(i, ctx.n, w.bucket, w.key));
  const handles: (FileHandle | null)[] = ctx.slots.map(() => null);
  try {
    await round.onLive(w.what, async (i) => {
      handles[i] = await fs.open(w.fileOf(i), 'w', 0o640);
    });
    let length = w.firstLength;
    let size = length;
    let writing: Promise<void> | null = null;
    for (let stripe = 0; length > 0; stripe++) {
      const shards = encoders[stripe % 2]!.encode(stage, length);
      const sums = shards.map((shard) => createHash(CHECKSUM_ALGORITHM).update(shard).digest());
      // One stripe in flight: the previous one's writes end before this one's start (each file
      // is written in order), and before this codec's shards are encoded into again.
      await writing;
      writing = round.onLive(w.what, async (i) => {
        const s = shardOf[i]!;
        await writeFully(handles[i]!, [sums[s]!, shards[s]!]);
      });
      writing.catch(() => undefined); // awaited below; not unhandled meanwhile
      if (length < ctx.blockSize) break;
      length = await reader.fill(stage);
      md5.update(stage.subarray(0, length));
      size += length;
    }
    await writing;
    await round.onLive(w.what, async (i) => {
      const handle = handles[i]!;
      handles[i] = null;
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    });
    return size;
  } finally {
    await Promise.all(handles.map((h) => h?.close().catch(() => undefined)));
  }
}
