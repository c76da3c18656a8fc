import type { Clock } from '../core/clock';
import type { Logger } from '../core/log';
import { openDatabase, type Db } from '../store/database';
import { type Agg, foldValue } from './rollup-block';
import { createRawWriter, PredictionMissed } from './raw-writer';
import { createRollupTier, type RollupTier } from './rollup-tier';
import { loadSeriesRegistry, type SeriesRegistry } from './series-registry';
import { convertSchema1, type Frontiers, TELEMETRY_APPLICATION_ID, TELEMETRY_FILE, TELEMETRY_MIGRATIONS } from './telemetry-schema';
import { createTelemetryReader } from './telemetry-reads';
import {
  DAY_MS,
  DEFAULT_RETENTION,
  HOUR_MS,
  type IncomingSample,
  type IngestResult,
  MINUTE_MS,
  type RetentionDays,
  type SampleBatch,
} from './telemetry-types';

export * from './telemetry-types';
export { TELEMETRY_APPLICATION_ID, TELEMETRY_FILE, TELEMETRY_MIGRATIONS } from './telemetry-schema';

/**
 * The console's time-series store: every appliance's metrics, kept offline so history is there
 * when the appliance is not. Its own SQLite file (`telemetry.sqlite`) beside the console database:
 * high-volume writes and retention deletes get their own WAL and never bloat the configuration
 * database or its pre-migration backups.
 *
 * Three resolutions, each with min/avg/max per bucket, kept for a configurable time:
 *   raw samples 7 days · 1-minute rollups 90 days · 1-hour rollups 2 years.
 *
 * How a sample travels (see docs/architecture.md, "Telemetry store"):
 * 1. Its raw row is inserted, keyed (minute, series, t): a fleet-wide round lands in one small
 *    region of the B-tree, and the key makes a re-sent sample (backfill overlap) a no-op.
 * 2. If its minute is still open it is folded in memory; minutes close GRACE_MS after they end and
 *    are written once, as one row per series (rollup-tier.ts), in the same transaction that moves
 *    the persisted open-minute frontier. After a crash the open minutes are rebuilt from raw rows
 *    at and after that frontier, so nothing is lost or counted twice.
 * 3. A late sample (its minute already closed) is merged straight into the stored rollups.
 * 4. When an hour has closed its minutes are packed into one block per series and its 1-hour
 *    rollup is their total; a closed day's hours are packed likewise.
 */

/** How long after a minute ends its rollup stays open for stragglers before it is written. */
export const GRACE_MS = 30_000;
/**
 * Latest values are written every this many minutes (not every minute: that was ~8 % of ingest
 * time for 30,000 series); recovery rescans the raw samples since the last write.
 */
const LATEST_EVERY_MINUTES = 10;

export interface TelemetryStoreOptions {
  dataDir: string;
  clock: Clock;
  log: Logger;
  retention?: RetentionDays;
  /** SQLite page cache in KiB; the ingest path keeps the current minute's region of the raw table in it. */
  cacheKiB?: number;
  /**
   * Series packed per write (and per tick) once an hour or day has closed: bounds the pause
   * (~1,000 series ≈ a tenth of a second); a fleet's hour is packed over a few rounds.
   */
  packSeriesPerStep?: number;
}

interface State {
  frontiers: Frontiers;
  series: SeriesRegistry;
  minutes: RollupTier;
  hours: RollupTier;
  /** Open minutes: minute → series id → rollup so far. */
  open: Map<number, Map<number, Agg>>;
  /** Last sample of each series; `dirty` ones are not yet in the `latest` table. */
  latest: Map<number, { t: number; v: number }>;
  dirty: Set<number>;
  /** The `latest` table holds every series' newest sample among those in minutes before this. */
  latestMinute: number;
}

