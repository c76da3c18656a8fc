import { describe, expect, it } from 'vitest';
import { DAY_MS, forecastCapacity, type UsageSample } from '../../main/planning/capacity-forecast';

const TB = 1e12;
const start = Date.UTC(2026, 0, 5); // a Monday

/** A deterministic pseudo-random generator, so the "noise" is the same on every run. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Hourly samples: base + slope·days, a weekday pattern, noise, and a few bulk spikes. */
function series(opts: { days: number; baseTB: number; slopeTBPerDay: number; weekly?: number[]; noiseTB?: number; spikes?: number[] }): UsageSample[] {
  const rand = rng(42);
  const out: UsageSample[] = [];
  for (let h = 0; h < opts.days * 24; h++) {
    const day = h / 24;
    const weekday = Math.floor(day) % 7;
    let v = opts.baseTB + opts.slopeTBPerDay * day + (opts.weekly?.[weekday] ?? 0) + (rand() - 0.5) * 2 * (opts.noiseTB ?? 0);
    if (opts.spikes?.includes(Math.floor(day))) v += 5; // a bulk upload deleted the next day
    out.push({ t: start + h * 3_600_000, usedBytes: v * TB });
  }
  return out;
}

describe('capacity forecast', () => {
  it('computes days until 80 %, 90 % and full exactly on a clean line (by hand)', () => {
    // 10 TB used, +0.1 TB a day, 100 TB capacity; "now" is day 30 → used 13 TB on the line.
    // 80 TB: (80 − 13) / 0.1 = 670 days; 90 TB: 770 days; full: 870 days.
    const f = forecastCapacity(series({ days: 30, baseTB: 10, slopeTBPerDay: 0.1 }), 100 * TB, { now: start + 30 * DAY_MS })!;
    expect(f.slopeBytesPerDay / TB).toBeCloseTo(0.1, 6);
    expect(f.usedNowBytes / TB).toBeCloseTo(13, 6);
    expect(f.until80!.expectedDays).toBeCloseTo(670, 0);
    expect(f.until90!.expectedDays).toBeCloseTo(770, 0);
    expect(f.untilFull!.expectedDays).toBeCloseTo(870, 0);
  });

  it('recovers the slope through a weekly pattern, noise and bulk spikes within 5 %', () => {
    const samples = series({ days: 90, baseTB: 40, slopeTBPerDay: 0.25, weekly: [2, 1.5, 1, 0.5, 0, -2, -3], noiseTB: 0.4, spikes: [20, 21, 55, 70] });
    const f = forecastCapacity(samples, 200 * TB, { now: start + 90 * DAY_MS })!;
    expect(f.seasonalityRemoved).toBe(true);
    expect(Math.abs(f.slopeBytesPerDay / TB - 0.25) / 0.25).toBeLessThan(0.05);
    expect(f.slopeLowBytesPerDay).toBeLessThan(f.slopeBytesPerDay);
    expect(f.slopeHighBytesPerDay).toBeGreaterThan(f.slopeBytesPerDay);
    const eta = f.until80!;
    expect(eta.earliestDays).toBeLessThanOrEqual(eta.expectedDays);
    expect(eta.latestDays!).toBeGreaterThanOrEqual(eta.expectedDays);
    const p = f.projection[100]!;
    expect(p.low).toBeLessThan(p.expected);
    expect(p.high).toBeGreaterThan(p.expected);
  });

  it('gives no date for storage that is not growing, and 0 days for a level already passed', () => {
    const flat = forecastCapacity(series({ days: 40, baseTB: 50, slopeTBPerDay: 0 }), 100 * TB, { now: start + 40 * DAY_MS })!;
    expect(flat.untilFull).toBeNull();
    // Flat with noise: some tiny trend either way; if it points up, it says decades, and "maybe never".
    const noisy = forecastCapacity(series({ days: 40, baseTB: 50, slopeTBPerDay: 0, noiseTB: 0.2 }), 100 * TB, { now: start + 40 * DAY_MS })!;
    if (noisy.untilFull) {
      expect(noisy.untilFull.expectedDays).toBeGreaterThan(3650);
      expect(noisy.untilFull.latestDays).toBeNull();
    }
    const shrinking = forecastCapacity(series({ days: 40, baseTB: 50, slopeTBPerDay: -0.2 }), 100 * TB, { now: start + 40 * DAY_MS })!;
    expect(shrinking.until80).toBeNull();
    const nearlyFull = forecastCapacity(series({ days: 10, baseTB: 85, slopeTBPerDay: 0.1 }), 100 * TB, { now: start + 10 * DAY_MS })!;
    expect(nearlyFull.until80).toEqual({ expectedDays: 0, earliestDays: 0, latestDays: 0 });
    expect(nearlyFull.until90!.expectedDays).toBeGreaterThan(0);
  });

  it('says nothing from fewer than three days of history', () => {
    expect(forecastCapacity(series({ days: 2, baseTB: 1, slopeTBPerDay: 1 }), 10 * TB, { now: start + 2 * DAY_MS })).toBeNull();
  });
});
