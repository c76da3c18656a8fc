import { describe, expect, it } from 'vitest';
import { downsample, formatTick, formatValue, joinSeries, timeTicks } from '../../renderer/src/components/charts/chart-data';
import { historyColumn, historySpan, TRENDS, type HistoryPoint } from '../../renderer/src/pages/appliance/monitoring/disk-history';

const H = 3_600_000;

describe('chart data', () => {
  it('downsamples a year of hourly points to the chart width without hiding a spike', () => {
    const n = 8760;
    const t = Array.from({ length: n }, (_, i) => i * H);
    const v = t.map((_, i) => (i === 5000 ? 99 : 10));
    const out = downsample({ t, min: v, avg: v, max: v }, 0, n * H, 800);
    expect(out.t.length).toBe(800);
    expect(Math.max(...out.max)).toBe(99); // the band still reaches the spike
    expect(Math.min(...out.min)).toBe(10);
    // The bucket holding the spike averages it with its neighbours (8760 / 800 ≈ 11 points a bucket).
    const k = out.max.indexOf(99);
    expect(out.avg[k]!).toBeGreaterThan(10);
    expect(out.avg[k]!).toBeLessThan(20);
  });

  it('leaves a series that already fits alone', () => {
    const s = { t: [0, H], min: [1, 2], avg: [1, 2], max: [1, 2] };
    expect(downsample(s, 0, 2 * H, 800)).toBe(s);
  });

  it('joins series on time with gaps as null, and bands only where min ≠ max', () => {
    const { rows, banded } = joinSeries([
      { t: [0, H], min: [1, 2], avg: [1.5, 2.5], max: [2, 3] },
      { t: [H, 2 * H], min: [7, 8], avg: [7, 8], max: [7, 8] },
    ]);
    expect(banded).toEqual([true, false]);
    expect(rows).toEqual([
      { t: 0, a0: 1.5, b0: [1, 2], a1: null },
      { t: H, a0: 2.5, b0: [2, 3], a1: 7 },
      { t: 2 * H, a1: 8, a0: null, b0: null },
    ]);
  });

  it('formats values in their unit', () => {
    expect(formatValue(42.25, 'percent', 'en')).toBe('42 %');
    expect(formatValue(3.25, 'percent', 'en')).toBe('3.3 %');
    expect(formatValue(1024 ** 3, 'memory', 'en')).toBe('1.0 GiB');
    expect(formatValue(4e12, 'capacity', 'en')).toBe('4.0 TB');
    expect(formatValue(1e6, 'rate', 'zh-CN')).toBe('1.0 MB/s');
    expect(formatValue(47_657, 'hours', 'en')).toBe('47,657 h');
    expect(formatValue(41.56, 'celsius', 'en')).toBe('41.6 °C');
    expect(formatValue(Number.NaN, 'count', 'en')).toBe('—');
  });

  it('ticks fall on round local times and read as finely as the span needs', () => {
    const from = new Date(2026, 2, 14, 9, 17).getTime();
    const ticks = timeTicks(from, from + 6 * H, 8);
    expect(ticks.length).toBeGreaterThan(2);
    expect(ticks.every((t) => new Date(t).getMinutes() === 0)).toBe(true);
    expect(formatTick(new Date(2026, 2, 14, 9, 0).getTime(), 6 * H)).toBe('09:00');
    expect(formatTick(new Date(2026, 2, 14, 9, 0).getTime(), 30 * 24 * H)).toBe('03-14');
    expect(formatTick(new Date(2026, 2, 14, 9, 0).getTime(), 365 * 24 * H)).toBe('2026-03');
  });
});

describe('disk drawer trends', () => {
  const DAY = 86_400_000;
  const now = Date.parse('2026-03-10T00:00:00Z');
  const history: HistoryPoint[] = [
    { time: '2026-03-09T12:00:00Z', temperatureCelsius: 38, reallocatedSectors: 0, pendingSectors: null, percentageUsed: null },
    { time: '2026-03-09T18:00:00Z', temperatureCelsius: 41, reallocatedSectors: 1 },
  ];

  it('plots temperature from the readings and leaves attributes the drive does not report empty (the chart says no data)', () => {
    expect(historyColumn(history, 'temperatureCelsius')).toEqual({ t: [Date.parse('2026-03-09T12:00:00Z'), Date.parse('2026-03-09T18:00:00Z')], min: [38, 41], avg: [38, 41], max: [38, 41] });
    expect(historyColumn(history, 'percentageUsed').t).toEqual([]);
    expect(TRENDS.map((t) => t.id)).toEqual(['sectors', 'temperature', 'endurance']);
  });

  it('spans at least a day up to now, so a single reading is a point inside the chart', () => {
    expect(historySpan(history.slice(0, 1), now)).toEqual({ from: now - DAY, to: now });
    expect(historySpan([], now)).toEqual({ from: now - DAY, to: now });
    const old = [{ time: '2026-03-01T00:00:00Z', temperatureCelsius: 30 }];
    expect(historySpan(old, now).from).toBe(Date.parse('2026-03-01T00:00:00Z'));
  });
});
