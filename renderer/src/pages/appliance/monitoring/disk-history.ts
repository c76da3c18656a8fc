import type { ChartUnit, SeriesColumns } from '../../../components/charts/chart-data';
import type { PlainMessageKey } from '../../../i18n/translate';

/** The agent's record of a reading (agents/protocol/payloads/smart.ts SmartHistoryPoint). */
export type HistoryPoint = { time: string } & Partial<Record<'temperatureCelsius' | 'reallocatedSectors' | 'pendingSectors' | 'percentageUsed' | 'mediaErrors', number | null>>;

/** Each chart of the drawer's "Over time": always shown, "no data yet" on its axes when the drive does not report it. */
export const TRENDS: { id: string; keys: (keyof HistoryPoint)[]; names: PlainMessageKey[]; title: PlainMessageKey; unit: ChartUnit }[] = [
  { id: 'sectors', keys: ['reallocatedSectors', 'pendingSectors'], names: ['disks.attr.reallocated', 'disks.attr.pending'], title: 'disks.trend.sectors', unit: 'count' },
  { id: 'temperature', keys: ['temperatureCelsius'], names: ['disks.attr.temperature'], title: 'disks.trend.temperature', unit: 'celsius' },
  { id: 'endurance', keys: ['percentageUsed'], names: ['disks.attr.wear'], title: 'disks.trend.wear', unit: 'percent' },
];

/** The span a history is drawn over: at least a day up to now, so one reading is a point, not a line of no length. */
const MIN_SPAN_MS = 86_400_000;

/** One attribute over the readings, as chart columns (a reading is one point: min = avg = max). */
export function historyColumn(history: readonly HistoryPoint[], key: keyof HistoryPoint): SeriesColumns {
  const t: number[] = [];
  const v: number[] = [];
  for (const h of history) {
    const value = h[key];
    const at = Date.parse(h.time);
    if (typeof value === 'number' && Number.isFinite(value) && !Number.isNaN(at)) {
      t.push(at);
      v.push(value);
    }
  }
  return { t, min: v, avg: v, max: v };
}

export function historySpan(history: readonly HistoryPoint[], now: number): { from: number; to: number } {
  const times = history.map((h) => Date.parse(h.time)).filter((t) => !Number.isNaN(t));
  const to = Math.max(now, ...times);
  return { from: Math.min(to - MIN_SPAN_MS, ...times), to };
}
