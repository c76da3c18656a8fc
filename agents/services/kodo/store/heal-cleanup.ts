import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { diskStillServes, TMP_DIR } from './disk-format';
import { fsyncDir, removeEmptyParents, writeFileSynced } from './disk-io';
import { errnoOf } from './errors';
import { META_FILE } from './object-key';
import { serializeMeta, type DiskMeta, type Resolved } from './object-meta';
import { bucketDir, objectDir, type StoreContext } from './store-context';

/**
 * The leftovers a crash can leave (README: "Writing, and crash safety"), removed by the scanner
 * under the key's lock, so no commit of the key is half-way while it looks:
 *  - a `.v-<id>` data dir no meta.json on its disk names (renamed in, its meta.json never followed;
 *    or a delete killed between meta.json and the data dirs);
 *  - a version older than the object's current one, still listed beside it ([new, current] from a
 *    kill in commit step 3), and its data dir; a newer one short of a quorum too, once every disk
 *    answered;
 *  - metadata of a version no quorum holds, when every disk answered (so none ever can: a write or
 *    delete killed part-way); left alone while any disk is out, whose return might complete it.
 * Temp dirs untouched for STALE_TMP_MS are swept too (the store sweeps all of them at open).
 */

const STALE_TMP_MS = 6 * 3600_000;

/** Every disk that answered: online, still this store's, its meta.json read (present or absent). */
export function everyDiskAnswered(ctx: StoreContext, metas: readonly DiskMeta[]): boolean {
  return ctx.slots.every((slot, i) => slot.state === 'online' && metas[i]!.state !== 'error' && diskStillServes(slot, ctx.storeId));
}

async function dataDirsIn(dir: string): Promise<string[]> {
  try {
    return (await fs.readdir(dir)).filter((name) => name.startsWith('.v-'));
  } catch (error) {
    const code = errnoOf(error);
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw error;
  }
}

/** Removes the key's leftovers on every online disk; returns how many were removed. */
export async function cleanupObject(ctx: StoreContext, bucket: string, key: string, metas: readonly DiskMeta[], resolved: Resolved | null): Promise<number> {
  const allAnswered = everyDiskAnswered(ctx, metas);
  const dangling = !resolved && allAnswered;
  let removed = 0;
  await Promise.all(
    ctx.slots.map(async (slot, i) => {
      if (slot.state !== 'online' || !slot.path || !diskStillServes(slot, ctx.storeId)) return;
      const meta = metas[i]!;
      if (meta.state === 'error') return; // healing rewrites a corrupt meta.json; nothing here is known to be unreferenced
      const dir = objectDir(slot, bucket, key);
      let versions = meta.state === 'ok' ? meta.versions : [];
      if (meta.state === 'ok' && resolved) {
        const current = resolved.version;
        // A newer version short of a quorum may still be completed by a disk that is out; with every disk answering, it never can.
        const kept = versions.filter((v) => v.versionId === current.versionId || (!allAnswered && v.generation > current.generation));
        if (kept.length > 0 && kept.length < versions.length) {
          const staged = path.join(slot.path, TMP_DIR, `${randomUUID()}.meta`);
          await writeFileSynced(staged, serializeMeta(kept));
          await fs.rename(staged, path.join(dir, META_FILE));
          await fsyncDir(dir);
          removed += versions.length - kept.length;
          versions = kept;
        }
      }
      if (meta.state === 'ok' && dangling) {
        await fs.rm(path.join(dir, META_FILE), { force: true });
        await fsyncDir(dir);
        removed++;
        versions = [];
      }
      const referenced = new Set(versions.flatMap((v) => (v.dataDir ? [v.dataDir] : [])));
      for (const name of await dataDirsIn(dir)) {
        if (referenced.has(name)) continue;
        await fs.rm(path.join(dir, name), { recursive: true, force: true });
        removed++;
      }
      if (versions.length === 0) await removeEmptyParents(dir, bucketDir(slot, bucket));
    }),
  );
  return removed;
}

/** What the object takes on the disks: each holder's meta.json and the files of its data dir. */
export async function rawBytesOf(ctx: StoreContext, bucket: string, key: string, resolved: Resolved): Promise<number> {
  const sizes = await Promise.all(
    ctx.slots.map(async (slot, i) => {
      const record = resolved.holders[i];
      if (!record || !slot.path) return 0;
      const dir = objectDir(slot, bucket, key);
      let total = 0;
      try {
        total += (await fs.stat(path.join(dir, META_FILE))).size;
        if (record.dataDir) {
          const dataDir = path.join(dir, record.dataDir);
          for (const name of await fs.readdir(dataDir)) total += (await fs.stat(path.join(dataDir, name))).size;
        }
      } catch {
        // Gone meanwhile (an overwrite or delete): counted by what was read.
      }
      return total;
    }),
  );
  return sizes.reduce((a, b) => a + b, 0);
}

/** Temp dirs no write has touched for STALE_TMP_MS (a write in progress touches its files as it goes). */
export async function sweepStaleTemp(ctx: StoreContext, now: number): Promise<number> {
  let removed = 0;
  for (const slot of ctx.slots) {
    if (slot.state !== 'online' || !slot.path) continue;
    const tmp = path.join(slot.path, TMP_DIR);
    let names: string[];
    try {
      names = await fs.readdir(tmp);
    } catch {
      continue;
    }
    for (const name of names) {
      const entry = path.join(tmp, name);
      try {
        if ((await newestMtime(entry)) < now - STALE_TMP_MS) {
          await fs.rm(entry, { recursive: true, force: true });
          removed++;
        }
      } catch {
        // Finished (renamed away) meanwhile.
      }
    }
  }
  return removed;
}

async function newestMtime(entry: string): Promise<number> {
  const stat = await fs.stat(entry);
  let newest = stat.mtimeMs;
  if (stat.isDirectory()) for (const name of await fs.readdir(entry)) newest = Math.max(newest, (await fs.stat(path.join(entry, name))).mtimeMs);
  return newest;
}
