import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fsyncDir, readJsonOrNull, writeFileSynced } from './disk-io';
import { StoreError } from './errors';

/**
 * `<disk>/.kodo/format.json`: which store a disk belongs to and its place in the erasure set, as
 * MinIO's format.json does. Written once when the store is created (all disks blank); after that,
 * a disk is placed by its own index, not by where it appears in the list the caller passes, so
 * remounted disks in another order still read right, and a blank (swapped) or foreign disk is
 * detected and kept out of the set (offline) instead of being read as if it held shards.
 */

export const KODO_DIR = '.kodo';
export const TMP_DIR = path.join(KODO_DIR, 'tmp');
export const BUCKETS_DIR = path.join(KODO_DIR, 'buckets');
const FORMAT_FILE_NAME = 'format.json';
const FORMAT_FILE = path.join(KODO_DIR, FORMAT_FILE_NAME);
/** On a replacement disk until healing has rebuilt everything onto it (MinIO's .healing.bin). */
const HEALING_FILE_NAME = 'healing.json';
const HEALING_FILE = path.join(KODO_DIR, HEALING_FILE_NAME);

export interface DiskFormat {
  format: 'kodo-disk';
  version: 1;
  storeId: string;
  layout: { k: number; m: number };
  /** This disk's place in the set: its shards are the ones placed at this index. */
  index: number;
  /** Every disk's id, by index (this disk's is diskIds[index]). */
  diskIds: string[];
}

export type DiskState = 'online' | 'offline';

export interface DiskSlot {
  index: number;
  /** The directory serving this index; null when no given disk is formatted for it. */
  path: string | null;
  state: DiskState;
  /** Why it is offline: 'missing', 'belongs to another store (…)', … */
  reason?: string;
  /** A replacement disk being rebuilt: online (written to, read where it holds a shard) until healing has put everything on it. */
  healing?: boolean;
}

export interface OpenedSet {
  storeId: string;
  layout: { k: number; m: number };
  slots: DiskSlot[];
  created: boolean;
  /** Indices whose blank disk was formatted as a replacement just now: a heal cycle is due. */
  replaced: number[];
}

type Probe =
  | { path: string; format: DiskFormat; replacing: boolean }
  | { path: string; missing: true }
  | { path: string; unformatted: true; blank: boolean }
  | { path: string; error: string };

function isFormat(value: unknown): value is DiskFormat {
  const f = value as DiskFormat | null;
  return (
    !!f &&
    f.format === 'kodo-disk' &&
    f.version === 1 &&
    typeof f.storeId === 'string' &&
    Number.isInteger(f.index) &&
    Array.isArray(f.diskIds) &&
    !!f.layout &&
    Number.isInteger(f.layout.k) &&
    Number.isInteger(f.layout.m)
  );
}

/**
 * Blank: nothing on it but `lost+found`, or only what an interrupted formatting of ours leaves
 * (`.kodo/` with empty tmp/ and buckets/, healing.json, format.json.new — no format.json). Anything
 * else is someone's data, and a disk with data is never formatted.
 */
async function isBlank(disk: string): Promise<boolean> {
  const top = (await fs.readdir(disk)).filter((name) => name !== 'lost+found');
  if (top.length === 0) return true;
  if (top.length > 1 || top[0] !== KODO_DIR) return false;
  for (const name of await fs.readdir(path.join(disk, KODO_DIR))) {
    if (name === HEALING_FILE_NAME || name === `${FORMAT_FILE_NAME}.new`) continue;
    if (name !== 'tmp' && name !== 'buckets') return false;
    if ((await fs.readdir(path.join(disk, KODO_DIR, name))).length > 0) return false;
  }
  return true;
}

/** A directory on another device than its parent: something is mounted there. */
async function isMountPoint(dir: string): Promise<boolean> {
  try {
    const [self, parent] = await Promise.all([fs.stat(dir), fs.stat(path.dirname(dir))]);
    return self.dev !== parent.dev;
  } catch {
    return false;
  }
}

