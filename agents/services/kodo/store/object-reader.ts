import { createHash } from 'node:crypto';
import fs, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { StoreError } from './errors';
import type { Resolved, DiskMeta } from './object-meta';
import { CHECKSUM_ALGORITHM, CHECKSUM_BYTES, partsOf, type PartRecord } from './object-meta';
import { toInfo, type ObjectInfo } from './object-writer';
import { diskName, objectDir, type ShardProblem, type StoreContext } from './store-context';

/**
 * GET: every shard block read is checked against its SHA-256; a missing or bad shard is replaced by
 * the next one (data shards first, so a healthy read decodes nothing) and rebuilt from parity.
 * Memory: the codec's k + m shards of one stripe and the stripe handed to the consumer.
 */

/** Inclusive byte range, S3's `bytes=start-end` (end clamped to the object); or the last `suffix` bytes. */
export type ByteRange = { start: number; end?: number } | { suffix: number };

export interface GetResult {
  info: ObjectInfo;
  /** The bytes asked for: the object, or the range. Read it to the end or destroy it: it holds the shard files open. */
  stream: Readable;
  /** Inclusive byte range served (null for the whole object). */
  range: { start: number; end: number } | null;
  /** Shards found missing or bad so far (grows while the stream is read): what healing rewrites. */
  problems: ShardProblem[];
}

export function resolveRange(range: ByteRange | undefined, size: number): { start: number; end: number } | null {
  if (!range) return null;
  let start: number;
  let end: number;
  if ('suffix' in range) {
    if (!Number.isInteger(range.suffix) || range.suffix <= 0) throw new StoreError('InvalidRange', `a suffix range needs a positive length, not ${range.suffix}`);
    start = Math.max(0, size - range.suffix);
    end = size - 1;
  } else {
    start = range.start;
    end = Math.min(range.end ?? size - 1, size - 1);
    if (!Number.isInteger(start) || start < 0 || (range.end !== undefined && (!Number.isInteger(range.end) || range.end < start))) {
      throw new StoreError('InvalidRange', `bytes=${range.start}-${range.end ?? ''} is not a valid range`);
    }
  }
  if (start >= size) throw new StoreError('InvalidRange', `bytes=${start}- starts beyond the object's ${size} bytes`);
  return { start, end };
}

/** Problems known from the metadata alone: disks that do not hold the chosen version. */
export function metaProblems(ctx: StoreContext, bucket: string, key: string, metas: DiskMeta[], resolved: Resolved): ShardProblem[] {
  return ctx.slots.flatMap((slot, i): ShardProblem[] => {
    if (resolved.holders[i]) return [];
    const meta = metas[i]!;
    const reason: ShardProblem['reason'] = slot.state !== 'online' ? 'offline' : meta.state === 'error' ? 'meta-corrupt' : meta.state === 'absent' ? 'missing' : 'stale';
    return [{ bucket, key, versionId: resolved.version.versionId, disk: diskName(ctx, i), diskIndex: i, reason, ...(meta.state === 'error' ? { detail: meta.error } : {}) }];
  });
}

export async function readObject(ctx: StoreContext, bucket: string, key: string, metas: DiskMeta[], resolved: Resolved, range: ByteRange | undefined): Promise<GetResult> {
  const version = resolved.version;
  const served = resolveRange(range, version.size);
  const problems = metaProblems(ctx, bucket, key, metas, resolved);
  for (const p of problems) ctx.report(p);
  const report = (i: number, reason: ShardProblem['reason'], detail?: string) => {
    const problem: ShardProblem = { bucket, key, versionId: version.versionId, disk: diskName(ctx, i), diskIndex: i, reason, ...(detail ? { detail } : {}) };
    problems.push(problem);
    ctx.report(problem);
  };
  const start = served?.start ?? 0;
  const end = served?.end ?? version.size - 1;
  if (version.inline) {
    return { info: toInfo(bucket, key, version), stream: Readable.from(inlineBytes(ctx, bucket, key, resolved, report, start, end), { objectMode: false, highWaterMark: 1 }), range: served, problems };
  }
  // Open every holder's file of the first part read before answering, so an overwrite or delete
  // committing meanwhile (which removes the old data dir) cannot take a shard away from this read:
  // an open file outlives its unlink. A multipart object's later parts are opened as the stream
  // reaches them (all at once would be k + m files per part): an overwrite committing meanwhile
  // can end such a read with ReadQuorum, never with wrong bytes.
  const pieces = piecesOf(partsOf(version), start, end);
  const first = pieces.length > 0 ? await openPart(ctx, bucket, key, resolved, pieces[0]!.part.number, report) : null;
  const stream = Readable.from(partsBytes(ctx, bucket, key, resolved, pieces, first, report), { objectMode: false, highWaterMark: 1 });
  stream.once('close', () => void first?.closeAll()); // destroyed before it was read to the end
  return { info: toInfo(bucket, key, version), stream, range: served, problems };
}

