import { createHash } from 'node:crypto';

/**
 * What each disk keeps about an object, in `<disk>/<bucket>/<key path>/meta.json`, and how a
 * reader decides which version is the object from what the disks say (the quorum rule).
 *
 * Every disk holds the whole description (size, ETag, content type, user metadata, layout) plus
 * its own shard's index and, for an inlined object, its shard itself; so any k disks describe and
 * rebuild the object, and no other database exists. The file lists the versions the disk holds,
 * newest first: normally one, two while an overwrite is being committed (the new version and the
 * one it replaces, kept until every disk has the new one — see object-writer.ts).
 */

export const CHECKSUM_ALGORITHM = 'sha256';

/** A version's data directory in its object's directory: named by the version, nothing else. */
export const dataDirOf = (versionId: string): string => `.v-${versionId}`;
/** The writer's ids are UUIDs; any id of letters, digits and dashes is safe in a path, and only such are read. */
const VERSION_ID = /^[A-Za-z0-9-]{1,64}$/;
/** The layouts a record may name (the erasure codec's own limits). */
const MAX_K = 32;
const MAX_M = 8;
export const CHECKSUM_BYTES = 32;

export interface VersionRecord {
  versionId: string;
  /** One more than any version any disk held for this key when it was written: orders versions without trusting clocks. */
  generation: number;
  size: number;
  /** S3's ETag for a single PUT: the MD5 of the body, hex. */
  etag: string;
  contentType: string;
  userMetadata: Record<string, string>;
  /** Other headers the S3 layer keeps (Cache-Control, Content-Disposition, …). */
  headers: Record<string, string>;
  /** Milliseconds since the epoch (Last-Modified). */
  mtime: number;
  erasure: {
    k: number;
    m: number;
    /** Bytes of object data per stripe; each shard holds ceil(stripe / k) bytes of it. */
    blockSize: number;
    /** The shard this disk holds (0…k-1 data, k… parity). */
    shardIndex: number;
    checksum: typeof CHECKSUM_ALGORITHM;
  };
  /** Inlined object: this disk's shard (base64) and its SHA-256 (hex). */
  inline?: { shard: string; sum: string };
  /** Otherwise: the directory (in the object's directory) holding part.1, this disk's shard file. */
  dataDir?: string;
  /**
   * A multipart upload's object: its parts in order, each `part.<number>` in the data dir, striped
   * on its own (stripes restart at each part). Absent for a single put (one part.1 of `size`).
   */
  parts?: PartRecord[];
}

/** One part of a multipart object, as completed. */
export interface PartRecord {
  /** The client's part number, 1…10000 (parts may skip numbers); the file is `part.<number>`. */
  number: number;
  size: number;
  /** MD5 hex of the part's bytes (its UploadPart ETag). */
  etag: string;
  /** Bytes the client sent for it (the same as size: no compression or encryption here). */
  actualSize: number;
}

export const MAX_PART_NUMBER = 10_000;

/** The parts an object's data dir holds: its `parts`, or one part.1 of the whole size. */
export function partsOf(version: Pick<VersionRecord, 'parts' | 'size' | 'etag'>): PartRecord[] {
  return version.parts ?? [{ number: 1, size: version.size, etag: version.etag, actualSize: version.size }];
}

interface MetaFile {
  format: 'kodo-meta';
  version: 1;
  versions: VersionRecord[];
  /** SHA-256 of JSON.stringify(versions): a flipped bit in a number is caught too, not just a JSON syntax error. */
  checksum: string;
}

export function serializeMeta(versions: VersionRecord[]): string {
  const file: MetaFile = { format: 'kodo-meta', version: 1, versions, checksum: createHash('sha256').update(JSON.stringify(versions)).digest('hex') };
  return JSON.stringify(file);
}