export function openTelemetryStore(opts: TelemetryStoreOptions) {
  const retention = opts.retention ?? DEFAULT_RETENTION;
  // Open minutes are rebuilt from raw samples, and duplicates are detected against them: raw rows
  // must outlive every open bucket by a wide margin.
  if (!(retention.raw >= 1) || !(retention.minute >= retention.raw) || !(retention.hour >= 1)) {
    throw new Error(`telemetry retention must keep raw samples ≥ 1 day and 1-minute rollups at least as long as raw samples (got ${JSON.stringify(retention)})`);
  }
  const db: Db = openDatabase({
    dataDir: opts.dataDir,
    clock: opts.clock,
    log: opts.log,
    fileName: TELEMETRY_FILE,
    applicationId: TELEMETRY_APPLICATION_ID,
    migrations: TELEMETRY_MIGRATIONS,
  });
  db.pragma(`cache_size = -${opts.cacheKiB ?? 32_768}`);
  const now = () => opts.clock.now().getTime();
  const packSeriesPerStep = opts.packSeriesPerStep ?? 1024;

  const getMeta = db.prepare<[string], number>('SELECT value FROM meta WHERE key = ?').pluck();
  const setMeta = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  const saveLatest = db.prepare('INSERT INTO latest (series_id, t, v) VALUES (?, ?, ?) ON CONFLICT (series_id) DO UPDATE SET t = excluded.t, v = excluded.v');
  const pruneRaw = db.prepare<[number]>('DELETE FROM samples WHERE minute < ?');
  const firstRawMinute = db.prepare('SELECT min(minute) FROM samples').pluck();

  function loadState(): State {
    return db.transaction((): State => {
      let frontiers = convertSchema1(db);
      const stored = getMeta.get('open_minute');
      if (stored !== undefined) {
        frontiers = { openMinute: stored, packedHours: getMeta.get('packed_hours')!, packedDays: getMeta.get('packed_days')! };
      } else {
        const openMinute = frontiers?.openMinute ?? Math.floor((now() - GRACE_MS) / MINUTE_MS);
        const packedHours = frontiers?.packedHours ?? Math.floor(openMinute / 60);
        frontiers = { openMinute, packedHours, packedDays: frontiers?.packedDays ?? Math.floor(packedHours / 24) };
        setMeta.run('open_minute', frontiers.openMinute);
        setMeta.run('packed_hours', frontiers.packedHours);
        setMeta.run('packed_days', frontiers.packedDays);
      }
      const f = frontiers;
      const tier = (name: string, slots: number, key: 'packedHours' | 'packedDays', meta: string) =>
        createRollupTier(db, {
          name,
          slots,
          packed: f[key],
          progress: getMeta.get(`${meta}_progress`) ?? 0,
          savePacked: (block, progress) => {
            setMeta.run(meta, (f[key] = block));
            setMeta.run(`${meta}_progress`, progress);
          },
        });
      const minutes = tier('minute', 60, 'packedHours', 'packed_hours');
      const hours = tier('hour', 24, 'packedDays', 'packed_days');
      const latest = new Map<number, { t: number; v: number }>();
      for (const [id, t, v] of db.prepare('SELECT series_id, t, v FROM latest').raw().iterate() as IterableIterator<[number, number, number]>) latest.set(id, { t, v });
      const latestMinute = Math.min(getMeta.get('latest_minute') ?? f.openMinute, f.openMinute);
      // Recovery: the open minutes are exactly the raw samples at and after the frontier; newest
      // values, those since the latest table was last written.
      const open = new Map<number, Map<number, Agg>>();
      const recent = db.prepare('SELECT minute, series_id, t, v FROM samples WHERE minute >= ?').raw();
      for (const [minute, id, t, v] of recent.iterate(latestMinute) as IterableIterator<[number, number, number, number]>) {
        if (minute >= f.openMinute) foldOpen(open, minute, id, v);
        const l = latest.get(id);
        if (!l || t >= l.t) latest.set(id, { t, v });
      }
      return { frontiers: f, series: loadSeriesRegistry(db), minutes, hours, open, latest, dirty: new Set(), latestMinute };
    })();
  }

  function foldOpen(open: Map<number, Map<number, Agg>>, minute: number, id: number, v: number): void {
    let m = open.get(minute);
    if (!m) open.set(minute, (m = new Map()));
    const a = m.get(id);
    if (a) foldValue(a, v);
    else m.set(id, foldValue(undefined, v));
  }

  let state = loadState();

  /** Closes minutes that ended GRACE_MS ago, then packs closed hours and days. In a transaction. */
  function advance(at: number): void {
    const s = state;
    const f = s.frontiers;
    const target = Math.floor((at - GRACE_MS) / MINUTE_MS);
    if (target > f.openMinute) {
      for (const minute of [...s.open.keys()].filter((m) => m < target).sort((a, b) => a - b)) {
        s.minutes.flush(minute, [...s.open.get(minute)!].sort((a, b) => a[0] - b[0]));
        s.open.delete(minute);
      }
      f.openMinute = target;
      setMeta.run('open_minute', target);
    }
    if (f.openMinute >= s.latestMinute + LATEST_EVERY_MINUTES) {
      for (const id of [...s.dirty].sort((a, b) => a - b)) {
        const l = s.latest.get(id)!;
        saveLatest.run(id, l.t, l.v);
      }
      s.dirty.clear();
      s.latestMinute = f.openMinute;
      setMeta.run('latest_minute', f.openMinute);
    }
    const hourLimit = Math.floor(f.openMinute / 60);
    if (s.minutes.packed() < hourLimit) s.minutes.packStep(hourLimit, s.series.maxId(), packSeriesPerStep, (hour, id, agg) => s.hours.flush(hour, [[id, agg]]));
    const dayLimit = Math.floor(s.minutes.packed() / 24);
    if (s.hours.packed() < dayLimit) s.hours.packStep(dayLimit, s.series.maxId(), packSeriesPerStep, () => {});
  }

  const raw = createRawWriter(db);

  function pruneStep(at: number, rawMinutes: number, blocks: number): { raw: number; minute: number; hour: number; done: boolean } {
    const s = state;
    // Never past the open minute: those raw rows are what recovery rebuilds open rollups from.
    const rawCutoff = Math.min(Math.floor((at - retention.raw * DAY_MS) / MINUTE_MS), s.frontiers.openMinute);
    const first = firstRawMinute.get() as number | null;
    const rawUntil = first === null ? rawCutoff : Math.min(rawCutoff, first + rawMinutes);
    const minute = s.minutes.prune(Math.floor((at - retention.minute * DAY_MS) / MINUTE_MS), blocks);
    const hour = s.hours.prune(Math.floor((at - retention.hour * DAY_MS) / HOUR_MS), blocks);
    return { raw: pruneRaw.run(rawUntil).changes, minute: minute.removed, hour: hour.removed, done: rawUntil >= rawCutoff && minute.done && hour.done };
  }

  const writeTx = db.transaction((batches: readonly SampleBatch[], at: number, predict: boolean): IngestResult => {
    const s = state;
    const openMinute = s.frontiers.openMinute;
    const oldest = at - retention.raw * DAY_MS;
    const res: IngestResult = { added: 0, duplicates: 0, invalid: 0, tooOld: 0 };
    let late: Map<number, Map<number, Agg>> | undefined;
    const apply = (minute: number, id: number, t: number, v: number) => {
      res.added++;
      const l = s.latest.get(id);
      if (!l || t >= l.t) {
        if (l) {
          l.t = t;
          l.v = v;
        } else s.latest.set(id, { t, v });
        // A late sample can still be a series' newest; recovery would not see it (it rescans
        // only minutes since the latest table was written), so its latest value is written now.
        if (minute < s.latestMinute) saveLatest.run(id, t, v);
        else s.dirty.add(id);
      }
      if (minute >= openMinute) foldOpen(s.open, minute, id, v);
      else foldOpen((late ??= new Map()), minute, id, v);
    };
    for (const batch of batches) {
      const skew = batch.skewMs ?? 0;
      for (const sample of batch.samples) {
        const v = sample.v;
        if (typeof v !== 'number' || !Number.isFinite(v) || typeof sample.t !== 'number' || !Number.isFinite(sample.t)) {
          res.invalid++; // NaN/Infinity from a broken sensor: skip, do not poison averages
          continue;
        }
        const t = Math.round(sample.t - skew);
        if (t < oldest) {
          res.tooOld++;
          continue;
        }
        const id = s.series.id(sample.series);
        const minute = Math.floor(t / MINUTE_MS);
        const l = s.latest.get(id);
        if (predict && (!l || t > l.t)) {
          // Newer than anything stored for the series: cannot be a duplicate. Claim it now so a
          // copy later in this batch takes the checked path.
          if (l) {
            l.t = t;
            l.v = v;
          } else s.latest.set(id, { t, v });
          raw.addNew(minute, id, t, v, apply);
        } else if (!raw.addMaybe(minute, id, t, v, apply)) res.duplicates++;
      }
    }
    raw.finish(apply);
    if (late) {
      for (const [minute, bySeries] of late) {
        const hour = Math.floor(minute / 60);
        for (const [id, a] of bySeries) {
          s.minutes.merge(minute, id, a);
          if (s.minutes.isPacked(minute, id)) s.hours.merge(hour, id, a); // that hour's 1-hour rollup exists already
        }
      }
    }
    advance(at);
    return res;
  });

  function write(batches: readonly SampleBatch[]): IngestResult {
    const at = now();
    try {
      return guarded(() => writeTx(batches, at, true));
    } catch (err) {
      if (!(err instanceof PredictionMissed)) throw err;
      // Memory was reloaded from disk by guarded(); redo the batch checking every row.
      opts.log.warn('telemetry: newest-sample prediction missed; batch rewritten row by row', { error: err.message });
      return guarded(() => writeTx(batches, at, false));
    }
  }

  /** Runs a transaction that changes in-memory state; if it fails, memory is reloaded from disk. */
  function guarded<T>(fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      raw.reset();
      state = loadState();
      throw err;
    }
  }

  const reader = createTelemetryReader(db, () => state, retention, now);

  return {
    db,
    retention,
    /** Writes batches from many appliances in one transaction (each with its own clock skew). */
    write,
    /** Writes one appliance's samples; `skewMs` is its clock minus the console's. */
    ingest: (samples: readonly IncomingSample[], skewMs = 0): IngestResult => write([{ samples, skewMs }]),
    /** Closes minutes (and packs hours/days) whose time has passed even when no sample arrives. */
    tick: (): void =>
      guarded(() =>
        db.transaction(() => {
          const at = now();
          advance(at);
          // ~1/6 of a minute of raw samples arrives per 10-s round; one minute per tick keeps up
          // with room to spare, and after a long stop catches up without one long pause.
          pruneStep(at, 1, 1);
        })(),
      ),
    ...reader,
    /**
     * Deletes what is past each resolution's retention, oldest first, at most `budget.rawMinutes`
     * minutes of raw samples and `budget.blocks` blocks (hours of minutes, days of hours) per call:
     * deleting is synchronous, and an hour of a 1,000-appliance fleet's raw samples takes seconds
     * (measured 3.1 s for 8.8 M rows), so `tick()` prunes a little every round instead. Returns rows
     * removed per resolution and whether everything due is gone.
     */
    prune(at: number = now(), budget: { rawMinutes?: number; blocks?: number } = {}): { raw: number; minute: number; hour: number; done: boolean } {
      return db.transaction(() => pruneStep(at, budget.rawMinutes ?? 10, budget.blocks ?? 2))();
    },
    /** For tests and diagnostics: where the open/packed frontiers are. */
    frontiers: (): Frontiers => ({ ...state.frontiers }),
    close: () => db.close(),
  };
}
export type TelemetryStore = ReturnType<typeof openTelemetryStore>;
export type { State as TelemetryState };
