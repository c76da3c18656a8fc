import { createHash, randomBytes, randomUUID } from 'node:crypto';
import path from 'node:path';
import { diskStillServes, KODO_DIR } from './disk-format';
import { readDirOrEmpty, readJsonOrNull } from './disk-io';
import { StoreError } from './errors';
import { CHECKSUM_ALGORITHM, MAX_PART_NUMBER } from './object-meta';
import type { PutMeta } from './object-writer';
import { diskName, type StoreContext } from './store-context';

/**
 * A multipart upload on each disk, outside any bucket's object tree (so listings never meet it):
 *
 *   <disk>/.kodo/multipart/<bucket>/<uploadId>/upload.json              key, metadata, initiated
 *   <disk>/.kodo/multipart/<bucket>/<uploadId>/<N>.<partId>/part.<N>     this disk's shard of part N
 *   <disk>/.kodo/multipart/<bucket>/<uploadId>/<N>.<partId>/meta.json    part N: size, MD5, generation
 *
 * The same quorum rule as objects: an upload exists when k disks hold its upload.json; part N is
 * the newest (generation) `<N>.<partId>` that k disks hold with one size and MD5. A part is
 * re-uploaded by adding a new `<N>.<partId>` directory on every disk (one rename each) and only
 * then removing the older ones, so a crash leaves the old part or the new one readable, as an
 * object's [new, current] commit does. Each file carries the SHA-256 of its own contents.
 */

export const MULTIPART_DIR = path.join(KODO_DIR, 'multipart');
export const UPLOAD_FILE = 'upload.json';
export const PART_META_FILE = 'meta.json';
/** S3's smallest part, except the last. */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

export interface UploadRecord {
  uploadId: string;
  key: string;
  meta: PutMeta;
  /** Milliseconds since the epoch. */
  initiated: number;
}

export interface PartMeta {
  number: number;
  partId: string;
  /** One more than any copy of this part number on any disk when it was written: the newest wins. */
  generation: number;
  size: number;
  /** MD5 hex of the part's bytes. */
  etag: string;
  mtime: number;
  erasure: { k: number; m: number; blockSize: number; shardIndex: number; checksum: typeof CHECKSUM_ALGORITHM };
}

/**
 * Upload ids: the creation time (12 hex digits of milliseconds) then 16 random bytes, so that
 * sorting ids sorts one key's uploads by when they began (ListMultipartUploads' order, and S3's
 * upload-id-marker compares ids). Checked before an id reaches a path.
 */
const UPLOAD_ID = /^[0-9a-f]{12}-[0-9a-f]{32}$/;
const PART_DIR = /^([1-9][0-9]{0,4})\.([0-9a-f-]{36})$/;

export function newUploadId(now = Date.now()): string {
  return `${now.toString(16).padStart(12, '0')}-${randomBytes(16).toString('hex')}`;
}

export function newPartId(): string {
  return randomUUID();
}

export function checkUploadId(uploadId: string): void {
  if (typeof uploadId !== 'string' || !UPLOAD_ID.test(uploadId)) throw new StoreError('NoSuchUpload', `no multipart upload ${String(uploadId).slice(0, 80)}: not an upload id this store issued`);
}

export function checkPartNumber(partNumber: number): void {
  if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
    throw new StoreError('InvalidArgument', `part number must be an integer from 1 to ${MAX_PART_NUMBER}, not ${partNumber}`);
  }
}

export function multipartBucketDir(diskPath: string, bucket: string): string {
  return path.join(diskPath, MULTIPART_DIR, bucket);
}

export function uploadDir(diskPath: string, bucket: string, uploadId: string): string {
  return path.join(diskPath, MULTIPART_DIR, bucket, uploadId);
}

export const partDirName = (number: number, partId: string): string => `${number}.${partId}`;
export const partFileName = (number: number): string => `part.${number}`;

const sum = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('hex');

export function serializeUpload(upload: UploadRecord): string {
  return JSON.stringify({ format: 'kodo-upload', version: 1, upload, checksum: sum(upload) });
}

