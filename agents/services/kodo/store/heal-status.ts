import fs from 'node:fs/promises';
import path from 'node:path';
import { diskStillServes, KODO_DIR, type DiskSlot } from './disk-format';
import { readJsonOrNull, writeFileSynced } from './disk-io';
import type { HealPriority } from './heal-throttle';

/**
 * What healing reports (store.healStatus()): the cycle in progress with its ETA, the last one, and
 * per-bucket usage counted while walking. The last cycle and the usage are kept on every disk
 * (`.kodo/heal-status.json`), so a restarted store shows figures and has the previous cycle's
 * total for its ETA before its first cycle ends.
 */

export interface HealCycle {
  /** Milliseconds since the epoch. */
  started: number;
  finished?: number;
  /** Why it runs: on its schedule, asked for (startHealCycle), or to rebuild a replaced disk. */
  reason: 'scheduled' | 'requested' | 'disk-replaced';
  /** The replaced disks (indices) this cycle rebuilds. */
  rebuilding: number[];
  objectsScanned: number;
  /** The previous cycle's count (null before any cycle ended). */
  objectsTotalEstimate: number | null;
  /** Shard and meta bytes read while checking and rebuilding. */
  bytesScanned: number;
  objectsHealed: number;
  shardsRepaired: number;
  /** Crash leftovers removed: unreferenced data dirs, superseded versions, dangling metadata, stale temp dirs. */
  leftoversRemoved: number;
  /** Objects that could not be checked or healed (I/O): the cycle is retried for a replaced disk. */
  errors: number;
  /** Objects with fewer than k good shards: nothing can rebuild them. */
  unrecoverable: number;
  /** The last few errors, for a person to act on. */
  lastErrors: string[];
  /** Seconds left, from this cycle's rate and the previous cycle's total; null until it can be told. */
  eta: number | null;
  /** Stopped before the end (the store closed, or a disk replaced meanwhile restarted the cycle). */
  aborted?: boolean;
}

export interface BucketUsage {
  name: string;
  objects: number;
  /** The objects' sizes. */
  logicalBytes: number;
  /** What they take on the disks: every shard (data and parity) and every meta.json. */
  rawBytes: number;
}

export interface HealStatus {
  state: 'idle' | 'scanning' | 'healing';
  priority: HealPriority;
  cycle: HealCycle | null;
  lastCycle: HealCycle | null;
  /** As counted by the last complete cycle. */
  buckets: BucketUsage[];
  /** Heal on read: objects waiting, healed, and dropped because the queue was full (the scanner finds those). */
  queue: { pending: number; healed: number; dropped: number };
}

export function newCycle(reason: HealCycle['reason'], rebuilding: number[], previous: HealCycle | null, now: number): HealCycle {
  return {
    started: now,
    reason,
    rebuilding,
    objectsScanned: 0,
    objectsTotalEstimate: previous && !previous.aborted ? previous.objectsScanned : null,
    bytesScanned: 0,
    objectsHealed: 0,
    shardsRepaired: 0,
    leftoversRemoved: 0,
    errors: 0,
    unrecoverable: 0,
    lastErrors: [],
    eta: null,
  };
}

/**
 * Seconds left: the time so far scaled by what is left of the previous cycle's total — in bytes
 * when it read any (objects differ in size by orders of magnitude), else in objects. A cycle that
 * passes the previous total is nearly done (0), not at a negative ETA.
 */
export function estimateEta(cycle: HealCycle, previous: HealCycle | null, now: number): number | null {
  if (!previous || previous.aborted) return null;
  const elapsed = (now - cycle.started) / 1000;
  const fraction = previous.bytesScanned > 0 ? cycle.bytesScanned / previous.bytesScanned : previous.objectsScanned > 0 ? cycle.objectsScanned / previous.objectsScanned : 1;
  if (fraction <= 0) return null;
  if (fraction >= 1) return 0;
  return Math.round((elapsed * (1 - fraction)) / fraction);
}

export function recordError(cycle: HealCycle, what: string): void {
  cycle.errors++;
  cycle.lastErrors = [...cycle.lastErrors, what].slice(-5);
}

const STATUS_FILE = path.join(KODO_DIR, 'heal-status.json');

interface SavedStatus {
  savedAt: number;
  lastCycle: HealCycle;
  buckets: BucketUsage[];
}

/** The newest saved status among the online disks (a disk may have missed a save). */
export function loadSavedStatus(slots: readonly DiskSlot[]): SavedStatus | null {
  let best: SavedStatus | null = null;
  for (const slot of slots) {
    if (slot.state !== 'online' || !slot.path) continue;
    try {
      const saved = readJsonOrNull(path.join(slot.path, STATUS_FILE)) as SavedStatus | null;
      if (saved && typeof saved.savedAt === 'number' && Array.isArray(saved.buckets) && saved.lastCycle && (!best || saved.savedAt > best.savedAt)) best = saved;
    } catch {
      // A damaged copy: another disk's will do, and the next cycle rewrites it.
    }
  }
  return best;
}

export async function saveStatus(slots: readonly DiskSlot[], storeId: string, lastCycle: HealCycle, buckets: BucketUsage[], now: number): Promise<void> {
  const text = JSON.stringify({ savedAt: now, lastCycle, buckets } satisfies SavedStatus);
  await Promise.all(
    slots.map(async (slot) => {
      // Not onto a disk that stopped being the store's: a wiped disk must stay blank to be taken back.
      if (slot.state !== 'online' || !slot.path || !diskStillServes(slot, storeId)) return;
      const file = path.join(slot.path, STATUS_FILE);
      try {
        await writeFileSynced(`${file}.new`, text);
        await fs.rename(`${file}.new`, file);
      } catch {
        // Figures only: a disk that cannot take them is reported by everything else.
      }
    }),
  );
}
