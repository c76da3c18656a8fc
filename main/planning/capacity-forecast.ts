/**
 * Capacity forecast from usage history: when will this storage reach 80 %, 90 % and 100 %?
 *
 * Method, chosen to survive what real usage looks like (bulk uploads, deletions, quiet weekends):
 * 1. resample to one value per day (the day's last sample: usage at the end of the day);
 * 2. weekly seasonality: the median deviation of each weekday from a centred 7-day median is
 *    removed, so a Monday import peak does not read as growth (skipped with under 3 weeks of data);
 * 3. trend: the Theil–Sen estimator — the median of the slopes between every pair of days — which
 *    ignores up to ~29 % outliers, unlike least squares;
 * 4. uncertainty: the 10th and 90th percentiles of those pairwise slopes give a low and a high
 *    growth rate; with the residual spread (1.4826 × MAD) they bound the forecast;
 * 5. days until a level: (level − fitted usage now) ÷ slope, for the expected, high and low slope;
 *    no date when usage is not growing.
 */

export const DAY_MS = 86_400_000;

export interface UsageSample {
  /** Milliseconds since the epoch. */
  t: number;
  usedBytes: number;
}

export interface Eta {
  /** Days from now at the expected growth rate. */
  expectedDays: number;
  /** Days at the high growth rate (the earliest it may happen). */
  earliestDays: number;
  /** Days at the low growth rate; null when the low rate is not growth at all. */
  latestDays: number | null;
}

export interface CapacityForecast {
  capacityBytes: number;
  /** Fitted usage now (trend line, not the last noisy sample). */
  usedNowBytes: number;
  slopeBytesPerDay: number;
  slopeLowBytesPerDay: number;
  slopeHighBytesPerDay: number;
  /** Spread of daily values around the trend (robust standard deviation). */
  noiseBytes: number;
  daysOfHistory: number;
  seasonalityRemoved: boolean;
  /** null: already past this level (0), or usage is not growing. */
  until80: Eta | null;
  until90: Eta | null;
  untilFull: Eta | null;
  /** One point a day from now to the horizon, for the chart's line and band. */
  projection: { t: number; expected: number; low: number; high: number }[];
}

export function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length === 0 ? NaN : s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function quantile(sorted: readonly number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/**
 * One value per UTC day: the day's last sample, placed at its own time (in days, fractional) so
 * the fitted line is not shifted by up to a day; `weekday` keeps the calendar day for seasonality.
 */
export function dailySeries(samples: readonly UsageSample[]): { day: number; weekday: number; value: number }[] {
  const byDay = new Map<number, UsageSample>();
  for (const s of samples) {
    const day = Math.floor(s.t / DAY_MS);
    const cur = byDay.get(day);
    if (!cur || s.t >= cur.t) byDay.set(day, s);
  }
  return [...byDay.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([day, s]) => ({ day: s.t / DAY_MS, weekday: ((day % 7) + 7) % 7, value: s.usedBytes }));
}

type Day = { day: number; weekday: number; value: number };

function removeWeeklySeasonality(days: Day[]): { series: Day[]; removed: boolean } {
  if (days.length < 21) return { series: days, removed: false };
  const baseline = days.map((_, i) => median(days.slice(Math.max(0, i - 3), i + 4).map((d) => d.value)));
  const byWeekday: number[][] = [[], [], [], [], [], [], []];
  days.forEach((d, i) => byWeekday[d.weekday]!.push(d.value - baseline[i]!));
  const effect = byWeekday.map((v) => (v.length ? median(v) : 0));
  const centre = median(effect);
  return { series: days.map((d) => ({ ...d, value: d.value - (effect[d.weekday]! - centre) })), removed: true };
}

function eta(level: number, usedNow: number, expected: number, low: number, high: number): Eta | null {
  const gap = level - usedNow;
  if (gap <= 0) return { expectedDays: 0, earliestDays: 0, latestDays: 0 };
  if (expected <= 0) return null;
  return { expectedDays: gap / expected, earliestDays: gap / Math.max(high, expected), latestDays: low > 0 ? gap / low : null };
}

export function forecastCapacity(samples: readonly UsageSample[], capacityBytes: number, opts: { now: number; horizonDays?: number }): CapacityForecast | null {
  const raw = dailySeries(samples);
  if (raw.length < 3) return null; // fewer than three days say nothing about growth
  const { series, removed } = removeWeeklySeasonality(raw);
  const slopes: number[] = [];
  for (let i = 0; i < series.length; i++) {
    for (let j = i + 1; j < series.length; j++) slopes.push((series[j]!.value - series[i]!.value) / (series[j]!.day - series[i]!.day));
  }
  slopes.sort((a, b) => a - b);
  const slope = median(slopes);
  const intercept = median(series.map((d) => d.value - slope * d.day));
  const residuals = series.map((d) => d.value - (intercept + slope * d.day));
  const noise = 1.4826 * median(residuals.map((r) => Math.abs(r - median(residuals))));
  const nowDay = opts.now / DAY_MS;
  const usedNow = intercept + slope * nowDay;
  const low = quantile(slopes, 0.1);
  const high = quantile(slopes, 0.9);
  const horizon = opts.horizonDays ?? 365;
  const projection = [];
  for (let d = 0; d <= horizon; d++) {
    const expected = usedNow + slope * d;
    projection.push({ t: opts.now + d * DAY_MS, expected, low: usedNow + low * d - 2 * noise, high: usedNow + high * d + 2 * noise });
  }
  return {
    capacityBytes,
    usedNowBytes: usedNow,
    slopeBytesPerDay: slope,
    slopeLowBytesPerDay: low,
    slopeHighBytesPerDay: high,
    noiseBytes: noise,
    daysOfHistory: Math.round(raw[raw.length - 1]!.day - raw[0]!.day) + 1,
    seasonalityRemoved: removed,
    until80: eta(0.8 * capacityBytes, usedNow, slope, low, high),
    until90: eta(0.9 * capacityBytes, usedNow, slope, low, high),
    untilFull: eta(capacityBytes, usedNow, slope, low, high),
    projection,
  };
}
