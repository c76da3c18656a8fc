import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../main/contract/errors';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createCapacityService, ETA_HORIZON_DAYS, sumCarryingForward } from '../../main/planning/capacity-service';
import { DAY_MS, HOUR_MS, openTelemetryStore, type IncomingSample } from '../../main/telemetry/telemetry-store';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { reportDataDisks } from '../helpers/reported-data-disks';
import { makeTempDir } from '../helpers/temp-dir';

const TB = 1e12;
const T0 = Date.UTC(2026, 0, 5); // a Monday, on the hour

interface Disk {
  mount: string;
  sizeBytes: number;
  /** On-disk usage at hour h. */
  used(h: number): number;
  /** Hours without a sample (a collector gap). */
  gap?: (h: number) => boolean;
}

const cleanups: (() => void)[] = [];
afterEach(() => {
  while (cleanups.length) cleanups.pop()!();
});

/**
 * A real telemetry store in a temp dir, fed hour by hour as the collectors would (the clock moves
 * with the samples, so every write is within the raw retention), then read by the service.
 */
/** `reported: false`: an appliance whose agent has not reported its data disks (never provisioned). */
function fleetOf(appliances: { id: string; name: string; disks: Disk[]; reported?: boolean }[], hours: number) {
  const tmp = makeTempDir('capacity');
  const clock = manualClock(new Date(T0));
  const telemetry = openTelemetryStore({ dataDir: tmp.dir, clock, log: silentLogger });
  cleanups.push(() => {
    telemetry.close();
    tmp.cleanup();
  });
  for (let day = 0; day * 24 < hours; day++) {
    const batch: IncomingSample[] = [];
    for (let h = day * 24; h < Math.min(hours, day * 24 + 24); h++) {
      const t = T0 + h * HOUR_MS;
      for (const a of appliances) {
        // The system disk is not a data disk: it must not count.
        batch.push({ series: { applianceId: a.id, metric: 'fs.size_bytes', labels: { mount: '/' } }, t, v: 0.1 * TB });
        batch.push({ series: { applianceId: a.id, metric: 'fs.used_bytes', labels: { mount: '/' } }, t, v: 0.05 * TB });
        for (const d of a.disks) {
          if (d.gap?.(h)) continue;
          batch.push({ series: { applianceId: a.id, metric: 'fs.size_bytes', labels: { mount: d.mount } }, t, v: d.sizeBytes });
          batch.push({ series: { applianceId: a.id, metric: 'fs.used_bytes', labels: { mount: d.mount } }, t, v: d.used(h) });
        }
      }
    }
    clock.set(new Date(Math.min(T0 + hours * HOUR_MS, T0 + (day + 1) * DAY_MS)));
    telemetry.ingest(batch);
  }
  const now = T0 + hours * HOUR_MS;
  clock.set(new Date(now));
  telemetry.tick();
  const list = appliances.map((a) => ({ id: a.id, name: a.name }));
  const service = createCapacityService({
    telemetry,
    appliances: {
      list: () => list,
      get: (id) => {
        const a = list.find((x) => x.id === id);
        if (!a) throw new ApiError('not-found', `no appliance ${id}`);
        return a;
      },
    },
    dataDiskMounts: (id) => {
      const a = appliances.find((x) => x.id === id)!;
      return a.reported === false ? null : a.disks.map((d) => d.mount);
    },
    clock,
  });
  return { service, now };
}

/** Four 1 TB data disks, each 0.1 TB used at hour 0 and growing 0.003 TB a day. */
const fourDisks = (opts: { perDayTB?: number; gapOn?: string } = {}): Disk[] =>
  [1, 2, 3, 4].map((n) => ({
    mount: `/srv/disks/d${n}`,
    sizeBytes: TB,
    used: (h) => (0.1 + ((opts.perDayTB ?? 0.003) * h) / 24) * TB,
    gap: opts.gapOn === `d${n}` ? (h) => h >= 100 && h < 110 : undefined,
  }));