function parseUpload(value: unknown, uploadId: string): UploadRecord {
  const file = value as { format?: unknown; version?: unknown; upload?: UploadRecord; checksum?: unknown } | null;
  if (!file || file.format !== 'kodo-upload' || file.version !== 1 || !file.upload) throw new Error('upload.json is not a Kodo upload');
  if (sum(file.upload) !== file.checksum) throw new Error('upload.json fails its checksum');
  const u = file.upload;
  if (u.uploadId !== uploadId || typeof u.key !== 'string' || !Number.isSafeInteger(u.initiated)) throw new Error('upload.json names another upload');
  return u;
}

export function serializePart(part: PartMeta): string {
  return JSON.stringify({ format: 'kodo-part', version: 1, part, checksum: sum(part) });
}

function parsePart(value: unknown, number: number, partId: string): PartMeta {
  const file = value as { format?: unknown; version?: unknown; part?: PartMeta; checksum?: unknown } | null;
  if (!file || file.format !== 'kodo-part' || file.version !== 1 || !file.part) throw new Error('part meta.json is not a Kodo part');
  if (sum(file.part) !== file.checksum) throw new Error('part meta.json fails its checksum');
  const p = file.part;
  if (p.number !== number || p.partId !== partId || !Number.isSafeInteger(p.size) || p.size < 0 || !Number.isSafeInteger(p.generation)) throw new Error('part meta.json names another part');
  const e = p.erasure;
  if (!e || !Number.isInteger(e.blockSize) || e.blockSize < 1 || !Number.isInteger(e.shardIndex) || e.shardIndex < 0 || e.shardIndex >= e.k + e.m) throw new Error('part meta.json names a layout out of range');
  return p;
}

type DiskUpload = { state: 'ok'; upload: UploadRecord } | { state: 'absent' } | { state: 'error'; error: string };

function readDiskUploads(ctx: StoreContext, bucket: string, uploadId: string): DiskUpload[] {
  return ctx.slots.map((slot): DiskUpload => {
    if (slot.state !== 'online' || !slot.path) return { state: 'error', error: slot.reason ?? 'offline' };
    try {
      const value = readJsonOrNull(path.join(uploadDir(slot.path, bucket, uploadId), UPLOAD_FILE));
      if (value === null) return diskStillServes(slot, ctx.storeId) ? { state: 'absent' } : { state: 'error', error: 'not this store’s disk any more' };
      return { state: 'ok', upload: parseUpload(value, uploadId) };
    } catch (error) {
      return { state: 'error', error: error instanceof Error ? error.message : String(error) };
    }
  });
}

export interface ResolvedUpload {
  upload: UploadRecord;
  /** Per disk: holds the upload. */
  holders: boolean[];
}

/**
 * The upload when k disks hold it; NoSuchUpload when they cannot; ReadQuorum (naming the disks)
 * when they might if the unreadable disks were back.
 */
export function resolveUpload(ctx: StoreContext, bucket: string, uploadId: string, key?: string): ResolvedUpload {
  checkUploadId(uploadId);
  const disks = readDiskUploads(ctx, bucket, uploadId);
  const ok = disks.flatMap((d) => (d.state === 'ok' ? [d.upload] : []));
  const first = ok[0];
  const holders = disks.map((d) => d.state === 'ok' && first !== undefined && d.upload.key === first.key && d.upload.initiated === first.initiated);
  const held = holders.filter(Boolean).length;
  if (first && held >= ctx.k) {
    if (key !== undefined && first.key !== key) throw new StoreError('NoSuchUpload', `multipart upload ${uploadId} is for another key, not ${key}`);
    return { upload: first, holders };
  }
  const unreadable = disks.flatMap((d, i) => (d.state === 'error' ? [i] : []));
  if (held > 0 && held + unreadable.length >= ctx.k) {
    const names = unreadable.map((i) => diskName(ctx, i));
    throw new StoreError('ReadQuorum', `multipart upload ${uploadId}: ${unreadable.length} of ${ctx.n} disks cannot be read (${names.join(', ')}); ${ctx.k} must agree`, names);
  }
  throw new StoreError('NoSuchUpload', `no multipart upload ${uploadId} in ${bucket}: it was never created, or it was completed or aborted`);
}

