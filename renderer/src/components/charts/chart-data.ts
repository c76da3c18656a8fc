import type { Locale } from '../../../../main/contract/settings.contract';
import { formatCapacity, formatCelsius, formatHours, formatMemory, formatPercent, formatRate } from '../../i18n/format';

/**
 * Pure helpers behind the time-series chart: bucketing to the chart's width, joining series into
 * recharts rows, and unit-aware value and time formatting. Kept apart from React so they are
 * tested directly (tests/unit/charts-data.test.ts).
 */

/** What a chart's values are; the units follow the conventions in i18n/format.ts (capacity decimal, memory binary). */
export type ChartUnit = 'percent' | 'capacity' | 'memory' | 'rate' | 'celsius' | 'count' | 'ms' | 'hours';

/** Columns as metrics.series returns them: point i is (t[i], min[i], avg[i], max[i]). */
export interface SeriesColumns {
  t: readonly number[];
  min: readonly number[];
  avg: readonly number[];
  max: readonly number[];
}

/**
 * At most `buckets` points over [from, to): each bucket keeps the lowest min, the highest max and
 * the count-weighted mean of avg, placed at its first point's time. A year of hourly points
 * (8,760) becomes one point per pixel without hiding a spike: the band still reaches it.
 */
export function downsample(s: SeriesColumns, from: number, to: number, buckets: number): SeriesColumns {
  const n = s.t.length;
  if (n <= buckets || buckets < 1) return s;
  const width = (to - from) / buckets;
  const out = { t: [] as number[], min: [] as number[], avg: [] as number[], max: [] as number[] };
  let bucket = -1;
  let sum = 0;
  let count = 0;
  const close = () => {
    if (count > 0) out.avg.push(sum / count);
  };
  for (let i = 0; i < n; i++) {
    const b = Math.min(buckets - 1, Math.max(0, Math.floor((s.t[i]! - from) / width)));
    if (b !== bucket) {
      close();
      bucket = b;
      sum = 0;
      count = 0;
      out.t.push(s.t[i]!);
      out.min.push(s.min[i]!);
      out.max.push(s.max[i]!);
    } else {
      const last = out.t.length - 1;
      if (s.min[i]! < out.min[last]!) out.min[last] = s.min[i]!;
      if (s.max[i]! > out.max[last]!) out.max[last] = s.max[i]!;
    }
    sum += s.avg[i]!;
    count++;
  }
  close();
  return out;
}

/** One recharts row per time: `a<i>` is series i's average, `b<i>` its [min, max] band. */
export type ChartRow = { t: number } & Record<string, number | [number, number] | null>;

/**
 * Joins series on time. A time one series lacks is null for it (a gap, drawn as a gap), never 0.
 * Series with bands get `b<i>`; a band equal to its line (raw samples) is left out.
 */
export function joinSeries(series: readonly SeriesColumns[]): { rows: ChartRow[]; banded: boolean[] } {
  const times = new Map<number, ChartRow>();
  const banded = series.map((s) => s.t.some((_, i) => s.max[i] !== s.min[i]));
  series.forEach((s, k) => {
    for (let i = 0; i < s.t.length; i++) {
      const t = s.t[i]!;
      let row = times.get(t);
      if (!row) times.set(t, (row = { t } as ChartRow));
      row[`a${k}`] = s.avg[i]!;
      if (banded[k]) row[`b${k}`] = [s.min[i]!, s.max[i]!];
    }
  });
  const rows = [...times.values()].sort((a, b) => a.t - b.t);
  for (const row of rows) {
    series.forEach((_, k) => {
      if (!(`a${k}` in row)) row[`a${k}`] = null;
      if (banded[k] && !(`b${k}` in row)) row[`b${k}`] = null;
    });
  }
  return { rows, banded };
}

/** A value in its unit, for axes (short) and tooltips. */
export function formatValue(v: number, unit: ChartUnit, locale: Locale): string {
  if (!Number.isFinite(v)) return '—';
  const num = (x: number, digits: number) => x.toLocaleString(locale, { maximumFractionDigits: digits });
  switch (unit) {
    case 'percent':
      return formatPercent(v, locale, Math.abs(v) < 10 ? 1 : 0);
    case 'capacity':
      return formatCapacity(v, locale);
    case 'memory':
      return formatMemory(v, locale);
    case 'rate':
      return formatRate(v, locale);
    case 'celsius':
      return formatCelsius(v, locale);
    case 'ms':
      return `${num(v, v < 10 ? 2 : 0)} ms`;
    case 'hours':
      return formatHours(v, locale);
    default:
      return num(v, Math.abs(v) < 10 ? 2 : 0);
  }
}

const pad = (n: number) => String(n).padStart(2, '0');

/** Axis ticks in local time, as fine as the span needs: 09:26 · 03-14 09:00 · 03-14 · 2026-03. */
export function formatTick(t: number, spanMs: number): string {
  const d = new Date(t);
  const hm = `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  const md = `${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  if (spanMs <= 86_400_000) return hm;
  if (spanMs <= 7 * 86_400_000) return `${md} ${hm}`;
  if (spanMs <= 90 * 86_400_000) return md;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}`;
}

/** Evenly spaced ticks on round local times (so labels read 09:00, not 09:17). */
export function timeTicks(from: number, to: number, count: number): number[] {
  const span = to - from;
  const steps = [60_000, 300_000, 900_000, 1_800_000, 3_600_000, 3 * 3_600_000, 6 * 3_600_000, 12 * 3_600_000, 86_400_000, 2 * 86_400_000, 7 * 86_400_000, 14 * 86_400_000, 30 * 86_400_000, 61 * 86_400_000, 91 * 86_400_000];
  const step = steps.find((s) => span / s <= count) ?? steps[steps.length - 1]!;
  // Round in local time: shift by the zone offset, floor, shift back.
  const offset = new Date(from).getTimezoneOffset() * 60_000;
  const first = Math.ceil((from - offset) / step) * step + offset;
  const ticks: number[] = [];
  for (let t = first; t <= to; t += step) ticks.push(t);
  return ticks;
}

/** "Stale" when the newest sample is older than this: the chart says "as of" then. */
export const STALE_AFTER_MS = 5 * 60_000;
