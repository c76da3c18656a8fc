import fs from 'node:fs/promises';
import path from 'node:path';
import { readDirOrEmpty } from './disk-io';
import { StoreError } from './errors';
import { listUploadIds, MULTIPART_DIR, resolveUpload, uploadMayLive, type UploadRecord } from './multipart-meta';
import { removeUploadDirs } from './multipart';
import { compareKeys } from './object-key';
import type { PutMeta } from './object-writer';
import type { StoreContext } from './store-context';

/**
 * ListMultipartUploads with S3's paging: uploads sorted by key (UTF-8 byte order), then by
 * initiation (upload ids sort so); after key-marker, or, with upload-id-marker too, after that
 * upload of key-marker; a delimiter rolls keys up into common prefixes, each counted once toward
 * max-uploads. Every call reads every upload.json of the bucket: uploads in progress are few (a
 * bucket with thousands of abandoned ones wants a lifecycle rule, not a faster listing).
 */

export interface ListUploadsOptions {
  prefix?: string;
  delimiter?: string;
  keyMarker?: string;
  /** Only with keyMarker: list keyMarker's uploads after this one too. */
  uploadIdMarker?: string;
  /** 1…1000 (default 1000). */
  maxUploads?: number;
}

export interface UploadInfo {
  key: string;
  uploadId: string;
  initiated: Date;
  meta: PutMeta;
}

export interface UploadsPage {
  uploads: UploadInfo[];
  commonPrefixes: string[];
  isTruncated: boolean;
  nextKeyMarker?: string;
  nextUploadIdMarker?: string;
}

export function listMultipartUploads(ctx: StoreContext, bucket: string, options: ListUploadsOptions = {}): UploadsPage {
  const prefix = options.prefix ?? '';
  const delimiter = options.delimiter ?? '';
  const maxUploads = Math.max(0, Math.min(1000, options.maxUploads ?? 1000));
  const keyMarker = options.keyMarker ?? '';
  const idMarker = keyMarker !== '' ? (options.uploadIdMarker ?? '') : '';

  const uploads: UploadRecord[] = [];
  for (const id of listUploadIds(ctx, bucket)) {
    try {
      const { upload } = resolveUpload(ctx, bucket, id);
      if (upload.key.startsWith(prefix)) uploads.push(upload);
    } catch (error) {
      // Not an upload (a crash's leftover): not listed. Too few disks to tell: the caller must know.
      if (!(error instanceof StoreError) || error.code !== 'NoSuchUpload') throw error;
    }
  }
  uploads.sort((a, b) => compareKeys(a.key, b.key) || (a.uploadId < b.uploadId ? -1 : a.uploadId > b.uploadId ? 1 : 0));

  const page: UploadsPage = { uploads: [], commonPrefixes: [], isTruncated: false };
  let last = null as { key: string; uploadId?: string } | null; // "as": assigned in the loop, which narrowing does not follow
  for (const upload of uploads) {
    const order = compareKeys(upload.key, keyMarker);
    if (keyMarker !== '' && (order < 0 || (order === 0 && (idMarker === '' || upload.uploadId <= idMarker)))) continue;
    const at = delimiter ? upload.key.indexOf(delimiter, prefix.length) : -1;
    const cp = at === -1 ? null : upload.key.slice(0, at + delimiter.length);
    if (cp !== null && (cp === last?.key || (keyMarker !== '' && compareKeys(cp, keyMarker) <= 0))) continue;
    if (page.uploads.length + page.commonPrefixes.length >= maxUploads) {
      page.isTruncated = maxUploads > 0;
      break;
    }
    if (cp !== null) {
      page.commonPrefixes.push(cp);
      last = { key: cp };
    } else {
      page.uploads.push({ key: upload.key, uploadId: upload.uploadId, initiated: new Date(upload.initiated), meta: upload.meta });
      last = { key: upload.key, uploadId: upload.uploadId };
    }
  }
  if (page.isTruncated && last) {
    page.nextKeyMarker = last.key;
    if (last.uploadId) page.nextUploadIdMarker = last.uploadId;
  }
  return page;
}

/**
 * At open: removes what a crash left of uploads that cannot be live (created or aborted on fewer
 * than k disks, counting unreadable disks as holders), and the uploads of buckets that are gone.
 * Never an upload k disks may hold.
 */
export async function sweepUploads(ctx: StoreContext, bucketExists: (bucket: string) => Promise<boolean>): Promise<void> {
  const buckets = new Set<string>();
  for (const slot of ctx.slots) if (slot.state === 'online' && slot.path) for (const name of readDirOrEmpty(path.join(slot.path, MULTIPART_DIR))) buckets.add(name);
  for (const bucket of buckets) {
    let exists: boolean;
    try {
      exists = await bucketExists(bucket);
    } catch {
      continue; // too few disks to tell: leave it
    }
    if (!exists) {
      await Promise.all(ctx.slots.map((slot) => (slot.state === 'online' && slot.path ? fs.rm(path.join(slot.path, MULTIPART_DIR, bucket), { recursive: true, force: true }).catch(() => undefined) : undefined)));
      continue;
    }
    for (const id of listUploadIds(ctx, bucket)) if (!uploadMayLive(ctx, bucket, id)) await removeUploadDirs(ctx, bucket, id);
  }
}
