import type { Db } from '../store/database';
import { type Agg, type BucketSink, readBlock, SlotBlock } from './rollup-block';

/**
 * One rollup resolution (1-minute or 1-hour buckets), stored in two forms:
 *
 * - `<name>_recent`: one row per closed bucket and series, keyed (bucket, series_id), so flushing
 *   a closed minute for the whole fleet appends at the end of the B-tree instead of touching one
 *   page per series;
 * - `<name>_blocks`: once a whole block (an hour of minutes, a day of hours) has closed, its rows
 *   are packed into one BLOB per series (rollup-block.ts), which is what charts read.
 *
 * `packed` is the first block not yet packed: buckets of earlier blocks live only in blocks,
 * later ones only in recent rows. A late sample for an already-flushed bucket is merged into
 * whichever form holds it, so rollups always equal the raw samples they were built from.
 * Blocks are a rowid table with a unique index: a ~1.7 KB BLOB fits a 4 KB page of a rowid table,
 * whereas a WITHOUT ROWID row that size would spill into an overflow page.
 */
export interface RollupTier {
  readonly name: string;
  readonly slots: number;
  /** First block not wholly packed into BLOBs. */
  packed(): number;
  /** Whether this series' bucket lives in a block (else in a recent row, or nowhere yet). */
  isPacked(bucket: number, seriesId: number): boolean;
  /** Writes newly closed buckets (no row can exist for them yet). Rows should come in series order. */
  flush(bucket: number, rows: Iterable<readonly [number, Agg]>): void;
  /** Merges a late bucket fragment into wherever that bucket is stored now. */
  merge(bucket: number, seriesId: number, agg: Agg): void;
  /**
   * Packs blocks below `limitBlock` (all of whose buckets are closed), at most `maxSeries` series
   * ids per call, calling `total` with each series' block total (the next coarser tier's bucket).
   * Returns true when everything below `limitBlock` is packed.
   */
  packStep(limitBlock: number, maxSeriesId: number, maxSeries: number, total: (block: number, seriesId: number, agg: Agg) => void): boolean;
  /** Stored buckets of one series in [from, to), ascending. */
  read(seriesId: number, from: number, to: number, sink: BucketSink): void;
  /**
   * Deletes buckets before `cutoff` at block granularity (a block goes when all of it is older),
   * at most `maxBlocks` block periods from the oldest; returns rows removed and whether it finished.
   */
  prune(cutoffBucket: number, maxBlocks: number): { removed: number; done: boolean };
}

export function rollupTierSql(name: string): string {
  return `
    CREATE TABLE ${name}_recent (
      bucket INTEGER NOT NULL, series_id INTEGER NOT NULL,
      min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
      PRIMARY KEY (bucket, series_id)
    ) WITHOUT ROWID;
    CREATE TABLE ${name}_blocks (block INTEGER NOT NULL, series_id INTEGER NOT NULL, data BLOB NOT NULL);
    CREATE UNIQUE INDEX ${name}_blocks_key ON ${name}_blocks (block, series_id);
  `;
}

/** Series handled per query pass when packing, bounding memory to ~1k blocks whatever the fleet size. */
const PACK_SLICE = 1024;
/** Slices (of PACK_SLICE ids) visited per pack step at most, packed or empty. */
const MAX_SLICES = 64;
const FLUSH_ROWS = 64;