/** Can this upload be live, from what the disks hold? (false: its leftovers may be removed). */
export function uploadMayLive(ctx: StoreContext, bucket: string, uploadId: string): boolean {
  const disks = readDiskUploads(ctx, bucket, uploadId);
  return disks.filter((d) => d.state !== 'absent').length >= ctx.k;
}

export interface ResolvedPart {
  meta: PartMeta;
  /** Per disk: the directory name of this part when the disk holds it, else null. */
  holders: (string | null)[];
}

export interface PartDirs {
  /** Part number → the chosen copy. */
  parts: Map<number, ResolvedPart>;
  /** Per disk: every `<N>.<partId>` directory it has, by number (to remove older copies). */
  dirs: Map<number, string[]>[];
}

/**
 * The upload's parts (or only part `only`): per number, the newest copy k disks agree on (the same
 * id, size, MD5 and generation, distinct shard indices). Metadata reads are synchronous, as
 * object metadata reads are (disk-io.ts).
 */
export function resolveParts(ctx: StoreContext, bucket: string, uploadId: string, only?: number): PartDirs {
  const candidates = new Map<string, (PartMeta | null)[]>();
  const dirs = ctx.slots.map(() => new Map<number, string[]>());
  ctx.slots.forEach((slot, i) => {
    if (slot.state !== 'online' || !slot.path) return;
    const dir = uploadDir(slot.path, bucket, uploadId);
    for (const name of readDirOrEmpty(dir)) {
      const match = PART_DIR.exec(name);
      if (!match) continue;
      const number = Number(match[1]);
      if (only !== undefined && number !== only) continue;
      dirs[i]!.set(number, [...(dirs[i]!.get(number) ?? []), name]);
      let meta: PartMeta;
      try {
        meta = parsePart(readJsonOrNull(path.join(dir, name, PART_META_FILE)), number, match[2]!);
      } catch {
        continue; // unreadable or half-written: not a holder
      }
      let holders = candidates.get(name);
      if (!holders) candidates.set(name, (holders = ctx.slots.map(() => null)));
      holders[i] = meta;
    }
  });
  const parts = new Map<number, ResolvedPart>();
  for (const [name, holders] of candidates) {
    const first = holders.find((h): h is PartMeta => h !== null)!;
    const seen = new Set<number>();
    const agreeing = holders.map((h) => {
      if (!h || h.size !== first.size || h.etag !== first.etag || h.generation !== first.generation || seen.has(h.erasure.shardIndex)) return null;
      seen.add(h.erasure.shardIndex);
      return name;
    });
    if (agreeing.filter(Boolean).length < ctx.k) continue;
    const best = parts.get(first.number);
    if (!best || first.generation > best.meta.generation || (first.generation === best.meta.generation && first.mtime > best.meta.mtime)) {
      parts.set(first.number, { meta: first, holders: agreeing });
    }
  }
  return { parts, dirs };
}

/** The highest generation of part `number` any disk holds (0 when none). */
export function highestPartGeneration(ctx: StoreContext, bucket: string, uploadId: string, number: number): number {
  let highest = 0;
  ctx.slots.forEach((slot) => {
    if (slot.state !== 'online' || !slot.path) return;
    const dir = uploadDir(slot.path, bucket, uploadId);
    for (const name of readDirOrEmpty(dir)) {
      const match = PART_DIR.exec(name);
      if (!match || Number(match[1]) !== number) continue;
      try {
        highest = Math.max(highest, parsePart(readJsonOrNull(path.join(dir, name, PART_META_FILE)), number, match[2]!).generation);
      } catch {
        // a copy no one can read orders nothing
      }
    }
  });
  return highest;
}

/** Upload ids found under a bucket on the online disks (not yet resolved). */
export function listUploadIds(ctx: StoreContext, bucket: string): string[] {
  const ids = new Set<string>();
  for (const slot of ctx.slots) {
    if (slot.state !== 'online' || !slot.path) continue;
    for (const name of readDirOrEmpty(multipartBucketDir(slot.path, bucket))) if (UPLOAD_ID.test(name)) ids.add(name);
  }
  return [...ids];
}