async function probe(disk: string): Promise<Probe> {
  try {
    await fs.access(disk);
  } catch {
    return { path: disk, missing: true };
  }
  try {
    const value = readJsonOrNull(path.join(disk, FORMAT_FILE));
    if (value === null) return { path: disk, unformatted: true, blank: await isBlank(disk) };
    if (!isFormat(value)) return { path: disk, error: 'format.json is not a Kodo disk format' };
    return { path: disk, format: value, replacing: readJsonOrNull(path.join(disk, HEALING_FILE)) !== null };
  } catch (error) {
    return { path: disk, error: error instanceof Error ? error.message : String(error) };
  }
}

export async function formatDisk(disk: string, format: DiskFormat): Promise<void> {
  await fs.mkdir(path.join(disk, KODO_DIR), { recursive: true, mode: 0o750 });
  await fs.mkdir(path.join(disk, TMP_DIR), { recursive: true, mode: 0o750 });
  await fs.mkdir(path.join(disk, BUCKETS_DIR), { recursive: true, mode: 0o750 });
  const file = path.join(disk, FORMAT_FILE);
  await writeFileSynced(`${file}.new`, JSON.stringify(format, null, 2));
  await fs.rename(`${file}.new`, file);
  await fsyncDir(path.join(disk, KODO_DIR));
  await fsyncDir(disk);
}

export async function openDiskSet(disks: readonly string[], layout: { k: number; m: number } | undefined): Promise<OpenedSet> {
  const probes = await Promise.all(disks.map(probe));
  const formatted = probes.filter((p): p is Extract<Probe, { format: DiskFormat }> => 'format' in p);

  if (formatted.length === 0) {
    // Created only on blank disks (a disk with anyone's files is never written to), and all mounted
    // alike: an empty mount point among mounted disks is a disk that failed to mount, and its
    // shards would land on the system disk.
    const blocked = probes.filter((p) => !('unformatted' in p && p.blank));
    if (blocked.length > 0) {
      throw new StoreError('DiskFormat', `cannot create the store: ${blocked.map((p) => `${p.path} (${describe(p)})`).join(', ')}`, blocked.map((p) => p.path));
    }
    const mounted = await Promise.all(disks.map(isMountPoint));
    if (mounted.some(Boolean) && !mounted.every(Boolean)) {
      const unmounted = disks.filter((_, i) => !mounted[i]);
      throw new StoreError('DiskFormat', `cannot create the store: ${unmounted.join(', ')} ${unmounted.length === 1 ? 'is' : 'are'} not mounted (an empty directory where the other data disks are mount points): mount ${unmounted.length === 1 ? 'it' : 'them'} first`, unmounted);
    }
    if (!layout) throw new StoreError('InvalidLayout', 'a new store needs its layout {k, m}');
    if (layout.k + layout.m !== disks.length) throw new StoreError('InvalidLayout', `layout ${layout.k}+${layout.m} needs ${layout.k + layout.m} disks, ${disks.length} given`);
    const storeId = randomUUID();
    const diskIds = disks.map(() => randomUUID());
    await Promise.all(disks.map((disk, index) => formatDisk(disk, { format: 'kodo-disk', version: 1, storeId, layout, index, diskIds })));
    return { storeId, layout, created: true, replaced: [], slots: disks.map((disk, index) => ({ index, path: disk, state: 'online' })) };
  }

  // The store is the one most formatted disks belong to; it must be a read quorum of its own layout.
  const byStore = new Map<string, typeof formatted>();
  for (const p of formatted) byStore.set(p.format.storeId, [...(byStore.get(p.format.storeId) ?? []), p]);
  const [storeId, members] = [...byStore.entries()].sort((a, b) => b[1].length - a[1].length)[0]!;
  const stored = members[0]!.format.layout;
  if (layout && (layout.k !== stored.k || layout.m !== stored.m)) {
    throw new StoreError('InvalidLayout', `the store on these disks was created as ${stored.k}+${stored.m}; its layout cannot change (asked for ${layout.k}+${layout.m})`);
  }
  const n = stored.k + stored.m;
  if (disks.length !== n) throw new StoreError('InvalidLayout', `the store is ${stored.k}+${stored.m}: it needs ${n} disks, ${disks.length} given`);
  const { slots, replaced } = await placeDisks(probes, storeId, stored);
  const online = slots.filter((s) => s.state === 'online').length;
  if (online < stored.k) {
    const bad = slots.filter((s) => s.state !== 'online');
    throw new StoreError('ReadQuorum', `only ${online} of ${n} disks are this store's and readable; ${stored.k} are needed: ${bad.map((s) => `${s.path ?? `index ${s.index}`} (${s.reason})`).join(', ')}`, bad.map((s) => s.path ?? `index ${s.index}`));
  }
  return { storeId, layout: stored, created: false, slots, replaced };
}

