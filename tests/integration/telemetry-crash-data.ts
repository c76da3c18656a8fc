import type { IncomingSample, SeriesKey } from '../../main/telemetry/telemetry-store';

/** What the crash test's child writes: `SERIES` series, one sample each per round, 20 s apart. */
export const CRASH_SERIES = 2000;
export const CRASH_T0 = Date.UTC(2026, 3, 1, 0, 0, 7);
const keys: SeriesKey[] = Array.from({ length: CRASH_SERIES }, (_, i) => ({ applianceId: `a${i % 100}`, metric: `m${Math.floor(i / 100)}` }));

export const crashKeys = (): readonly SeriesKey[] => keys;
export const crashRoundTime = (r: number): number => CRASH_T0 + r * 20_000;

export function crashRound(r: number): IncomingSample[] {
  const t = crashRoundTime(r);
  return keys.map((series, i) => ({ series, t: t + (i % 13), v: ((r * 7919 + i * 104729) % 100_003) / 7 }));
}