export function createRollupTier(
  db: Db,
  opts: {
    name: string;
    slots: number;
    /** First block not wholly packed, and within it the first series id not packed yet. */
    packed: number;
    progress: number;
    savePacked: (block: number, progress: number) => void;
  },
): RollupTier {
  const { name, slots: S } = opts;
  // Packing an hour of a 1,000-appliance fleet at once stalled the process 2.7 s; it goes a slice
  // of series ids per write instead. Mid-block, series below `progress` are in blocks, the rest in
  // recent rows; reads and merges ask isPacked().
  let packed = opts.packed;
  let progress = opts.progress;
  const isPacked = (bucket: number, seriesId: number) => {
    const block = Math.floor(bucket / S);
    return block < packed || (block === packed && seriesId < progress);
  };
  const upsertRecent = db.prepare(
    `INSERT INTO ${name}_recent (bucket, series_id, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (bucket, series_id) DO UPDATE SET min = min(min, excluded.min), max = max(max, excluded.max),
       sum = sum + excluded.sum, count = count + excluded.count`,
  );
  const insertRecent = db.prepare(`INSERT INTO ${name}_recent (bucket, series_id, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)`);
  // A fleet-wide minute is ~30,000 rows: 64 per statement, as for raw samples (raw-writer.ts).
  const insertRecentMany = db.prepare(`INSERT INTO ${name}_recent (bucket, series_id, min, max, sum, count) VALUES ${Array(FLUSH_ROWS).fill('(?, ?, ?, ?, ?, ?)').join(', ')}`);
  const flushArgs = new Array<number>(FLUSH_ROWS * 6);
  const firstRecent = db.prepare(`SELECT min(bucket) FROM ${name}_recent`).pluck();
  const recentSlice = db.prepare(`SELECT series_id, min, max, sum, count FROM ${name}_recent WHERE bucket = ? AND series_id >= ? AND series_id < ?`).raw();
  const deleteRecentSlice = db.prepare(`DELETE FROM ${name}_recent WHERE bucket = ? AND series_id >= ? AND series_id < ?`);
  const insertBlock = db.prepare(`INSERT INTO ${name}_blocks (block, series_id, data) VALUES (?, ?, ?) ON CONFLICT (block, series_id) DO NOTHING`);
  const replaceBlock = db.prepare(`UPDATE ${name}_blocks SET data = ? WHERE block = ? AND series_id = ?`);
  const getBlock = db.prepare<[number, number], Buffer>(`SELECT data FROM ${name}_blocks WHERE block = ? AND series_id = ?`).pluck();
  // A recursive CTE walks the wanted keys and probes the primary key for each, so reading one
  // series costs one seek per bucket/block instead of a scan over every series in the range.
  const readBlocks = db
    .prepare(
      `WITH RECURSIVE k(b) AS (SELECT @from UNION ALL SELECT b + 1 FROM k WHERE b + 1 < @to)
       SELECT x.block, x.data FROM k CROSS JOIN ${name}_blocks x WHERE x.block = k.b AND x.series_id = @id`,
    )
    .raw();
  const readRecent = db
    .prepare(
      `WITH RECURSIVE k(b) AS (SELECT @from UNION ALL SELECT b + 1 FROM k WHERE b + 1 < @to)
       SELECT r.bucket, r.min, r.max, r.sum, r.count FROM k CROSS JOIN ${name}_recent r WHERE r.bucket = k.b AND r.series_id = @id`,
    )
    .raw();
  const pruneBlocks = db.prepare(`DELETE FROM ${name}_blocks WHERE block < ?`);
  const firstBlock = db.prepare(`SELECT min(block) FROM ${name}_blocks`).pluck();
  const pruneRecent = db.prepare(`DELETE FROM ${name}_recent WHERE bucket < ?`);

  const scratch = new SlotBlock(S);
  function mergeIntoBlock(block: number, seriesId: number, add: SlotBlock): void {
    const encoded = add.encode();
    if (insertBlock.run(block, seriesId, encoded).changes > 0) return;
    scratch.clear();
    scratch.mergeEncoded(getBlock.get(block, seriesId)!);
    for (let i = 0; i < S; i++) if (add.count[i]) scratch.merge(i, add.min[i]!, add.max[i]!, add.sum[i]!, add.count[i]!);
    replaceBlock.run(scratch.encode(), block, seriesId);
  }

  /** Packs series ids [lo, hi) of one block: their recent rows become blocks, then go. */
  function packSlice(block: number, lo: number, hi: number, total: (block: number, seriesId: number, agg: Agg) => void): number {
    const first = block * S;
    const blocks = new Map<number, SlotBlock>();
    for (let slot = 0; slot < S; slot++) {
      for (const row of recentSlice.all(first + slot, lo, hi) as [number, number, number, number, number][]) {
        let b = blocks.get(row[0]);
        if (!b) blocks.set(row[0], (b = new SlotBlock(S)));
        b.merge(slot, row[1], row[2], row[3], row[4]);
      }
      deleteRecentSlice.run(first + slot, lo, hi);
    }
    for (const id of [...blocks.keys()].sort((a, b) => a - b)) {
      const b = blocks.get(id)!;
      mergeIntoBlock(block, id, b);
      total(block, id, b.total()!);
    }
    return blocks.size;
  }

  const single = new SlotBlock(S);
  return {
    name,
    slots: S,
    packed: () => packed,
    isPacked,
    flush(bucket, rows) {
      let n = 0;
      for (const [id, a] of rows) {
        const o = 6 * n++;
        flushArgs[o] = bucket;
        flushArgs[o + 1] = id;
        flushArgs[o + 2] = a.min;
        flushArgs[o + 3] = a.max;
        flushArgs[o + 4] = a.sum;
        flushArgs[o + 5] = a.count;
        if (n === FLUSH_ROWS) {
          insertRecentMany.run(flushArgs);
          n = 0;
        }
      }
      for (let i = 0; i < n; i++) insertRecent.run(...flushArgs.slice(6 * i, 6 * i + 6));
    },
    merge(bucket, seriesId, a) {
      if (!isPacked(bucket, seriesId)) {
        upsertRecent.run(bucket, seriesId, a.min, a.max, a.sum, a.count);
        return;
      }
      const block = Math.floor(bucket / S);
      single.clear();
      single.merge(bucket - block * S, a.min, a.max, a.sum, a.count);
      mergeIntoBlock(block, seriesId, single);
    },
    packStep(limitBlock, maxSeriesId, maxSeries, total) {
      // The budget counts series that had data: ids of quiet or departed series cost only empty
      // queries, so they are skipped a slice at a time (at most MAX_SLICES per step).
      let packedSeries = 0;
      let slices = 0;
      const start = [packed, progress];
      while (packed < limitBlock && packedSeries < maxSeries && slices < MAX_SLICES) {
        if (progress === 0) {
          // Skip blocks with nothing to pack (quiet hours, a console that was off).
          const next = firstRecent.get() as number | null;
          const block = next === null ? limitBlock : Math.max(packed, Math.floor(next / S));
          if (block >= limitBlock) {
            packed = limitBlock;
            break;
          }
          packed = block;
        }
        const hi = Math.max(progress + 1, Math.min(progress + Math.min(PACK_SLICE, maxSeries), maxSeriesId + 1));
        packedSeries += packSlice(packed, progress, hi, total);
        slices++;
        progress = hi;
        if (progress > maxSeriesId) {
          packed++;
          progress = 0;
        }
      }
      if (packed !== start[0] || progress !== start[1]) opts.savePacked(packed, progress);
      return packed >= limitBlock;
    },
    read(seriesId, from, to, sink) {
      // Blocks below this hold the series' buckets; recent rows hold the rest.
      const blockEnd = packed + (seriesId < progress ? 1 : 0);
      const blockStart = Math.floor(from / S);
      const blocksTo = Math.min(blockEnd, Math.ceil(to / S));
      if (blockStart < blocksTo) {
        for (const [block, data] of readBlocks.all({ from: blockStart, to: blocksTo, id: seriesId }) as [number, Buffer][]) readBlock(data, block * S, from, to, sink);
      }
      const recentFrom = Math.max(from, blockEnd * S);
      if (recentFrom < to) {
        for (const r of readRecent.all({ from: recentFrom, to, id: seriesId }) as [number, number, number, number, number][]) sink.push(r[0], r[1], r[2], r[3], r[4]);
      }
    },
    prune(cutoffBucket, maxBlocks) {
      const cutoffBlock = Math.floor(cutoffBucket / S);
      const first = firstBlock.get() as number | null;
      const until = first === null ? cutoffBlock : Math.min(cutoffBlock, first + maxBlocks);
      const removed = pruneBlocks.run(until).changes + pruneRecent.run(Math.min(cutoffBucket, until * S)).changes;
      return { removed, done: until >= cutoffBlock };
    },
  };
}