/**
 * Looks at the given disks again (a person says "I replaced disk N"): the same placement as at
 * open, blank disks where the set lacks one formatted into it. The caller swaps the slots in.
 */
export async function rescanDiskSet(disks: readonly string[], storeId: string, layout: { k: number; m: number }): Promise<{ slots: DiskSlot[]; replaced: number[] }> {
  return placeDisks(await Promise.all(disks.map(probe)), storeId, layout);
}

function describe(p: Probe): string {
  if ('missing' in p) return 'missing';
  if ('error' in p) return p.error;
  if ('unformatted' in p) return p.blank ? 'blank' : 'has files but no Kodo format.json: it may be another system’s data, so it is not formatted; empty it to use it as a replacement disk';
  return `belongs to another store (Kodo store ${p.format.storeId}): not formatted; empty it to use it as a replacement disk`;
}

/**
 * Which disk serves each index, and replacement of the missing ones (MinIO's way):
 *  - a disk of the store serves the index in its format.json, wherever it sits in the list;
 *  - a disk whose own id is not the one the other disks record for its index was replaced by
 *    another disk since (an old disk put back): kept out, reported, unless it is itself a
 *    replacement whose formatting was interrupted (it has healing.json), which is then finished;
 *  - a blank disk takes an index no disk serves (its own position in the list first), is formatted
 *    into it and marked healing. Anything else (another store's disk, a disk with data) is reported
 *    and never formatted.
 * Formatting a replacement, crash-safe: healing.json first, then the new disk's format.json
 * (atomic rename; until it lands the disk is still blank), then every other disk's record of the
 * ids rewritten. A crash in between leaves a formatted replacement with healing.json, and the next
 * placement rewrites the records it missed.
 */