describe('capacity service', () => {
  it('computes raw, usable, used and days until 80 %, 90 % and full by hand (4 × 1 TB, 3+1, 10 % reserve)', () => {
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks() }], 30 * 24 + 1);
    const f = service.appliance({ id: 'a1', layout: { k: 3, m: 1 }, reservePercent: 10 });
    // raw = 4 × 1 TB (the 0.1 TB system disk is not counted); usable = 4 TB × 3/4 × (1 − 0.1) = 2.7 TB.
    expect(f.disks).toBe(4);
    expect(f.rawBytes).toBe(4 * TB);
    expect(f.usableBytes / TB).toBeCloseTo(2.7, 9);
    // At day 30 each disk holds 0.1 + 30 × 0.003 = 0.19 TB: 0.76 TB on disk, × 3/4 = 0.57 TB of data.
    expect(f.usedOnDiskBytes / TB).toBeCloseTo(0.76, 9);
    expect(f.usedBytes / TB).toBeCloseTo(0.57, 9);
    expect(f.usedPercent!).toBeCloseTo((0.57 / 2.7) * 100, 6);
    // Data grows 4 × 0.003 × 3/4 = 0.009 TB a day. 80 % of 2.7 = 2.16 TB: (2.16 − 0.57) / 0.009 = 176.7 days;
    // 90 %: (2.43 − 0.57) / 0.009 = 206.7 days; full: (2.7 − 0.57) / 0.009 = 236.7 days.
    const fc = f.forecast!;
    expect(fc.growing).toBe(true);
    expect(fc.slopeBytesPerDay / TB).toBeCloseTo(0.009, 9);
    expect(fc.until80!.expectedDays).toBeCloseTo(176.67, 1);
    expect(fc.until90!.expectedDays).toBeCloseTo(206.67, 1);
    expect(fc.untilFull!.expectedDays).toBeCloseTo(236.67, 1);
    // Hourly history of data bytes, the last point 0.57 TB; the projection reaches past full.
    expect(f.history!.t.length).toBe(30 * 24 + 1);
    expect(f.history!.t[1]! - f.history!.t[0]!).toBe(HOUR_MS);
    expect(f.history!.usedBytes.at(-1)! / TB).toBeCloseTo(0.57, 9);
    expect(fc.projection.expected.at(-1)!).toBeGreaterThan(f.usableBytes);
    expect(fc.projection.low.every((v, i) => v <= fc.projection.expected[i]! && fc.projection.expected[i]! <= fc.projection.high[i]!)).toBe(true);
    expect(f.model.map((m) => m.code)).toEqual(['raw', 'layout-requested', 'reserve', 'used', 'trend', 'band', 'horizon']);
    expect(f.model[1]!.text).toContain('3+1');
  });

  it('counts the data disks the agent reports wherever they are mounted, and nothing else', () => {
    const elsewhere = fourDisks().map((d, i) => ({ ...d, mount: `/data/obj${i + 1}` }));
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks: elsewhere }], 2 * 24);
    const f = service.appliance({ id: 'a1', layout: { k: 3, m: 1 } });
    expect(f.disks).toBe(4);
    expect(f.rawBytes).toBe(4 * TB);
  });

  it('leaves out appliances that have not reported data disks (never provisioned), in the fleet and in a what-if, and says how many', () => {
    const { service } = fleetOf(
      [
        { id: 'a1', name: 'edge-1', disks: fourDisks() },
        { id: 'a2', name: 'new-1', disks: [], reported: false },
        { id: 'a3', name: 'new-2', disks: [], reported: false },
      ],
      2 * 24,
    );
    const { fleet, appliances } = service.fleet({});
    expect(fleet.disks).toBe(4);
    expect(appliances.map((a) => a.name)).toEqual(['edge-1']);
    expect(fleet.model.find((m) => m.code === 'unreported')!.params).toEqual({ count: 2 });
    // Two disks added "to each appliance in scope" go to the one that has storage: 4 → 6, not 4 → 10.
    const { before, after } = service.whatIf({ scope: 'fleet', addDisks: { count: 2, sizeBytes: TB } });
    expect(before.disks).toBe(4);
    expect(after.disks).toBe(6);
    // Asked for by id, an unreported appliance has figures with no disks, and the same line.
    const one = service.appliance({ id: 'a2' });
    expect(one).toMatchObject({ disks: 0, rawBytes: 0, usableBytes: 0, layoutSource: 'none' });
    expect(one.model.map((m) => m.code)).toContain('unreported');
  });

  it('recommends a layout from the planner when none is asked for, and says so', () => {
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks() }], 5 * 24);
    const f = service.appliance({ id: 'a1' });
    expect(f.layoutSource).toBe('recommended');
    expect(f.layout!.k + f.layout!.m).toBeLessThanOrEqual(4);
    expect(f.usableBytes).toBeCloseTo(4 * TB * (f.layout!.k / (f.layout!.k + f.layout!.m)) * 0.9, -3);
    expect(f.model.find((m) => m.code === 'layout-recommended')!.params).toMatchObject({ k: f.layout!.k, m: f.layout!.m, disks: 4 });
  });

  it('does not read a collector gap on one disk as a drop in usage', () => {
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks({ gapOn: 'd2' }) }], 10 * 24);
    const h = service.appliance({ id: 'a1', layout: { k: 3, m: 1 } }).history!.usedBytes;
    const drops = h.filter((v, i) => i > 0 && v < h[i - 1]! - 1);
    expect(drops).toEqual([]);
  });

  it('stops counting a data disk that stopped reporting (taken out) an hour before the others', () => {
    // d4 reports for the first 5 days only, then is gone; the others go on to day 10.
    const disks = fourDisks().map((d) => (d.mount === '/srv/disks/d4' ? { ...d, gap: (h: number) => h >= 5 * 24 } : d));
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks }], 10 * 24);
    const f = service.appliance({ id: 'a1', layout: { k: 2, m: 1 } });
    expect(f.disks).toBe(3);
    expect(f.rawBytes).toBe(3 * TB);
  });

  it('what-if: adding disks and another layout change usable and the dates, not the data', () => {
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks() }], 30 * 24 + 1);
    const { before, after } = service.whatIf({ scope: { applianceId: 'a1' }, addDisks: { count: 4, sizeBytes: TB }, layout: { k: 6, m: 2 } });
    expect(after.disks).toBe(8);
    expect(after.rawBytes).toBe(8 * TB);
    // 8 TB × 6/8 × 0.9 = 5.4 TB usable; the data stored is the same bytes as before.
    expect(after.usableBytes / TB).toBeCloseTo(5.4, 9);
    expect(after.usedBytes).toBeCloseTo(before.usedBytes, 0);
    const fc = after.forecast!;
    expect(fc.untilFull!.expectedDays).toBeCloseTo((5.4 * TB - before.forecast!.usedNowBytes) / before.forecast!.slopeBytesPerDay, 1);
    expect(fc.untilFull!.expectedDays).toBeGreaterThan(before.forecast!.untilFull!.expectedDays);
    expect(after.model.map((m) => m.code)).toContain('add-disks');
  });

  it('what-if retention: usage settles at ingest × retention, so a level above that is never reached', () => {
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks() }], 30 * 24 + 1);
    // The plain view's layout (the planner's recommendation) is kept: data is 0.76 TB × q on disk,
    // growing 0.012 TB × q a day, with q = k/(k+m).
    const { before } = service.whatIf({ scope: { applianceId: 'a1' } });
    const q = before.layout!.k / (before.layout!.k + before.layout!.m);
    const usable = 4 * TB * q * 0.9;
    // 10 days × 0.012 q = 0.12 q TB: below today's 0.76 q TB, so the rule cuts usage to it at once.
    const short = service.whatIf({ scope: { applianceId: 'a1' }, retentionDays: 10 }).after;
    expect(short.forecast!.plateauBytes! / TB).toBeCloseTo(0.12 * q, 9);
    expect(short.usedBytes / TB).toBeCloseTo(0.12 * q, 9);
    expect(short.forecast!.untilFull).toBeNull();
    expect(Math.max(...short.forecast!.projection.expected) / TB).toBeCloseTo(0.12 * q, 9);
    expect(short.model.find((m) => m.code === 'retention')!.params).toMatchObject({ days: 10 });
    // 150 days: 1.8 q TB (half of usable, 3.6 q TB), above today's usage (kept) and below 80 % (2.88 q TB):
    // never reached. Usage grows (0.76 + 0.012 d) q TB until it levels off, at day (1.8 − 0.76) / 0.012 = 86.7.
    const mid = service.whatIf({ scope: { applianceId: 'a1' }, retentionDays: 150 }).after;
    expect(mid.usedBytes / TB).toBeCloseTo(0.76 * q, 9);
    expect(mid.forecast!.until80).toBeNull();
    expect(mid.forecast!.projection.expected[70]! / TB).toBeCloseTo(1.6 * q, 3); // "now" is an hour after day 30
    expect(mid.forecast!.projection.expected[100]! / usable).toBeCloseTo(0.5, 6);
    // 1,000 days: 12 q TB, far above full: the same dates as without the rule, (3.6 − 0.76) / 0.012 = 236.7 days.
    const long = service.whatIf({ scope: { applianceId: 'a1' }, retentionDays: 1000 }).after;
    expect(long.forecast!.untilFull!.expectedDays).toBeCloseTo(236.67, 1);
  });

  it('refuses a layout wider than the disks with an issue naming the appliance', () => {
    const { service } = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks() }], 24);
    try {
      service.appliance({ id: 'a1', layout: { k: 10, m: 2 } });
      expect.unreachable();
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe('invalid-input');
      expect((err as ApiError).issues![0]).toMatchObject({ path: 'layout', code: 'layout-too-wide', params: { k: 10, m: 2, disks: 4, appliance: 'edge-1' } });
    }
  });

  it('fleet: sums appliances hour by hour; one without telemetry counts nothing and has no forecast', () => {
    const { service } = fleetOf(
      [
        { id: 'a1', name: 'edge-1', disks: fourDisks() },
        { id: 'a2', name: 'edge-2', disks: fourDisks({ perDayTB: 0.006 }) },
        { id: 'a3', name: 'edge-3', disks: [] },
      ],
      20 * 24 + 1,
    );
    const { fleet, appliances } = service.fleet({ layout: { k: 3, m: 1 } });
    expect(fleet.rawBytes).toBe(8 * TB);
    expect(fleet.usableBytes / TB).toBeCloseTo(5.4, 9);
    expect(fleet.usedBytes).toBeCloseTo(appliances[0]!.usedBytes + appliances[1]!.usedBytes, 0);
    // 4 × (0.003 + 0.006) × 3/4 = 0.027 TB a day for the fleet.
    expect(fleet.forecast!.slopeBytesPerDay / TB).toBeCloseTo(0.027, 9);
    expect(appliances.map((a) => a.name)).toEqual(['edge-1', 'edge-2', 'edge-3']);
    expect(appliances.every((a) => a.history === null && a.forecast?.projection.t.length !== 366)).toBe(true);
    expect(appliances[2]).toMatchObject({ disks: 0, rawBytes: 0, forecast: null, usedPercent: null });
    expect(appliances[2]!.model.map((m) => m.code)).toContain('no-history');
  });

  it('gives no dates for shrinking usage, and no forecast from under three days', () => {
    const shrinking = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks({ perDayTB: -0.002 }) }], 20 * 24).service.appliance({ id: 'a1' });
    expect(shrinking.forecast!.growing).toBe(false);
    expect([shrinking.forecast!.until80, shrinking.forecast!.until90, shrinking.forecast!.untilFull]).toEqual([null, null, null]);
    expect(shrinking.model.map((m) => m.code)).toContain('not-growing');
    const young = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks() }], 36).service.appliance({ id: 'a1' });
    expect(young.forecast).toBeNull();
    expect(young.model.map((m) => m.code)).toContain('no-history');
  });

  it('gives no date beyond the horizon', () => {
    const slow = fleetOf([{ id: 'a1', name: 'edge-1', disks: fourDisks({ perDayTB: 0.0001 }) }], 20 * 24).service.appliance({ id: 'a1', layout: { k: 3, m: 1 } });
    // (2.7 − 0.3) TB at 0.0003 TB a day is ~8,000 days.
    expect(slow.forecast!.growing).toBe(true);
    expect(slow.forecast!.untilFull).toBeNull();
    expect(slow.forecast!.horizonDays).toBe(ETA_HORIZON_DAYS);
  });

  it('sumCarryingForward: a series counts from its first point and keeps its last value through gaps', () => {
    const H = HOUR_MS;
    expect(sumCarryingForward([{ t: [0, H, 3 * H], v: [1, 2, 4] }, { t: [2 * H], v: [10] }])).toEqual({ t: [0, H, 2 * H, 3 * H], v: [1, 2, 12, 14] });
  });
});

