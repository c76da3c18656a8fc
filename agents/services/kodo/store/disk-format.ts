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
const FORMAT_FILE = path.join(KODO_DIR, 'format.json');

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
  /** Why it is offline: 'missing', 'unformatted (a new or swapped disk: needs healing)', … */
  reason?: string;
}

export interface OpenedSet {
  storeId: string;
  layout: { k: number; m: number };
  slots: DiskSlot[];
  created: boolean;
}

type Probe = { path: string; format: DiskFormat } | { path: string; missing: true } | { path: string; unformatted: true } | { path: string; error: string };

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

async function probe(disk: string): Promise<Probe> {
  try {
    await fs.access(disk);
  } catch {
    return { path: disk, missing: true };
  }
  try {
    const value = readJsonOrNull(path.join(disk, FORMAT_FILE));
    if (value === null) return { path: disk, unformatted: true };
    if (!isFormat(value)) return { path: disk, error: 'format.json is not a Kodo disk format' };
    return { path: disk, format: value };
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
    const blocked = probes.filter((p) => !('unformatted' in p));
    if (blocked.length > 0) {
      throw new StoreError('DiskFormat', `cannot create the store: ${blocked.map((p) => `${p.path} (${'missing' in p ? 'missing' : (p as { error: string }).error})`).join(', ')}`, blocked.map((p) => p.path));
    }
    if (!layout) throw new StoreError('InvalidLayout', 'a new store needs its layout {k, m}');
    if (layout.k + layout.m !== disks.length) throw new StoreError('InvalidLayout', `layout ${layout.k}+${layout.m} needs ${layout.k + layout.m} disks, ${disks.length} given`);
    const storeId = randomUUID();
    const diskIds = disks.map(() => randomUUID());
    await Promise.all(disks.map((disk, index) => formatDisk(disk, { format: 'kodo-disk', version: 1, storeId, layout, index, diskIds })));
    return { storeId, layout, created: true, slots: disks.map((disk, index) => ({ index, path: disk, state: 'online' })) };
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

  const slots: DiskSlot[] = Array.from({ length: n }, (_, index) => ({ index, path: null, state: 'offline' as const, reason: 'missing' }));
  for (const p of members) {
    const slot = slots[p.format.index];
    if (!slot) continue;
    if (slot.path !== null) {
      slot.reason = `two disks claim index ${p.format.index}: ${slot.path} and ${p.path}`;
      slot.state = 'offline';
      continue;
    }
    slot.path = p.path;
    slot.state = 'online';
    delete slot.reason;
  }
  // A given directory that is not one of the store's disks takes a free index if it stands where
  // that index's disk used to (the same position in the list): it is reported, never read.
  probes.forEach((p, position) => {
    if ('format' in p && p.format.storeId === storeId) return;
    const slot = slots[position];
    if (!slot || slot.path !== null) return;
    slot.path = p.path;
    slot.reason =
      'missing' in p ? 'missing' : 'unformatted' in p ? 'unformatted (a new or swapped disk: needs healing)' : 'format' in p ? `belongs to another store (${p.format.storeId})` : p.error;
  });
  const online = slots.filter((s) => s.state === 'online').length;
  if (online < stored.k) {
    const bad = slots.filter((s) => s.state !== 'online');
    throw new StoreError('ReadQuorum', `only ${online} of ${n} disks are this store's and readable; ${stored.k} are needed: ${bad.map((s) => `${s.path ?? `index ${s.index}`} (${s.reason})`).join(', ')}`, bad.map((s) => s.path ?? `index ${s.index}`));
  }
  return { storeId, layout: stored, created: false, slots };
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
