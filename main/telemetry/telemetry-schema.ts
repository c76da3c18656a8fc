import type { Db } from '../store/database';
import type { Migration } from '../store/migrations/migration';
import { SlotBlock } from './rollup-block';
import { rollupTierSql } from './rollup-tier';

export const TELEMETRY_FILE = 'telemetry.sqlite';
/** 'ACTS' — marks the file as the console's telemetry store. */
export const TELEMETRY_APPLICATION_ID = 0x41435453;

export const TELEMETRY_MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'series, raw samples, 1-minute and 1-hour rollups',
    sql: `
      CREATE TABLE series (
        id            INTEGER PRIMARY KEY,
        appliance_id  TEXT NOT NULL,
        metric        TEXT NOT NULL,     -- e.g. cpu.total, fs.used_bytes
        labels        TEXT NOT NULL DEFAULT '',  -- canonical "k=v,k=v" (e.g. mount=/srv/disks/d1)
        UNIQUE (appliance_id, metric, labels)
      );
      CREATE TABLE samples (
        series_id  INTEGER NOT NULL,
        t          INTEGER NOT NULL,     -- ms since the epoch, console clock (skew corrected)
        v          REAL NOT NULL,
        PRIMARY KEY (series_id, t)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_1m (
        series_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
        min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
      CREATE TABLE rollup_1h (
        series_id INTEGER NOT NULL, bucket INTEGER NOT NULL,
        min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (series_id, bucket)
      ) WITHOUT ROWID;
    `,
  },
  {
    // Schema 1 wrote three B-trees in series order per sample (~100k samples/s). Schema 2 keys raw
    // samples by minute first, so a fleet-wide round lands in one small region of the tree; rollups
    // are folded in memory and written once per closed bucket, then packed into per-series blocks.
    // The old tables are renamed and converted by convertSchema1() when the store opens (it needs
    // the block encoder, which SQL lacks); nothing is lost.
    version: 2,
    name: 'minute-keyed raw samples, rollups in recent rows and packed blocks, frontiers, latest values',
    sql: `
      ALTER TABLE samples RENAME TO v1_samples;
      ALTER TABLE rollup_1m RENAME TO v1_rollup_1m;
      ALTER TABLE rollup_1h RENAME TO v1_rollup_1h;
      CREATE TABLE samples (
        minute     INTEGER NOT NULL,     -- floor(t / 60000): keeps each round's inserts together
        series_id  INTEGER NOT NULL,
        t          INTEGER NOT NULL,     -- ms since the epoch, console clock (skew corrected)
        v          REAL NOT NULL,
        PRIMARY KEY (minute, series_id, t)
      ) WITHOUT ROWID;
      ${rollupTierSql('minute')}
      ${rollupTierSql('hour')}
      -- Frontiers: first minute still open (rollups in memory, rebuilt from raw on open), first
      -- hour / day not yet packed into blocks.
      CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;
      -- Last sample of each series as of the last minute flush (newer ones are rebuilt from raw).
      CREATE TABLE latest (series_id INTEGER PRIMARY KEY, t INTEGER NOT NULL, v REAL NOT NULL);
    `,
  },
];

export interface Frontiers {
  /** First minute whose rollup is still open (held in memory). */
  openMinute: number;
  /** First hour not yet packed into minute blocks (= first hour with no 1-hour rollup yet). */
  packedHours: number;
  /** First day not yet packed into hour blocks. */
  packedDays: number;
}

type RollupRow = [number, number, number, number, number, number]; // series_id, bucket ms, min, max, sum, count

/**
 * Moves a schema-1 store into schema 2, in one transaction: raw samples are copied; 1-minute
 * rollups of closed hours become blocks and those of the last hour recent rows; 1-hour rollups
 * likewise, except the last (partial) hour, which packing recomputes from its minutes. Every v1
 * rollup equalled its raw samples, so all v1 minutes count as flushed: the open minute starts after
 * the last one. Returns the frontiers, or undefined when there was nothing to convert.
 */
export function convertSchema1(db: Db): Frontiers | undefined {
  const hasV1 = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'v1_samples'").get();
  if (!hasV1) return undefined;
  return db.transaction(() => {
    db.exec('INSERT INTO samples (minute, series_id, t, v) SELECT t / 60000, series_id, t, v FROM v1_samples ORDER BY t / 60000, series_id, t');
    const lastMinute = db.prepare('SELECT max(bucket) FROM v1_rollup_1m').pluck().get() as number | null;
    const lastSample = db.prepare('SELECT max(t) FROM v1_samples').pluck().get() as number | null;
    const lastMs = Math.max(lastMinute ?? -Infinity, lastSample ?? -Infinity);
    let frontiers: Frontiers | undefined;
    if (Number.isFinite(lastMs)) {
      const openMinute = Math.floor(lastMs / 60_000) + 1;
      const packedHours = Math.floor(openMinute / 60);
      frontiers = { openMinute, packedHours, packedDays: Math.floor(packedHours / 24) };
      convertRollups(db, 'v1_rollup_1m', 'minute', 60_000, 60, packedHours, Infinity);
      // Hours from packedHours on are rebuilt from their minutes when they close.
      convertRollups(db, 'v1_rollup_1h', 'hour', 3_600_000, 24, frontiers.packedDays, packedHours);
    }
    db.exec('DROP TABLE v1_samples; DROP TABLE v1_rollup_1m; DROP TABLE v1_rollup_1h;');
    return frontiers;
  })();
}

function convertRollups(db: Db, from: string, tier: string, bucketMs: number, slots: number, packedBlocks: number, bucketLimit: number): void {
  const rows = db.prepare(`SELECT series_id, bucket, min, max, sum, count FROM ${from} ORDER BY series_id, bucket`).raw().iterate() as IterableIterator<RollupRow>;
  const insertBlock = db.prepare(`INSERT INTO ${tier}_blocks (block, series_id, data) VALUES (?, ?, ?)`);
  const insertRecent = db.prepare(`INSERT INTO ${tier}_recent (bucket, series_id, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)`);
  const pendingBlocks: [number, number, Buffer][] = [];
  const pendingRecent: RollupRow[] = [];
  let cur: { id: number; block: number; b: SlotBlock } | undefined;
  const close = () => {
    if (cur) pendingBlocks.push([cur.block, cur.id, cur.b.encode()]);
    cur = undefined;
  };
  // Rows are collected first: better-sqlite3 cannot write while an iterator is open.
  for (const [id, ms, min, max, sum, count] of rows) {
    const bucket = Math.floor(ms / bucketMs);
    if (bucket >= bucketLimit) continue;
    const block = Math.floor(bucket / slots);
    if (block >= packedBlocks) {
      pendingRecent.push([bucket, id, min, max, sum, count]);
      continue;
    }
    if (!cur || cur.id !== id || cur.block !== block) {
      close();
      cur = { id, block, b: new SlotBlock(slots) };
    }
    cur.b.merge(bucket - block * slots, min, max, sum, count);
  }
  close();
  for (const [block, id, data] of pendingBlocks) insertBlock.run(block, id, data);
  for (const r of pendingRecent) insertRecent.run(...r);
}