describe('capacity API', () => {
  it('answers through the dispatcher with output that passes the contract, and not-found for an unknown id', async () => {
    const c = makeConsole('capacity-api');
    cleanups.push(() => c.cleanup());
    const added = await c.dispatcher.call('fleet.add', { name: 'edge-1', address: '10.0.0.1' }, CTX);
    if (!added.ok) throw new Error(added.error.message);
    const id = (added.result as { id: string }).id;
    reportDataDisks(c.db, id, [{ device: 'sdb', mountpoint: '/srv/disks/d1', sizeBytes: 2 * TB }], c.clock.now().toISOString());
    const start = c.clock.now().getTime();
    for (let day = 0; day < 5; day++) {
      const samples: IncomingSample[] = [];
      for (let h = 0; h < 24; h++) {
        const t = start + (day * 24 + h) * HOUR_MS;
        samples.push({ series: { applianceId: id, metric: 'fs.size_bytes', labels: { mount: '/srv/disks/d1' } }, t, v: 2 * TB });
        samples.push({ series: { applianceId: id, metric: 'fs.used_bytes', labels: { mount: '/srv/disks/d1' } }, t, v: (0.5 + (0.01 * (day * 24 + h)) / 24) * TB });
      }
      c.clock.set(new Date(start + (day + 1) * DAY_MS));
      c.monitoring.telemetry.ingest(samples);
    }
    const one = await c.dispatcher.call('capacity.appliance', { id }, CTX);
    expect(one.ok).toBe(true);
    // One disk: no erasure coding, usable = 2 TB × 0.9.
    expect(one.ok && one.result).toMatchObject({ disks: 1, layoutSource: 'none', rawBytes: 2 * TB, usableBytes: 1.8 * TB });
    const fleet = await c.dispatcher.call('capacity.fleet', {}, CTX);
    expect(fleet.ok).toBe(true);
    const whatIf = await c.dispatcher.call('capacity.whatIf', { scope: 'fleet', addDisks: { count: 3, sizeBytes: 2 * TB }, layout: { k: 2, m: 2 }, retentionDays: 30 }, CTX);
    expect(whatIf.ok && (whatIf.result as { after: { usableBytes: number } }).after.usableBytes).toBeCloseTo(8 * TB * 0.5 * 0.9, 0);
    const missing = await c.dispatcher.call('capacity.appliance', { id: 'nope' }, CTX);
    expect(!missing.ok && missing.error.code).toBe('not-found');
    const tooWide = await c.dispatcher.call('capacity.appliance', { id, layout: { k: 4, m: 2 } }, CTX);
    expect(!tooWide.ok && tooWide.error.issues?.[0]?.code).toBe('layout-too-wide');
  });
});