async function placeDisks(probes: Probe[], storeId: string, layout: { k: number; m: number }): Promise<{ slots: DiskSlot[]; replaced: number[] }> {
  const n = layout.k + layout.m;
  const members = probes.filter((p): p is Extract<Probe, { format: DiskFormat }> => 'format' in p && p.format.storeId === storeId && p.format.index < n);
  const recorded = (index: number, except: string): string | undefined => {
    const votes = new Map<string, number>();
    for (const p of members) if (p.path !== except && p.format.diskIds[index]) votes.set(p.format.diskIds[index], (votes.get(p.format.diskIds[index]) ?? 0) + 1);
    return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
  };
  const slots: DiskSlot[] = Array.from({ length: n }, (_, index) => ({ index, path: null, state: 'offline' as const, reason: 'missing' }));
  const placed = new Map<number, Extract<Probe, { format: DiskFormat }>>();
  const left: { path: string; reason: string }[] = [];
  // A disk whose id the others record first, so it wins a conflict over one that was replaced.
  const ranked = [...members].sort((a, b) => Number(recorded(b.format.index, b.path) === own(b)) - Number(recorded(a.format.index, a.path) === own(a)));
  for (const p of ranked) {
    const index = p.format.index;
    const expected = recorded(index, p.path);
    if (expected !== undefined && expected !== own(p) && !p.replacing) {
      left.push({ path: p.path, reason: `was replaced by another disk at index ${index} (it holds old data): kept out; empty it to use it again as a replacement disk` });
      continue;
    }
    if (placed.has(index)) {
      left.push({ path: p.path, reason: `two disks claim index ${index}: ${placed.get(index)!.path} and ${p.path}` });
      continue;
    }
    placed.set(index, p);
    slots[index] = { index, path: p.path, state: 'online', ...(p.replacing ? { healing: true } : {}) };
  }
  const diskIds: string[] = Array.from({ length: n }, (_, i) => (placed.has(i) ? own(placed.get(i)!) : undefined) ?? recorded(i, '') ?? '');

  // Blank disks into free indices: the one at its own position first, then in order. Two guards,
  // because an empty mount point looks exactly like a blank disk (a disk not mounted yet at boot,
  // a cable pulled): formatting it would make the real disk "an old disk put back" when it returns.
  //  - fewer than k disks of the set present: nothing could be rebuilt onto a replacement anyway,
  //    and the likelier story is that the disks are not mounted;
  //  - the set's disks are mount points and this directory is not: it is the empty mount point.
  const refused = new Map<string, string>();
  const setOnMounts = (await Promise.all([...placed.values()].map((p) => isMountPoint(p.path)))).some(Boolean);
  const candidates = probes.flatMap((p, position) => ('unformatted' in p && p.blank ? [{ path: p.path, position }] : []));
  const blanks: typeof candidates = [];
  for (const c of candidates) {
    if (placed.size < layout.k) refused.set(c.path, `blank, but only ${placed.size} of the set's disks are present (${layout.k} needed to rebuild one): not formatted as a replacement; mount the set's disks`);
    else if (setOnMounts && !(await isMountPoint(c.path))) refused.set(c.path, 'an empty directory where a disk should be mounted (it is not a mount point): not formatted; mount the replacement disk there');
    else blanks.push(c);
  }
  const free = () => slots.filter((s) => s.path === null).map((s) => s.index);
  const replaced: number[] = [];
  const formattedNow: { path: string; format: DiskFormat }[] = [];
  const assign = async (blank: { path: string }, index: number) => {
    const newId = randomUUID();
    diskIds[index] = newId;
    await fs.mkdir(path.join(blank.path, KODO_DIR), { recursive: true, mode: 0o750 });
    await writeFileSynced(path.join(blank.path, HEALING_FILE), JSON.stringify({ started: Date.now(), diskId: newId }));
    const format: DiskFormat = { format: 'kodo-disk', version: 1, storeId, layout, index, diskIds: [...diskIds] };
    await formatDisk(blank.path, format);
    formattedNow.push({ path: blank.path, format });
    slots[index] = { index, path: blank.path, state: 'online', healing: true };
    replaced.push(index);
  };
  const pending = [...blanks];
  for (const blank of [...pending]) {
    if (free().includes(blank.position)) {
      await assign(blank, blank.position);
      pending.splice(pending.indexOf(blank), 1);
    }
  }
  for (const blank of pending) {
    const index = free()[0];
    if (index === undefined) break;
    await assign(blank, index);
  }

  // Every disk of the set records every disk's id (finishes an interrupted replacement too).
  await Promise.all(
    [...placed.values(), ...formattedNow].map(async (p) => {
      const updated = diskIds.map((id, i) => id || p.format.diskIds[i] || '');
      if (updated.every((id, i) => id === p.format.diskIds[i])) return;
      await formatDisk(p.path, { ...p.format, diskIds: updated });
    }),
  );

  // What was given but serves no index: reported at the free index of its position, never read.
  const unplaced = [
    ...left,
    ...probes.flatMap((p) => {
      if (slots.some((s) => s.path === p.path) || left.some((l) => l.path === p.path)) return [];
      return [{ path: p.path, reason: refused.get(p.path) ?? ('unformatted' in p && p.blank ? 'blank, but every index has its disk: not used' : describe(p)) }];
    }),
  ];
  for (const item of unplaced) {
    const position = probes.findIndex((p) => p.path === item.path);
    const slot = slots[position]?.path === null ? slots[position] : slots.find((s) => s.path === null);
    if (!slot) continue;
    slot.path = item.path;
    slot.reason = item.reason;
  }
  return { slots, replaced };
}

function own(p: { format: DiskFormat }): string | undefined {
  return p.format.diskIds[p.format.index];
}

/** The replacement disk's marker goes once healing has rebuilt everything onto it. */
export async function finishHealing(slot: DiskSlot): Promise<void> {
  if (!slot.path) return;
  await fs.rm(path.join(slot.path, HEALING_FILE), { force: true });
  await fsyncDir(path.join(slot.path, KODO_DIR));
  delete slot.healing;
}

/** Is this disk still the store's disk at this index (not unmounted, wiped or swapped)? */
export function diskStillServes(slot: DiskSlot, storeId: string): boolean {
  if (slot.path === null) return false;
  try {
    const value = readJsonOrNull(path.join(slot.path, FORMAT_FILE));
    return isFormat(value) && value.storeId === storeId && value.index === slot.index;
  } catch {
    return false;
  }
}