/** The parts a byte range touches, each with its own inclusive range within the part. */
function piecesOf(parts: PartRecord[], start: number, end: number): { part: PartRecord; from: number; to: number }[] {
  const pieces: { part: PartRecord; from: number; to: number }[] = [];
  let offset = 0;
  for (const part of parts) {
    const partStart = offset;
    offset += part.size;
    if (part.size === 0 || offset <= start || partStart > end) continue;
    pieces.push({ part, from: Math.max(start, partStart) - partStart, to: Math.min(end, offset - 1) - partStart });
  }
  return pieces;
}

async function openPart(ctx: StoreContext, bucket: string, key: string, resolved: Resolved, number: number, report: Report): Promise<PartFiles> {
  const files = new PartFiles(report);
  await Promise.all(
    resolved.holders.map(async (record, i) => {
      if (!record?.dataDir) return;
      try {
        files.handles.set(i, await fs.open(path.join(objectDir(ctx.slots[i]!, bucket, key), record.dataDir, `part.${number}`), 'r'));
      } catch (error) {
        files.markBad(i, 'missing', error instanceof Error ? error.message : String(error));
      }
    }),
  );
  return files;
}

async function* partsBytes(
  ctx: StoreContext,
  bucket: string,
  key: string,
  resolved: Resolved,
  pieces: { part: PartRecord; from: number; to: number }[],
  first: PartFiles | null,
  report: Report,
): AsyncGenerator<Buffer> {
  let files = first;
  try {
    for (const { part, from, to } of pieces) {
      files ??= await openPart(ctx, bucket, key, resolved, part.number, report);
      const current = files;
      files = null;
      yield* stripeBytes(ctx, bucket, key, resolved, current, part, from, to);
    }
  } finally {
    await files?.closeAll();
  }
}

/** The holders' open files of one part for one read, and the ones found bad (closed, never read again). */
class PartFiles {
  readonly handles = new Map<number, FileHandle>();
  readonly bad = new Set<number>();
  constructor(private readonly report: Report) {}
  markBad(i: number, reason: ShardProblem['reason'], detail: string): void {
    if (this.bad.has(i)) return;
    this.bad.add(i);
    this.report(i, reason, detail);
    void this.handles.get(i)?.close().catch(() => undefined);
    this.handles.delete(i);
  }
  async closeAll(): Promise<void> {
    const open = [...this.handles.values()];
    this.handles.clear();
    await Promise.all(open.map((h) => h.close().catch(() => undefined)));
  }
}

type Report = (i: number, reason: ShardProblem['reason'], detail?: string) => void;

function unrecoverable(ctx: StoreContext, bucket: string, key: string, bad: Set<number>, resolved: Resolved): StoreError {
  const lost = ctx.slots.flatMap((_, i) => (bad.has(i) || !resolved.holders[i] ? [i] : []));
  return new StoreError(
    'ReadQuorum',
    `${bucket}/${key}: ${lost.length} of ${ctx.n} shards are missing or corrupt (${lost.map((i) => diskName(ctx, i)).join(', ')}); at most ${ctx.m} can be rebuilt`,
    lost.map((i) => diskName(ctx, i)),
  );
}

