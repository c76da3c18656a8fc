import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { openDatabase, type Db } from '../store/database';
import type { Migration } from '../store/migrations/migration';

/**
 * The console's time-series store: every appliance's metrics, kept offline so history is there
 * when the appliance is not. It is its own SQLite file (`telemetry.sqlite`) beside the console
 * database: high-volume writes and retention deletes get their own WAL and never bloat the
 * configuration database or its pre-migration backups.
 *
 * Three resolutions, each with min/avg/max per bucket, kept for a configurable time:
 *   raw samples 7 days · 1-minute rollups 90 days · 1-hour rollups 2 years.
 * Rollups are maintained on ingest, in the same transaction as the raw rows, and a sample that is
 * already stored (a backfill after a reconnection re-sends some) changes nothing.
 */

export const TELEMETRY_FILE = 'telemetry.sqlite';
/** 'ACTS' — marks the file as the console's telemetry store. */
export const TELEMETRY_APPLICATION_ID = 0x41435453;

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

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
      -- WITHOUT ROWID: the primary key is the storage order, so a range read is one index walk.
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
];

export interface SeriesKey {
  applianceId: string;
  metric: string;
  /** Label values, e.g. { mount: '/srv/disks/d1' }; order does not matter. */
  labels?: Record<string, string>;
}

export interface IncomingSample {
  series: SeriesKey;
  /** Appliance clock, ms since the epoch. */
  t: number;
  v: number;
}

export type Resolution = 'raw' | '1m' | '1h';

export interface Point {
  t: number;
  min: number;
  avg: number;
  max: number;
}

export interface RetentionDays {
  raw: number;
  minute: number;
  hour: number;
}

export const DEFAULT_RETENTION: RetentionDays = { raw: 7, minute: 90, hour: 730 };

function canonicalLabels(labels: Record<string, string> | undefined): string {
  if (!labels) return '';
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(',');
}

