import { createHash, randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { StripeReader, type ObjectBody } from './body-reader';
import { TMP_DIR } from './disk-format';
import { fsyncDir, mkdirSynced, writeFileSynced } from './disk-io';
import { StoreError } from './errors';
import type { KeyedLock } from './keyed-lock';
import { keyLockId, uploadLockId } from './keyed-lock';
import {
  checkPartNumber,
  highestPartGeneration,
  MIN_PART_SIZE,
  MULTIPART_DIR,
  newPartId,
  newUploadId,
  PART_META_FILE,
  partDirName,
  partFileName,
  resolveParts,
  resolveUpload,
  serializePart,
  serializeUpload,
  UPLOAD_FILE,
  uploadDir,
  type UploadRecord,
} from './multipart-meta';
import { CHECKSUM_ALGORITHM, dataDirOf, shardIndexFor, type PartRecord, type VersionRecord } from './object-meta';
import { commitVersion, type ObjectInfo, type PutMeta } from './object-writer';
import { DiskRound, StripeEncoder, writeShardFiles } from './shard-writer';
import { diskName, type StoreContext } from './store-context';

/**
 * Multipart uploads (S3's CreateMultipartUpload … CompleteMultipartUpload), kept on every disk
 * (multipart-meta.ts has the layout and the quorum rules):
 *  - create: upload.json written in a temp dir, the dir renamed to `.kodo/multipart/<bucket>/<id>`;
 *  - a part: streamed and erasure-coded as a put's part.1 is, into a temp dir with its meta.json,
 *    the dir renamed into the upload as `<N>.<partId>` on every disk, then older copies of N removed;
 *  - complete: each chosen part's file hard-linked into a temp dir as `part.<N>` (no data copied),
 *    committed as a put's data dir is (commitVersion: [new, current], then [new]), then the upload
 *    removed. Linked, not renamed: until the commit, the upload stays whole, so a crash or a failed
 *    complete leaves an upload the client can complete again or abort;
 *  - abort: upload.json removed on every disk (the upload stops existing), then the rest.
 */

export interface PartInfo {
  partNumber: number;
  /** MD5 hex of the part (the S3 layer quotes it). */
  etag: string;
  size: number;
  lastModified: Date;
}

export interface ListPartsOptions {
  /** List parts after this number. */
  partNumberMarker?: number;
  /** 1…1000 (default 1000). */
  maxParts?: number;
}

export interface PartsPage {
  upload: { uploadId: string; key: string; initiated: Date; meta: PutMeta };
  parts: PartInfo[];
  isTruncated: boolean;
  nextPartNumberMarker?: number;
}

export interface CompletePart {
  partNumber: number;
  /** As UploadPart returned it; quotes are ignored. */
  etag: string;
}

export interface MultipartDeps {
  ctx: StoreContext;
  lock: KeyedLock;
}

export async function createMultipartUpload({ ctx }: MultipartDeps, bucket: string, key: string, meta: PutMeta): Promise<{ uploadId: string }> {
  const upload: UploadRecord = {
    uploadId: newUploadId(),
    key,
    meta: { contentType: meta.contentType ?? 'application/octet-stream', userMetadata: { ...meta.userMetadata }, headers: { ...meta.headers } },
    initiated: Date.now(),
  };
  const what = `${bucket}/${key} (new multipart upload)`;
  const round = new DiskRound(ctx);
  round.check(what);
  const tmpId = randomUUID();
  const tmpDir = (i: number) => path.join(ctx.slots[i]!.path!, TMP_DIR, tmpId);
  try {
    await round.onLive(what, async (i) => {
      const slot = ctx.slots[i]!;
      await fs.mkdir(tmpDir(i));
      await writeFileSynced(path.join(tmpDir(i), UPLOAD_FILE), serializeUpload(upload));
      await mkdirSynced(slot.path!, [MULTIPART_DIR, bucket]);
      await ctx.faults.beforeStep('upload-create', i);
      await fs.rename(tmpDir(i), uploadDir(slot.path!, bucket, upload.uploadId));
      await fsyncDir(path.dirname(uploadDir(slot.path!, bucket, upload.uploadId)));
    });
  } catch (error) {
    await removeUploadDirs(ctx, bucket, upload.uploadId);
    throw error;
  } finally {
    await Promise.all(ctx.slots.map((s, i) => (s.path ? fs.rm(tmpDir(i), { recursive: true, force: true }).catch(() => undefined) : undefined)));
  }
  return { uploadId: upload.uploadId };
}

export async function uploadPart(
  { ctx, lock }: MultipartDeps,
  bucket: string,
  key: string,
  uploadId: string,
  partNumber: number,
  body: ObjectBody,
): Promise<{ etag: string; size: number }> {
  checkPartNumber(partNumber);
  resolveUpload(ctx, bucket, uploadId, key);
  const what = `${bucket}/${key} part ${partNumber} of upload ${uploadId}`;
  const round = new DiskRound(ctx);
  round.check(what);
  const tmpId = randomUUID();
  const tmpDirs = ctx.slots.map((s) => (s.path ? path.join(s.path, TMP_DIR, tmpId) : ''));
  const reader = new StripeReader(body);
  const md5 = createHash('md5');
  const stage = Buffer.allocUnsafe(ctx.blockSize);
  const codecs = [ctx.codecs.acquire(), ctx.codecs.acquire()];
  const encoders = codecs.map((codec) => new StripeEncoder(codec));
  const removeTemp = (disks: number[]) => Promise.all(disks.map((i) => fs.rm(tmpDirs[i]!, { recursive: true, force: true }).catch(() => undefined)));
  try {
    await round.onLive(what, async (i) => {
      await fs.mkdir(tmpDirs[i]!);
    });
    const firstLength = await reader.fill(stage);
    md5.update(stage.subarray(0, firstLength));
    const size = await writeShardFiles(ctx, { round, what, bucket, key, reader, md5, stage, firstLength, encoders, fileOf: (i) => path.join(tmpDirs[i]!, partFileName(partNumber)) });
    const etag = md5.digest('hex');
    const partId = newPartId();
    const name = partDirName(partNumber, partId);
    await lock(uploadLockId(bucket, uploadId), async () => {
      // Aborted or completed while the body streamed in: the part has nowhere to go.
      resolveUpload(ctx, bucket, uploadId, key);
      const generation = highestPartGeneration(ctx, bucket, uploadId, partNumber) + 1;
      const committed: number[] = [];
      await Promise.all(
        round.liveIndices.map(async (i) => {
          const slot = ctx.slots[i]!;
          const dir = uploadDir(slot.path!, bucket, uploadId);
          try {
            const erasure = { k: ctx.k, m: ctx.m, blockSize: ctx.blockSize, shardIndex: shardIndexFor(i, ctx.n, bucket, key), checksum: CHECKSUM_ALGORITHM } as const;
            await writeFileSynced(path.join(tmpDirs[i]!, PART_META_FILE), serializePart({ number: partNumber, partId, generation, size, etag, mtime: Date.now(), erasure }));
            await ctx.faults.beforeStep('part-rename', i);
            await fs.rename(tmpDirs[i]!, path.join(dir, name));
            await fsyncDir(dir);
            committed.push(i);
          } catch (error) {
            round.fail(i, error);
          }
        }),
      );
      if (committed.length < ctx.writeQuorum) {
        await Promise.all(committed.map((i) => fs.rm(path.join(uploadDir(ctx.slots[i]!.path!, bucket, uploadId), name), { recursive: true, force: true }).catch(() => undefined)));
        round.check(what);
      }
      // The new copy is on every disk that will take it: older copies of this part go.
      const { dirs } = resolveParts(ctx, bucket, uploadId, partNumber);
      await Promise.all(
        committed.map(async (i) => {
          const dir = uploadDir(ctx.slots[i]!.path!, bucket, uploadId);
          for (const old of dirs[i]!.get(partNumber) ?? []) {
            if (old === name) continue;
            await ctx.faults.beforeStep('part-old-remove', i);
            await fs.rm(path.join(dir, old), { recursive: true, force: true }).catch(() => undefined);
          }
        }),
      );
    });
    return { etag, size };
  } catch (error) {
    await reader.cancel();
    await removeTemp(ctx.slots.flatMap((s, i) => (s.path ? [i] : [])));
    throw error;
  } finally {
    for (const codec of codecs) ctx.codecs.release(codec);
    await removeTemp([...round.failures.keys()]);
  }
}

/** S3's ETag text → MD5 hex: quotes dropped, lower case. */
function bareEtag(etag: string): string {
  return etag.replace(/^"|"$/g, '').toLowerCase();
}

export interface CompleteOptions {
  /** Metadata given at completion (Qiniu's complete carries mimeType and metadata): over the upload's own. */
  meta?: PutMeta;
  /** The least size of every part but the last: S3's 5 MiB by default; Qiniu's resumable upload allows 1 MiB. */
  minPartSize?: number;
}

export async function completeMultipartUpload({ ctx, lock }: MultipartDeps, bucket: string, key: string, uploadId: string, list: CompletePart[], options: CompleteOptions = {}): Promise<ObjectInfo> {
  const minPartSize = options.minPartSize ?? MIN_PART_SIZE;
  return lock(uploadLockId(bucket, uploadId), async () => {
    const { upload } = resolveUpload(ctx, bucket, uploadId, key);
    if (list.length === 0) throw new StoreError('InvalidArgument', 'completing a multipart upload needs at least one part');
    let previous = 0;
    for (const p of list) {
      checkPartNumber(p.partNumber);
      if (p.partNumber <= previous) throw new StoreError('InvalidPartOrder', `parts must be listed in ascending order of part number, each once (${p.partNumber} follows ${previous})`);
      previous = p.partNumber;
    }
    const { parts } = resolveParts(ctx, bucket, uploadId);
    const chosen = list.map((p, index) => {
      const part = parts.get(p.partNumber);
      if (!part) throw new StoreError('InvalidPart', `part ${p.partNumber} was not uploaded to ${uploadId} (or not on enough disks): upload it again, or leave it out`);
      if (part.meta.etag !== bareEtag(p.etag)) throw new StoreError('InvalidPart', `part ${p.partNumber}'s ETag is "${part.meta.etag}", not ${p.etag}: it was uploaded again since; list the parts for the current ETags`);
      if (index < list.length - 1 && part.meta.size < minPartSize) {
        throw new StoreError('EntityTooSmall', `part ${p.partNumber} is ${part.meta.size} bytes; every part but the last must be at least ${minPartSize} bytes`);
      }
      return part;
    });
    const records: PartRecord[] = chosen.map((p) => ({ number: p.meta.number, size: p.meta.size, etag: p.meta.etag, actualSize: p.meta.size }));
    const size = records.reduce((total, p) => total + p.size, 0);
    const etag = `${createHash('md5')
      .update(Buffer.concat(records.map((p) => Buffer.from(p.etag, 'hex'))))
      .digest('hex')}-${records.length}`;

    const what = `${bucket}/${key} (completing upload ${uploadId})`;
    const round = new DiskRound(ctx);
    // A disk missing one of the parts cannot hold the object: it sits this version out (healing's job).
    ctx.slots.forEach((_, i) => {
      const missing = chosen.filter((p) => p.holders[i] === null).map((p) => p.meta.number);
      if (round.live[i] && missing.length > 0) round.fail(i, new Error(`does not hold part${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`));
    });
    round.check(what);
    const versionId = randomUUID();
    const tmpId = randomUUID();
    const tmpDir = (i: number) => path.join(ctx.slots[i]!.path!, TMP_DIR, tmpId);
    try {
      await round.onLive(what, async (i) => {
        const dir = uploadDir(ctx.slots[i]!.path!, bucket, uploadId);
        await fs.mkdir(tmpDir(i));
        for (const part of chosen) {
          const file = partFileName(part.meta.number);
          await fs.link(path.join(dir, part.holders[i]!, file), path.join(tmpDir(i), file));
        }
        await fsyncDir(tmpDir(i));
      });
      const mtime = Date.now();
      const recordFor = (i: number, generation: number): VersionRecord => ({
        versionId,
        generation,
        size,
        etag,
        contentType: options.meta?.contentType ?? upload.meta.contentType ?? 'application/octet-stream',
        userMetadata: { ...upload.meta.userMetadata, ...options.meta?.userMetadata },
        headers: { ...upload.meta.headers, ...options.meta?.headers },
        mtime,
        erasure: { k: ctx.k, m: ctx.m, blockSize: chosen[0]!.meta.erasure.blockSize, shardIndex: shardIndexFor(i, ctx.n, bucket, key), checksum: CHECKSUM_ALGORITHM },
        dataDir: dataDirOf(versionId),
        parts: records,
      });
      const info = await lock(keyLockId(bucket, key), () => commitVersion(ctx, round, bucket, key, tmpId, recordFor, false));
      // The object is committed; the upload goes (a crash before this leaves it to be aborted).
      await removeUpload(ctx, bucket, uploadId);
      return info;
    } finally {
      await Promise.all(
        ctx.slots.map(async (s, i) => {
          if (!s.path) return;
          await fs.rm(tmpDir(i), { recursive: true, force: true }).catch(() => undefined);
          await fs.rm(`${tmpDir(i)}.meta`, { force: true }).catch(() => undefined);
        }),
      );
    }
  });
}

export async function abortMultipartUpload({ ctx, lock }: MultipartDeps, bucket: string, key: string, uploadId: string): Promise<void> {
  await lock(uploadLockId(bucket, uploadId), async () => {
    try {
      resolveUpload(ctx, bucket, uploadId, key);
    } catch (error) {
      // A half-aborted or half-created upload (a crash) is not an upload, but its leftovers go.
      if (!(error instanceof StoreError) || error.code !== 'NoSuchUpload' || !(await removeUploadDirs(ctx, bucket, uploadId))) throw error;
      return;
    }
    await removeUpload(ctx, bucket, uploadId);
  });
}

export function listParts({ ctx }: MultipartDeps, bucket: string, key: string, uploadId: string, options: ListPartsOptions = {}): PartsPage {
  const { upload } = resolveUpload(ctx, bucket, uploadId, key);
  const marker = options.partNumberMarker ?? 0;
  const maxParts = Math.max(0, Math.min(1000, options.maxParts ?? 1000));
  const numbers = [...resolveParts(ctx, bucket, uploadId).parts.values()].filter((p) => p.meta.number > marker).sort((a, b) => a.meta.number - b.meta.number);
  const page = numbers.slice(0, maxParts);
  const isTruncated = numbers.length > page.length;
  return {
    upload: { uploadId, key: upload.key, initiated: new Date(upload.initiated), meta: upload.meta },
    parts: page.map((p) => ({ partNumber: p.meta.number, etag: p.meta.etag, size: p.meta.size, lastModified: new Date(p.meta.mtime) })),
    isTruncated,
    ...(isTruncated && page.length > 0 ? { nextPartNumberMarker: page[page.length - 1]!.meta.number } : {}),
  };
}

/**
 * The upload stops existing (upload.json removed and the directory fsynced on every disk), then
 * its parts go. Killed between, each disk holds the upload or its parts alone: the open's sweep
 * removes what fewer than k disks still call an upload.
 */
async function removeUpload(ctx: StoreContext, bucket: string, uploadId: string): Promise<void> {
  const failed: string[] = [];
  await Promise.all(
    ctx.slots.map(async (slot, i) => {
      if (slot.state !== 'online' || !slot.path) return;
      const dir = uploadDir(slot.path, bucket, uploadId);
      try {
        await ctx.faults.beforeStep('upload-remove', i);
        await fs.rm(path.join(dir, UPLOAD_FILE), { force: true });
        await fsyncDir(dir).catch(() => undefined); // absent on a disk that never had it
      } catch (error) {
        failed.push(`${diskName(ctx, i)}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }),
  );
  if (failed.length > 0) {
    try {
      resolveUpload(ctx, bucket, uploadId);
      throw new StoreError('WriteQuorum', `multipart upload ${uploadId}: not removed on enough disks (${failed.join('; ')}); try again`, failed);
    } catch (error) {
      if (!(error instanceof StoreError) || error.code !== 'NoSuchUpload') throw error;
    }
  }
  await removeUploadDirs(ctx, bucket, uploadId);
}

/** Removes the upload's directory wherever it is; true when any disk had one. */
export async function removeUploadDirs(ctx: StoreContext, bucket: string, uploadId: string): Promise<boolean> {
  const found = await Promise.all(
    ctx.slots.map(async (slot) => {
      if (slot.state !== 'online' || !slot.path) return false;
      const dir = uploadDir(slot.path, bucket, uploadId);
      const existed = await fs.access(dir).then(
        () => true,
        () => false,
      );
      await fs.rm(dir, { recursive: true, force: true }).catch(() => undefined);
      return existed;
    }),
  );
  return found.some(Boolean);
}
