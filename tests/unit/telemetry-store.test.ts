import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { chooseResolution, HOUR_MS, MINUTE_MS, openTelemetryStore, type IncomingSample } from '../../main/telemetry/telemetry-store';
import { makeTempDir } from '../helpers/temp-dir';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function store() {
  const tmp = makeTempDir('telemetry');
  const s = openTelemetryStore({ dataDir: tmp.dir, clock: manualClock(), log: silentLogger });
  cleanups.push(() => {
    s.close();
    tmp.cleanup();
  });
  return s;
}

const T0 = Date.UTC(2026, 2, 1);
const cpu = { applianceId: 'a1', metric: 'cpu.total' };
const fs1 = { applianceId: 'a1', metric: 'fs.used_bytes', labels: { mount: '/srv/disks/d1' } };

/** Deterministic samples every 10 s with irregular values, over `hours`. */
function samples(key: IncomingSample['series'], hours: number, seed = 7): IncomingSample[] {
  const out: IncomingSample[] = [];
  let x = seed;
  for (let t = T0; t < T0 + hours * HOUR_MS; t += 10_000) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    out.push({ series: key, t, v: (x % 10_000) / 100 });
  }
  return out;
}

/** The same rollup computed the slow, obvious way. */
function bruteForce(list: IncomingSample[], bucketMs: number) {
  const buckets = new Map<number, number[]>();
  for (const s of list) {
    const b = s.t - (s.t % bucketMs);
    buckets.set(b, [...(buckets.get(b) ?? []), s.v]);
  }
  return [...buckets.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, vs]) => ({ t, min: Math.min(...vs), avg: vs.reduce((a, b) => a + b, 0) / vs.length, max: Math.max(...vs) }));
}

describe('telemetry store', () => {
  it('keeps 1-minute and 1-hour rollups equal to a brute-force computation, across batches', () => {
    const s = store();
    const all = samples(cpu, 3);
    for (let i = 0; i < all.length; i += 97) s.ingest(all.slice(i, i + 97)); // batches that split buckets
    const check = (got: { t: number; min: number; avg: number; max: number }[], want: ReturnType<typeof bruteForce>) => {
      expect(got.length).toBe(want.length);
      got.forEach((p, i) => {
        expect(p.t).toBe(want[i]!.t);
        expect(p.min).toBe(want[i]!.min);
        expect(p.max).toBe(want[i]!.max);
        expect(p.avg).toBeCloseTo(want[i]!.avg, 9);
      });
    };
    check(s.range(cpu, T0, T0 + 3 * HOUR_MS, '1m'), bruteForce(all, MINUTE_MS));
    check(s.range(cpu, T0, T0 + 3 * HOUR_MS, '1h'), bruteForce(all, HOUR_MS));
    expect(s.range(cpu, T0, T0 + 3 * HOUR_MS, 'raw').length).toBe(all.length);
  });

  it('loses nothing and counts nothing twice when a backfill overlaps what is stored', () => {
    const s = store();
    const all = samples(fs1, 1);
    expect(s.ingest(all.slice(0, 200))).toBe(200);
    // Reconnected: the agent re-sends from its cursor, which overlaps by 50 samples.
    expect(s.ingest(all.slice(150))).toBe(all.length - 200);
    expect(s.range(fs1, T0, T0 + HOUR_MS, 'raw').length).toBe(all.length);
    expect(s.range(fs1, T0, T0 + HOUR_MS, '1h')[0]!.avg).toBeCloseTo(bruteForce(all, HOUR_MS)[0]!.avg, 9);
  });

  it('stores samples on the console clock, correcting the appliance’s skew', () => {
    const s = store();
    s.ingest([{ series: cpu, t: T0 + 3_600_000, v: 1 }], 3_600_000); // appliance clock one hour fast
    expect(s.range(cpu, T0, T0 + 1, 'raw')).toEqual([{ t: T0, min: 1, avg: 1, max: 1 }]);
  });

  it('skips non-finite values instead of poisoning averages', () => {
    const s = store();
    expect(s.ingest([{ series: cpu, t: T0, v: Number.NaN }, { series: cpu, t: T0 + 1000, v: 4 }])).toBe(1);
    expect(s.range(cpu, T0, T0 + MINUTE_MS, '1m')).toEqual([{ t: T0, min: 4, avg: 4, max: 4 }]);
  });

  it('prunes each resolution at its own retention', () => {
    const s = store();
    s.ingest([
      { series: cpu, t: T0, v: 1 },
      { series: cpu, t: T0 + 20 * 86_400_000, v: 2 },
    ]);
    const removed = s.prune(T0 + 10 * 86_400_000); // 10 days later: raw (7 d) goes, rollups stay
    expect(removed).toEqual({ raw: 1, minute: 0, hour: 0 });
    expect(s.range(cpu, T0, T0 + MINUTE_MS, '1m').length).toBe(1);
  });

  it('reads the coarsest resolution that still fills the chart', () => {
    const now = T0 + 365 * 86_400_000;
    expect(chooseResolution(now - HOUR_MS, now, now, 800)).toBe('raw');
    expect(chooseResolution(now - 30 * 86_400_000, now, now, 800)).toBe('1m');
    expect(chooseResolution(now - 365 * 86_400_000, now, now, 800)).toBe('1h');
    // Raw samples are gone after 7 days: an old hour reads 1-minute rollups.
    expect(chooseResolution(now - 10 * 86_400_000, now - 10 * 86_400_000 + HOUR_MS, now, 800)).toBe('1m');
  });
});