export function openTelemetryStore(opts: { dataDir: string; clock: Clock; log: Logger; retention?: RetentionDays }) {
  const db: Db = openDatabase({
    dataDir: opts.dataDir,
    clock: opts.clock,
    log: opts.log,
    fileName: TELEMETRY_FILE,
    applicationId: TELEMETRY_APPLICATION_ID,
    migrations: TELEMETRY_MIGRATIONS,
  });
  const retention = opts.retention ?? DEFAULT_RETENTION;

  const findSeries = db.prepare<[string, string, string], { id: number }>('SELECT id FROM series WHERE appliance_id = ? AND metric = ? AND labels = ?');
  const insertSeries = db.prepare('INSERT INTO series (appliance_id, metric, labels) VALUES (?, ?, ?)');
  const insertSample = db.prepare('INSERT OR IGNORE INTO samples (series_id, t, v) VALUES (?, ?, ?)');
  const upsert = (table: 'rollup_1m' | 'rollup_1h') =>
    db.prepare(
      `INSERT INTO ${table} (series_id, bucket, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (series_id, bucket) DO UPDATE SET min = min(min, excluded.min), max = max(max, excluded.max),
         sum = sum + excluded.sum, count = count + excluded.count`,
    );
  const upsertMinute = upsert('rollup_1m');
  const upsertHour = upsert('rollup_1h');
  const seriesCache = new Map<string, number>();

  function seriesId(key: SeriesKey): number {
    const labels = canonicalLabels(key.labels);
    const cacheKey = `${key.applianceId}\u0000${key.metric}\u0000${labels}`;
    const cached = seriesCache.get(cacheKey);
    if (cached !== undefined) return cached;
    const found = findSeries.get(key.applianceId, key.metric, labels);
    const id = found ? found.id : Number(insertSeries.run(key.applianceId, key.metric, labels).lastInsertRowid);
    seriesCache.set(cacheKey, id);
    return id;
  }

  type Agg = { min: number; max: number; sum: number; count: number };
  const fold = (map: Map<string, Agg & { id: number; bucket: number }>, id: number, bucket: number, v: number) => {
    const k = `${id}:${bucket}`;
    const a = map.get(k);
    if (a) {
      a.min = Math.min(a.min, v);
      a.max = Math.max(a.max, v);
      a.sum += v;
      a.count += 1;
    } else map.set(k, { id, bucket, min: v, max: v, sum: v, count: 1 });
  };

  /**
   * Writes a batch in one transaction. `skewMs` is the appliance clock minus the console clock;
   * samples are stored on the console's clock so appliances line up on one time axis.
   * Rollups are folded in memory per bucket first, so a batch costs one upsert per bucket touched
   * rather than one per sample. Returns how many samples were new.
   */
  const ingest = db.transaction((samples: readonly IncomingSample[], skewMs: number): number => {
    const minutes = new Map<string, Agg & { id: number; bucket: number }>();
    const hours = new Map<string, Agg & { id: number; bucket: number }>();
    let added = 0;
    for (const s of samples) {
      if (!Number.isFinite(s.v) || !Number.isFinite(s.t)) continue; // NaN/Infinity from a broken sensor: skip, do not poison averages
      const id = seriesId(s.series);
      const t = Math.round(s.t - skewMs);
      if (insertSample.run(id, t, s.v).changes === 0) continue; // already stored: a backfill overlap
      added++;
      fold(minutes, id, t - (t % MINUTE_MS), s.v);
      fold(hours, id, t - (t % HOUR_MS), s.v);
    }
    for (const a of minutes.values()) upsertMinute.run(a.id, a.bucket, a.min, a.max, a.sum, a.count);
    for (const a of hours.values()) upsertHour.run(a.id, a.bucket, a.min, a.max, a.sum, a.count);
    return added;
  });

  const readRaw = db.prepare<[number, number, number], { t: number; v: number }>('SELECT t, v FROM samples WHERE series_id = ? AND t >= ? AND t < ? ORDER BY t');
  const readRollup = (table: string) =>
    db.prepare<[number, number, number], { t: number; min: number; max: number; sum: number; count: number }>(
      `SELECT bucket AS t, min, max, sum, count FROM ${table} WHERE series_id = ? AND bucket >= ? AND bucket < ? ORDER BY bucket`,
    );
  const readMinute = readRollup('rollup_1m');
  const readHour = readRollup('rollup_1h');
  const pruneRaw = db.prepare<[number]>('DELETE FROM samples WHERE t < ?');
  const pruneMinute = db.prepare<[number]>('DELETE FROM rollup_1m WHERE bucket < ?');
  const pruneHour = db.prepare<[number]>('DELETE FROM rollup_1h WHERE bucket < ?');

  return {
    db,
    retention,
    ingest: (samples: readonly IncomingSample[], skewMs = 0): number => ingest(samples, skewMs),

    /** Points of one series in [from, to) at a resolution; an unknown series has none. */
    range(key: SeriesKey, from: number, to: number, resolution: Resolution): Point[] {
      const found = findSeries.get(key.applianceId, key.metric, canonicalLabels(key.labels));
      if (!found) return [];
      if (resolution === 'raw') return readRaw.all(found.id, from, to).map((r) => ({ t: r.t, min: r.v, avg: r.v, max: r.v }));
      const rows = (resolution === '1m' ? readMinute : readHour).all(found.id, from, to);
      return rows.map((r) => ({ t: r.t, min: r.min, avg: r.sum / r.count, max: r.max }));
    },

    /** Deletes what is past each resolution's retention. Returns rows removed per table. */
    prune(now: number): { raw: number; minute: number; hour: number } {
      return db.transaction(() => ({
        raw: pruneRaw.run(now - retention.raw * DAY_MS).changes,
        minute: pruneMinute.run(now - retention.minute * DAY_MS).changes,
        hour: pruneHour.run(now - retention.hour * DAY_MS).changes,
      }))();
    },

    close: () => db.close(),
  };
}
export type TelemetryStore = ReturnType<typeof openTelemetryStore>;

/**
 * The coarsest resolution that still fills a chart `widthPoints` wide, among those still kept for
 * the requested start: a 1-hour view reads raw samples, a 30-day view 1-minute rollups, a year
 * 1-hour rollups.
 */
export function chooseResolution(from: number, to: number, now: number, widthPoints: number, retention: RetentionDays = DEFAULT_RETENTION): Resolution {
  const span = to - from;
  const age = now - from;
  if (age <= retention.raw * DAY_MS && span / widthPoints < MINUTE_MS) return 'raw';
  if (age <= retention.minute * DAY_MS && span / widthPoints < HOUR_MS) return '1m';
  return '1h';
}