/** The versions a meta.json holds; throws on a corrupt file. */
export function parseMeta(value: unknown): VersionRecord[] {
  const file = value as MetaFile | null;
  if (!file || file.format !== 'kodo-meta' || file.version !== 1 || !Array.isArray(file.versions)) throw new Error('meta.json is not a Kodo object description');
  if (createHash('sha256').update(JSON.stringify(file.versions)).digest('hex') !== file.checksum) throw new Error('meta.json fails its checksum');
  // The checksum is the file's own: it catches damage, not a record written to mislead. Nothing
  // from a record reaches a path (the writer and the cleanup remove `dataDir` recursively) or a
  // loop bound unless it has the only shape the writer gives it.
  for (const v of file.versions) {
    if (typeof v.versionId !== 'string' || !VERSION_ID.test(v.versionId)) throw new Error('meta.json names a version id that is not one');
    if (v.dataDir !== undefined && v.dataDir !== dataDirOf(v.versionId)) throw new Error(`meta.json names a data directory other than its version's (${String(v.dataDir).slice(0, 80)})`);
    const e = v.erasure;
    if (!e || !Number.isInteger(e.k) || e.k < 1 || e.k > MAX_K || !Number.isInteger(e.m) || e.m < 1 || e.m > MAX_M) throw new Error('meta.json names a layout out of range');
    if (!Number.isInteger(e.shardIndex) || e.shardIndex < 0 || e.shardIndex >= e.k + e.m) throw new Error('meta.json names a shard index out of its layout');
    if (!Number.isSafeInteger(v.size) || v.size < 0 || !Number.isInteger(e.blockSize) || e.blockSize < 1) throw new Error('meta.json names a size or block size out of range');
    if (v.parts !== undefined) checkParts(v);
  }
  return file.versions;
}

/** Part numbers reach file names and sizes reach read offsets: only the shapes completion writes. */
function checkParts(v: VersionRecord): void {
  const parts = v.parts;
  if (!Array.isArray(parts) || parts.length === 0 || parts.length > MAX_PART_NUMBER || v.dataDir === undefined) throw new Error('meta.json names a part list out of range');
  let total = 0;
  let previous = 0;
  for (const p of parts) {
    if (!Number.isInteger(p.number) || p.number <= previous || p.number > MAX_PART_NUMBER || !Number.isSafeInteger(p.size) || p.size < 0) throw new Error('meta.json names a part out of range');
    previous = p.number;
    total += p.size;
  }
  if (total !== v.size) throw new Error('meta.json names parts that do not add up to its size');
}

/** What one disk said when asked for an object's meta.json. */
export type DiskMeta = { state: 'ok'; versions: VersionRecord[] } | { state: 'absent' } | { state: 'error'; error: string };

export interface Resolved {
  /** The chosen version (the record of its first holder; size, ETag… are the same on every holder). */
  version: VersionRecord;
  /** Per disk index: that disk's record of the chosen version, or null when it does not hold it. */
  holders: (VersionRecord | null)[];
}

function sameVersion(a: VersionRecord, b: VersionRecord): boolean {
  return a.versionId === b.versionId && a.generation === b.generation && a.size === b.size && a.etag === b.etag;
}

/**
 * The quorum rule: a version is the object's only when at least k disks hold it (the same version
 * id, size and ETag, each with its own shard index, all different); of those, the newest
 * (generation, then mtime). Fewer than k holders means it was never completely written, or is
 * being replaced or deleted: not an object. Returns null when no version qualifies.
 */
export function resolveVersion(disks: readonly DiskMeta[], k: number): Resolved | null {
  const byId = new Map<string, (VersionRecord | null)[]>();
  disks.forEach((disk, index) => {
    if (disk.state !== 'ok') return;
    for (const record of disk.versions) {
      let holders = byId.get(record.versionId);
      if (!holders) byId.set(record.versionId, (holders = disks.map(() => null)));
      if (!holders[index]) holders[index] = record;
    }
  });
  let best: Resolved | null = null;
  for (const holders of byId.values()) {
    const first = holders.find((r): r is VersionRecord => r !== null)!;
    const seen = new Set<number>();
    const agreeing = holders.map((r) => {
      if (!r || !sameVersion(r, first) || seen.has(r.erasure.shardIndex) || r.erasure.k !== first.erasure.k || r.erasure.m !== first.erasure.m) return null;
      seen.add(r.erasure.shardIndex);
      return r;
    });
    if (agreeing.filter(Boolean).length < k) continue;
    if (!best || first.generation > best.version.generation || (first.generation === best.version.generation && first.mtime > best.version.mtime)) {
      best = { version: first, holders: agreeing };
    }
  }
  return best;
}

/** The highest generation any disk holds for this key (0 when none): a new version takes one more. */
export function highestGeneration(disks: readonly DiskMeta[]): number {
  let highest = 0;
  for (const disk of disks) if (disk.state === 'ok') for (const r of disk.versions) highest = Math.max(highest, r.generation);
  return highest;
}

/** Which shard a disk holds for a key: rotated by a hash of the key so parity is spread over the disks (MinIO's distribution). */
export function shardIndexFor(diskIndex: number, n: number, bucket: string, key: string): number {
  const h = createHash('sha256').update(`${bucket}/${key}`).digest().readUInt32BE(0);
  return (diskIndex + (h % n)) % n;
}
