import type { Db } from '../store/database';
import { ColumnSink, type PointColumns, toPoints } from './point-columns';
import { type Agg, type BucketSink, mergeAgg } from './rollup-block';
import type { TelemetryState } from './telemetry-store';
import { chooseResolution, HOUR_MS, MINUTE_MS, type Point, type Resolution, type RetentionDays, type SeriesKey } from './telemetry-types';

export interface SeriesQuery {
  applianceId: string;
  metric: string;
  labels?: Record<string, string>;
  from: number;
  to: number;
  /** How many points the chart can show: picks the coarsest resolution that still fills it. */
  widthPoints: number;
}

export interface LatestValues {
  applianceId: string;
  /** Time of the newest sample of any metric: what an unreachable appliance's state is "as of". */
  asOf: number | null;
  metrics: { metric: string; labels?: Record<string, string>; t: number; v: number }[];
}

/**
 * Chart reads. Each resolution is stitched from the forms it lives in, which never overlap:
 *   1m: minute blocks (packed hours) · minute rows (closed minutes of unpacked hours) · open minutes in memory;
 *   1h: hour blocks (packed days) · hour rows · hours not yet packed, totalled from their minutes.
 * Points are buckets whose start lies in [from, to).
 */
export function createTelemetryReader(db: Db, state: () => TelemetryState, retention: RetentionDays, now: () => number) {
  // One primary-key probe per minute of the range (a recursive CTE lists them) instead of a scan
  // over every series' samples in it.
  const readRaw = db
    .prepare(
      `WITH RECURSIVE k(m) AS (SELECT @from UNION ALL SELECT m + 1 FROM k WHERE m + 1 < @to)
       SELECT s.t, s.v FROM k CROSS JOIN samples s WHERE s.minute = k.m AND s.series_id = @id AND s.t >= @t0 AND s.t < @t1`,
    )
    .raw();

  function minuteBuckets(id: number, fromMinute: number, toMinute: number, sink: BucketSink): void {
    const s = state();
    const stored = Math.min(toMinute, s.frontiers.openMinute);
    if (fromMinute < stored) s.minutes.read(id, fromMinute, stored, sink);
    const openFrom = Math.max(fromMinute, s.frontiers.openMinute);
    if (openFrom >= toMinute) return;
    for (const minute of [...s.open.keys()].filter((m) => m >= openFrom && m < toMinute).sort((a, b) => a - b)) {
      const a = s.open.get(minute)!.get(id);
      if (a) sink.push(minute, a.min, a.max, a.sum, a.count);
    }
  }

  function read(id: number, from: number, to: number, resolution: Resolution): PointColumns {
    if (resolution === 'raw') {
      const out = new ColumnSink(1);
      const fromMinute = Math.floor(from / MINUTE_MS);
      const toMinute = Math.ceil(to / MINUTE_MS);
      if (fromMinute < toMinute) {
        for (const [t, v] of readRaw.all({ from: fromMinute, to: toMinute, id, t0: from, t1: to }) as [number, number][]) out.push(t, v, v, v, 1);
      }
      return out.columns();
    }
    if (resolution === '1m') {
      const out = new ColumnSink(MINUTE_MS, 1024);
      minuteBuckets(id, Math.ceil(from / MINUTE_MS), Math.ceil(to / MINUTE_MS), out);
      return out.columns();
    }
    const out = new ColumnSink(HOUR_MS, 1024);
    const fromHour = Math.ceil(from / HOUR_MS);
    const toHour = Math.ceil(to / HOUR_MS);
    const packed = state().minutes.packed(); // hours before this have a stored 1-hour rollup
    if (fromHour < Math.min(toHour, packed)) state().hours.read(id, fromHour, Math.min(toHour, packed), out);
    const openFrom = Math.max(fromHour, packed);
    if (openFrom < toHour) {
      // Hours not packed yet have no 1-hour rollup: total their minutes here.
      let hour = -1;
      let acc: Agg | undefined;
      const emit = () => acc && out.push(hour, acc.min, acc.max, acc.sum, acc.count);
      minuteBuckets(id, openFrom * 60, toHour * 60, {
        push(minute, min, max, sum, count) {
          const h = Math.floor(minute / 60);
          if (h !== hour) {
            emit();
            hour = h;
            acc = undefined;
          }
          acc = mergeAgg(acc, { min, max, sum, count });
        },
      });
      emit();
    }
    return out.columns();
  }

  return {
    /** Points of one series in [from, to) at a resolution; an unknown series has none. */
    range(key: SeriesKey, from: number, to: number, resolution: Resolution): Point[] {
      const id = state().series.find(key);
      return id === undefined ? [] : toPoints(read(id, from, to, resolution));
    },

    /**
     * A chart's data: the coarsest resolution that still fills `widthPoints`, and its points as
     * columns (point-columns.ts says why). Raw points have min = avg = max = the sample.
     */
    series(q: SeriesQuery): { resolution: Resolution; points: PointColumns } {
      const resolution = chooseResolution(q.from, q.to, now(), Math.max(1, q.widthPoints), retention);
      const id = state().series.find(q);
      return { resolution, points: id === undefined ? new ColumnSink(1, 0).columns() : read(id, q.from, q.to, resolution) };
    },

    /** The last value of every metric of an appliance, with its time; kept while it is unreachable. */
    latest(applianceId: string): LatestValues {
      const s = state();
      let asOf: number | null = null;
      const metrics: LatestValues['metrics'] = [];
      for (const info of s.series.ofAppliance(applianceId)) {
        const l = s.latest.get(info.id);
        if (!l) continue;
        metrics.push({ metric: info.metric, ...(info.labels ? { labels: info.labels } : {}), t: l.t, v: l.v });
        if (asOf === null || l.t > asOf) asOf = l.t;
      }
      metrics.sort(byMetric);
      return { applianceId, asOf, metrics };
    },

    /** The metrics (with labels) an appliance has reported. */
    metrics(applianceId: string): { metric: string; labels?: Record<string, string> }[] {
      return state()
        .series.ofAppliance(applianceId)
        .map((i) => ({ metric: i.metric, ...(i.labels ? { labels: i.labels } : {}) }))
        .sort(byMetric);
    },

    /** Appliances with any stored series. */
    appliances: (): string[] => state().series.applianceIds().sort(),
  };
}

function byMetric(a: { metric: string; labels?: Record<string, string> }, b: { metric: string; labels?: Record<string, string> }): number {
  if (a.metric !== b.metric) return a.metric < b.metric ? -1 : 1;
  const la = JSON.stringify(a.labels ?? {});
  const lb = JSON.stringify(b.labels ?? {});
  return la < lb ? -1 : la > lb ? 1 : 0;
}