async function* inlineBytes(ctx: StoreContext, bucket: string, key: string, resolved: Resolved, report: Report, start: number, end: number): AsyncGenerator<Buffer> {
  const version = resolved.version;
  if (version.size === 0 || end < start) return;
  const shards: (Uint8Array | null)[] = new Array<Uint8Array | null>(ctx.n).fill(null);
  const bad = new Set<number>();
  resolved.holders.forEach((record, i) => {
    if (!record?.inline) return;
    const shard = Buffer.from(record.inline.shard, 'base64');
    if (createHash(CHECKSUM_ALGORITHM).update(shard).digest('hex') !== record.inline.sum) {
      bad.add(i);
      report(i, 'checksum', 'inline shard');
      return;
    }
    shards[record.erasure.shardIndex] = shard;
  });
  if (shards.filter(Boolean).length < ctx.k) throw unrecoverable(ctx, bucket, key, bad, resolved);
  let complete = shards as Uint8Array[];
  if (!shards.slice(0, ctx.k).every(Boolean)) {
    const codec = ctx.codecs.acquire();
    try {
      complete = codec.reconstruct(shards); // new buffers for the lost ones: nothing kept in the codec
    } finally {
      ctx.codecs.release(codec);
    }
  }
  yield Buffer.concat(complete.slice(0, ctx.k)).subarray(start, end + 1);
}

/** One part's bytes start…end (inclusive, within the part), stripe by stripe, each block checked. */
async function* stripeBytes(ctx: StoreContext, bucket: string, key: string, resolved: Resolved, parts: PartFiles, part: PartRecord, start: number, end: number): AsyncGenerator<Buffer> {
  const { k, n } = ctx;
  const version = resolved.version;
  const blockSize = version.erasure.blockSize;
  const fullShard = Math.ceil(blockSize / k);
  const diskOfShard: (number | null)[] = new Array<number | null>(n).fill(null);
  resolved.holders.forEach((record, i) => {
    if (record) diskOfShard[record.erasure.shardIndex] = i;
  });
  const { handles, bad } = parts;
  const markBad = (i: number, reason: ShardProblem['reason'], detail: string) => parts.markBad(i, reason, detail);
  const codec = ctx.codecs.acquire();
  const sums = Array.from({ length: n }, () => Buffer.alloc(CHECKSUM_BYTES));
  let shards: Uint8Array[] = [];
  let shardLength = -1;
  try {
    for (let stripe = Math.floor(start / blockSize); stripe <= Math.floor(end / blockSize); stripe++) {
      const stripeStart = stripe * blockSize;
      const length = Math.min(blockSize, part.size - stripeStart);
      const c = Math.ceil(length / k);
      if (c !== shardLength) {
        shards = codec.allocateShards(c);
        shardLength = c;
      }
      const position = stripe * (CHECKSUM_BYTES + fullShard);
      const good = new Set<number>();
      // Data shards first: a healthy stripe reads k shards and decodes nothing.
      for (;;) {
        const wanted: number[] = [];
        for (let s = 0; s < n && good.size + wanted.length < k; s++) {
          const disk = diskOfShard[s];
          if (disk === null || disk === undefined || bad.has(disk) || good.has(s) || !handles.has(disk)) continue;
          wanted.push(s);
        }
        if (wanted.length === 0) throw unrecoverable(ctx, bucket, key, bad, resolved);
        await Promise.all(
          wanted.map(async (s) => {
            const disk = diskOfShard[s]!;
            try {
              const { bytesRead } = await handles.get(disk)!.readv([sums[s]!, shards[s]!], position);
              if (bytesRead !== CHECKSUM_BYTES + c) return markBad(disk, 'missing', `part.${part.number} is short at stripe ${stripe}`);
              if (!createHash(CHECKSUM_ALGORITHM).update(shards[s]!).digest().equals(sums[s]!)) return markBad(disk, 'checksum', `part.${part.number} stripe ${stripe}`);
              good.add(s);
            } catch (error) {
              markBad(disk, 'io', error instanceof Error ? error.message : String(error));
            }
          }),
        );
        if (good.size >= k) break;
      }
      let data = shards;
      if (![...Array(k).keys()].every((s) => good.has(s))) {
        data = codec.reconstruct(shards, [...Array(n).keys()].filter((s) => !good.has(s)));
      }
      // Copy out: the shards are reused for the next stripe.
      const from = Math.max(start, stripeStart) - stripeStart;
      const to = Math.min(end + 1, stripeStart + length) - stripeStart;
      const out = Buffer.allocUnsafe(to - from);
      let written = 0;
      for (let s = Math.floor(from / c); written < out.length; s++) {
        const offset = s === Math.floor(from / c) ? from - s * c : 0;
        const piece = data[s]!.subarray(offset, Math.min(c, offset + out.length - written));
        out.set(piece, written);
        written += piece.length;
      }
      yield out;
    }
  } finally {
    ctx.codecs.release(codec);
    await parts.closeAll();
  }
}

