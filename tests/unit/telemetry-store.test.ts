import { afterEach, describe, expect, it } from 'vitest';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { openDatabase } from '../../main/store/database';
import {
  chooseResolution,
  DAY_MS,
  GRACE_MS,
  HOUR_MS,
  MINUTE_MS,
  openTelemetryStore,
  TELEMETRY_APPLICATION_ID,
  TELEMETRY_FILE,
  TELEMETRY_MIGRATIONS,
  type IncomingSample,
  type Point,
  type RetentionDays,
  type SeriesKey,
} from '../../main/telemetry/telemetry-store';
import { makeTempDir } from '../helpers/temp-dir';
import { bruteForce, rng, sampleKey } from './telemetry-brute-force';

const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const T0 = Date.UTC(2026, 2, 1);

function setup(opts: { start?: number; retention?: RetentionDays; packSeriesPerStep?: number } = {}) {
  const tmp = makeTempDir('telemetry');
  const clock = manualClock(new Date(opts.start ?? T0));
  const open = () => openTelemetryStore({ dataDir: tmp.dir, clock, log: silentLogger, retention: opts.retention, packSeriesPerStep: opts.packSeriesPerStep });
  const handle = { store: open(), clock, dir: tmp.dir, reopen: () => {} };
  handle.reopen = () => {
    handle.store.close();
    handle.store = open();
  };
  cleanups.push(() => {
    try {
      handle.store.close();
    } catch {
      /* already closed */
    }
    tmp.cleanup();
  });
  return handle;
}

const cpu: SeriesKey = { applianceId: 'a1', metric: 'cpu.total' };
const fs1: SeriesKey = { applianceId: 'a1', metric: 'fs.used_bytes', labels: { mount: '/srv/disks/d1' } };
const net: SeriesKey = { applianceId: 'a2', metric: 'net.rx', labels: { iface: 'eth0' } };

/** Samples every `stepMs` with irregular values over [from, from + spanMs). */
function samples(key: SeriesKey, from: number, spanMs: number, stepMs: number, seed: number): IncomingSample[] {
  const next = rng(seed);
  const out: IncomingSample[] = [];
  for (let t = from; t < from + spanMs; t += stepMs) out.push({ series: key, t: t + Math.floor(next() * 1000), v: Math.round(next() * 10_000) / 100 });
  return out;
}

function expectSame(got: Point[], want: Point[]) {
  expect(got.map((p) => p.t)).toEqual(want.map((p) => p.t));
  got.forEach((p, i) => {
    expect(p.min).toBe(want[i]!.min);
    expect(p.max).toBe(want[i]!.max);
    // Sums are added in another order than the brute force's: equal to rounding.
    expect(p.avg).toBeCloseTo(want[i]!.avg, 9);
  });
}

type Store = ReturnType<typeof setup>['store'];

function checkAll(store: Store, stored: IncomingSample[], keys: SeriesKey[], from: number, to: number) {
  for (const key of keys) {
    const mine = stored.filter((s) => sampleKey(s.series) === sampleKey(key));
    expectSame(store.range(key, from, to, '1m'), bruteForce(mine, MINUTE_MS));
    expectSame(store.range(key, from, to, '1h'), bruteForce(mine, HOUR_MS));
    expectSame(store.range(key, from, to, 'raw'), bruteForce(mine, 1));
  }
}

describe('telemetry store: rollups equal a brute-force computation', () => {
  // With one series packed per write, hours and days stay half-packed across many writes, and late
  // samples land on both sides of the packing progress; a restart happens mid-way.
  it.each([
    ['whole blocks per write', 1024],
    ['one series packed per write, restarted mid-way', 1],
  ])('across batches, minute flushes, hour and day packing, with late and duplicate samples (%s)', (_label, packSeriesPerStep) => {
    const h = setup({ start: T0 - HOUR_MS, packSeriesPerStep });
    const { clock } = h;
    let store = h.store;
    const keys = [cpu, fs1, net];
    const span = 50 * HOUR_MS; // crosses two day boundaries, so hour blocks are packed too
    const all = keys.flatMap((k, i) => samples(k, T0, span, 20_000, 11 + i)).sort((a, b) => a.t - b.t);
    const next = rng(99);
    // ~5 % of samples are held back and arrive hours later (after their minute, hour or day
    // was written); ~5 % are sent twice, in the same batch or a later one.
    const held: IncomingSample[] = [];
    let batch: IncomingSample[] = [];
    let sentUntil = T0;
    const sent: IncomingSample[] = [];
    const send = (list: IncomingSample[]) => {
      sent.push(...list);
      store.ingest(list);
    };
    const progress = () => store.db.prepare("SELECT value FROM meta WHERE key = 'packed_hours_progress'").pluck().get() as number | undefined;
    let halfPackedChecks = 0;
    for (const s of all) {
      const r = next();
      if (r < 0.05) held.push(s);
      else {
        batch.push(s);
        if (r > 0.95) (next() < 0.5 ? batch : held).push({ ...s });
      }
      if (s.t - sentUntil >= 10 * MINUTE_MS) {
        clock.set(new Date(s.t + 5_000));
        send(batch);
        if (packSeriesPerStep === 1 && s.t - T0 > 25 * HOUR_MS && s.t - T0 < 25 * HOUR_MS + 10 * MINUTE_MS) {
          h.reopen();
          store = h.store;
        }
        batch = [];
        sentUntil = s.t;
        if (held.length > 40) send(held.splice(0, 40)); // late: some minutes, some hours old
        if (packSeriesPerStep === 1 && progress()! > 1 && halfPackedChecks++ < 5) {
          // An hour is half packed: series below the progress read blocks, the others rows.
          checkAll(store, sent, keys, T0 - HOUR_MS, T0 + span + HOUR_MS);
        }
      }
    }
    send(batch);
    clock.set(new Date(T0 + span + 2 * HOUR_MS));
    const result = store.ingest(held);
    expect(result.duplicates).toBeGreaterThan(0);
    for (let i = 0; i < 10; i++) store.tick();
    if (packSeriesPerStep === 1) expect(halfPackedChecks).toBeGreaterThan(0);
    expect(store.frontiers().packedDays).toBeGreaterThan(Math.floor(T0 / DAY_MS)); // day blocks exist
    checkAll(store, all, keys, T0 - HOUR_MS, T0 + span + HOUR_MS);
  });

  it('keeps packing up with the clock when most series ids are quiet (one write an hour)', () => {
    const { store, clock } = setup();
    clock.set(new Date(T0 + MINUTE_MS));
    store.ingest(Array.from({ length: 3000 }, (_, i) => ({ series: { applianceId: `gone${i}`, metric: 'cpu' }, t: T0, v: i })));
    for (let h = 1; h <= 48; h++) {
      clock.set(new Date(T0 + h * HOUR_MS + MINUTE_MS));
      store.ingest(Array.from({ length: 60 }, (_, m) => ({ series: cpu, t: T0 + (h - 1) * HOUR_MS + m * MINUTE_MS, v: m })));
    }
    const f = store.frontiers();
    expect(f.packedHours).toBe(Math.floor(f.openMinute / 60));
    expect(f.packedDays).toBe(Math.floor(f.packedHours / 24));
  });

  it('counts each stored sample once whatever the batch split, and reports duplicates', () => {
    const { store, clock } = setup();
    const all = samples(fs1, T0, HOUR_MS, 10_000, 7);
    clock.set(new Date(T0 + 30 * MINUTE_MS));
    expect(store.ingest(all.slice(0, 200)).added).toBe(200);
    clock.set(new Date(T0 + 2 * HOUR_MS));
    // Reconnected: the agent re-sends from its cursor, which overlaps by 50 samples.
    const again = store.ingest(all.slice(150));
    expect(again).toEqual({ added: all.length - 200, duplicates: 50, invalid: 0, tooOld: 0 });
    checkAll(store, all, [fs1], T0, T0 + HOUR_MS);
  });

  it('reads open minutes and unpacked hours from memory before they are written', () => {
    const { store, clock } = setup();
    const all = samples(cpu, T0, 3 * MINUTE_MS, 5_000, 3);
    clock.set(new Date(T0 + 90_000)); // minute 0 closed (plus grace), minutes 1 and 2 open
    store.ingest(all);
    expect(store.frontiers().openMinute).toBe(Math.floor((T0 + 90_000 - GRACE_MS) / MINUTE_MS));
    checkAll(store, all, [cpu], T0, T0 + HOUR_MS);
  });

  it('a sample stored behind the store’s back is still not counted twice (the prediction check)', () => {
    const { store, clock } = setup();
    const all = samples(cpu, T0, 30 * MINUTE_MS, 10_000, 5);
    clock.set(new Date(T0 + 10 * MINUTE_MS));
    store.ingest(all.slice(0, 60));
    // Another writer (or a bug) stored a newer sample the store does not know about.
    const s = all[100]!;
    store.db.prepare('INSERT INTO samples (minute, series_id, t, v) SELECT ?, id, ?, ? FROM series WHERE metric = ?').run(Math.floor(s.t / MINUTE_MS), s.t, s.v, cpu.metric);
    clock.set(new Date(T0 + 2 * HOUR_MS));
    const res = store.ingest(all.slice(60));
    expect(res.duplicates).toBe(1);
    expect(res.added).toBe(all.length - 61);
    checkAll(store, all, [cpu], T0, T0 + HOUR_MS);
  });
});

describe('telemetry store: restart and recovery', () => {
  it('rebuilds open minutes from raw samples after a restart, without counting anything twice', () => {
    const h = setup();
    const all = samples(cpu, T0, 2 * HOUR_MS, 10_000, 21);
    const first = all.filter((s) => s.t < T0 + 70 * MINUTE_MS);
    h.clock.set(new Date(T0 + 70 * MINUTE_MS));
    h.store.ingest(first);
    const open = h.store.frontiers().openMinute;
    expect(first.some((s) => s.t >= open * MINUTE_MS)).toBe(true); // some of it was only in memory
    h.reopen();
    expect(h.store.frontiers().openMinute).toBe(open);
    checkAll(h.store, first, [cpu], T0, T0 + 2 * HOUR_MS);
    expect(h.store.latest('a1').asOf).toBe(Math.max(...first.map((s) => s.t)));
    // The rest arrives after the restart, overlapping what was sent before.
    h.clock.set(new Date(T0 + 3 * HOUR_MS));
    expect(h.store.ingest(all.slice(first.length - 30)).duplicates).toBe(30);
    checkAll(h.store, all, [cpu], T0, T0 + 3 * HOUR_MS);
  });

  it('keeps the last-known value and its time for an appliance that stopped reporting', () => {
    const h = setup();
    h.clock.set(new Date(T0 + MINUTE_MS));
    h.store.ingest([
      { series: cpu, t: T0, v: 10 },
      { series: cpu, t: T0 + 10_000, v: 12 },
      { series: fs1, t: T0 + 5_000, v: 500 },
    ]);
    h.clock.set(new Date(T0 + 3 * HOUR_MS));
    h.store.tick();
    h.reopen();
    expect(h.store.latest('a1')).toEqual({
      applianceId: 'a1',
      asOf: T0 + 10_000,
      metrics: [
        { metric: 'cpu.total', t: T0 + 10_000, v: 12 },
        { metric: 'fs.used_bytes', labels: { mount: '/srv/disks/d1' }, t: T0 + 5_000, v: 500 },
      ],
    });
    expect(h.store.latest('nobody')).toEqual({ applianceId: 'nobody', asOf: null, metrics: [] });
    expect(h.store.metrics('a1')).toEqual([{ metric: 'cpu.total' }, { metric: 'fs.used_bytes', labels: { mount: '/srv/disks/d1' } }]);
  });

  it('a late sample that is a series’ newest survives a restart as its latest value', () => {
    const h = setup();
    h.clock.set(new Date(T0 + 5 * HOUR_MS));
    h.store.ingest([{ series: net, t: T0, v: 1 }]); // minute long closed: the late path
    h.store.ingest([{ series: net, t: T0 + 10_000, v: 2 }]);
    h.reopen();
    expect(h.store.latest('a2').metrics).toEqual([{ metric: 'net.rx', labels: { iface: 'eth0' }, t: T0 + 10_000, v: 2 }]);
  });
});

describe('telemetry store: input', () => {
  it('stores samples on the console clock, correcting the appliance’s skew', () => {
    const { store } = setup();
    store.ingest([{ series: cpu, t: T0 + HOUR_MS, v: 1 }], HOUR_MS); // appliance clock one hour fast
    expect(store.range(cpu, T0, T0 + 1, 'raw')).toEqual([{ t: T0, min: 1, avg: 1, max: 1 }]);
  });

  it('applies each batch’s own skew when several appliances are written together', () => {
    const { store } = setup();
    store.write([
      { samples: [{ series: cpu, t: T0 + 5_000, v: 1 }], skewMs: 5_000 },
      { samples: [{ series: net, t: T0 - 3_000, v: 2 }], skewMs: -3_000 },
    ]);
    expect(store.range(cpu, T0, T0 + 1, 'raw').length).toBe(1);
    expect(store.range(net, T0, T0 + 1, 'raw').length).toBe(1);
  });

  it('skips non-finite values instead of poisoning averages', () => {
    const { store } = setup();
    const res = store.ingest([
      { series: cpu, t: T0, v: Number.NaN },
      { series: cpu, t: Number.POSITIVE_INFINITY, v: 3 },
      { series: cpu, t: T0 + 1000, v: 4 },
    ]);
    expect(res).toEqual({ added: 1, duplicates: 0, invalid: 2, tooOld: 0 });
    expect(store.range(cpu, T0, T0 + MINUTE_MS, '1m')).toEqual([{ t: T0, min: 4, avg: 4, max: 4 }]);
  });

  it('refuses samples older than the raw retention, which could no longer be checked for duplicates', () => {
    const { store } = setup();
    const res = store.ingest([
      { series: cpu, t: T0 - 8 * DAY_MS, v: 1 },
      { series: cpu, t: T0 - 6 * DAY_MS, v: 2 },
    ]);
    expect(res).toEqual({ added: 1, duplicates: 0, invalid: 0, tooOld: 1 });
  });

  it('keeps label values with commas and equals signs apart', () => {
    const { store } = setup();
    const odd: SeriesKey = { applianceId: 'a1', metric: 'fs.used', labels: { mount: '/mnt/a,b=c', dev: '%x' } };
    const plain: SeriesKey = { applianceId: 'a1', metric: 'fs.used', labels: { mount: '/mnt/a', b: 'c' } };
    store.ingest([
      { series: odd, t: T0, v: 1 },
      { series: plain, t: T0, v: 2 },
    ]);
    expect(store.metrics('a1')).toEqual([
      { metric: 'fs.used', labels: { b: 'c', mount: '/mnt/a' } },
      { metric: 'fs.used', labels: { dev: '%x', mount: '/mnt/a,b=c' } },
    ]);
    expect(store.range(odd, T0, T0 + 1, 'raw')[0]!.avg).toBe(1);
  });
});

describe('telemetry store: retention and chart resolution', () => {
  it('prunes each resolution at its own retention (rollups a whole block at a time)', () => {
    const retention = { raw: 2, minute: 4, hour: 10 };
    const h = setup({ start: T0, retention });
    const all = Array.from({ length: 12 * 24 }, (_, i) => ({ series: cpu, t: T0 + i * HOUR_MS + 1_000, v: i })); // hourly, 12 days
    for (let d = 0; d < 12; d++) {
      h.clock.set(new Date(T0 + (d + 1) * DAY_MS));
      h.store.ingest(all.slice(d * 24, d * 24 + 24));
    }
    const now = T0 + 12 * DAY_MS + HOUR_MS;
    h.clock.set(new Date(now));
    h.store.tick();
    const removed = h.store.prune(now, { rawMinutes: Infinity, blocks: Infinity });
    expect(removed.done).toBe(true);
    expect(removed.raw).toBeGreaterThan(200); // (tick() already pruned a little)
    expect(h.store.range(cpu, T0, now, 'raw').length).toBe(all.filter((s) => s.t >= now - 2 * DAY_MS).length);
    expect(h.store.range(cpu, T0, now, 'raw')[0]!.t).toBeGreaterThanOrEqual(now - 2 * DAY_MS);
    // 1-minute blocks hold an hour: everything from the first hour not wholly older than 4 days.
    expect(h.store.range(cpu, T0, now, '1m')[0]!.t).toBe(Math.floor((now - 4 * DAY_MS) / HOUR_MS) * HOUR_MS);
    // 1-hour blocks hold a day: everything from the first day not wholly older than 10 days.
    expect(h.store.range(cpu, T0, now, '1h')[0]!.t).toBe(Math.floor((now - 10 * DAY_MS) / DAY_MS) * DAY_MS);
    expect(h.store.range(cpu, T0, now, '1h').length).toBe(all.filter((s) => s.t >= Math.floor((now - 10 * DAY_MS) / DAY_MS) * DAY_MS).length);
  });

  it('prunes a bounded slice per call, oldest first, so a large backlog never blocks for long', () => {
    const retention = { raw: 1, minute: 2, hour: 3 };
    const h = setup({ start: T0, retention });
    const all = Array.from({ length: 5 * 24 * 6 }, (_, i) => ({ series: cpu, t: T0 + i * 10 * MINUTE_MS, v: i })); // every 10 min, 5 days
    for (let d = 0; d < 5; d++) {
      h.clock.set(new Date(T0 + (d + 1) * DAY_MS));
      h.store.ingest(all.slice(d * 144, d * 144 + 144));
    }
    const now = T0 + 5 * DAY_MS + HOUR_MS;
    h.clock.set(new Date(now));
    const step = h.store.prune(now, { rawMinutes: 30, blocks: 1 });
    // 30 minutes of raw (3 samples); one block row each: the first hour of minutes, the first day of hours.
    expect(step).toEqual({ raw: 3, minute: 1, hour: 1, done: false });
    expect(h.store.range(cpu, T0, now, '1m')[0]!.t).toBe(T0 + HOUR_MS);
    expect(h.store.range(cpu, T0, now, '1h')[0]!.t).toBe(T0 + DAY_MS);
    expect(h.store.range(cpu, T0, now, 'raw')[0]!.t).toBe(T0 + 30 * MINUTE_MS);
    // tick() keeps pruning a little every round until everything due is gone.
    let rounds = 0;
    while (!h.store.prune(now, { rawMinutes: 0, blocks: 0 }).done && rounds < 10_000) {
      h.store.tick();
      rounds++;
    }
    expect(rounds).toBeGreaterThan(10);
    expect(h.store.range(cpu, T0, now, 'raw')[0]!.t).toBeGreaterThanOrEqual(now - DAY_MS);
    expect(h.store.range(cpu, T0, now, '1m')[0]!.t).toBeGreaterThanOrEqual(Math.floor((now - 2 * DAY_MS) / HOUR_MS) * HOUR_MS);
  });

  it('refuses a retention that would drop raw samples before their rollups are written', () => {
    expect(() => setup({ retention: { raw: 0.01, minute: 90, hour: 730 } })).toThrow(/raw samples ≥ 1 day/);
  });

  it('reads the coarsest resolution that still fills the chart', () => {
    const now = T0 + 365 * DAY_MS;
    expect(chooseResolution(now - HOUR_MS, now, now, 800)).toBe('raw');
    expect(chooseResolution(now - 30 * DAY_MS, now, now, 800)).toBe('1m');
    expect(chooseResolution(now - 365 * DAY_MS, now, now, 800)).toBe('1h');
    // Raw samples are gone after 7 days: an old hour reads 1-minute rollups.
    expect(chooseResolution(now - 10 * DAY_MS, now - 10 * DAY_MS + HOUR_MS, now, 800)).toBe('1m');
    // …and with 1-minute rollups kept only 30 days, a 60-day-old day reads 1-hour rollups.
    expect(chooseResolution(now - 60 * DAY_MS, now - 59 * DAY_MS, now, 800, { raw: 7, minute: 30, hour: 730 })).toBe('1h');
  });

  it('series() picks the resolution and returns its points as columns', () => {
    const { store, clock } = setup();
    const all = samples(cpu, T0, 2 * HOUR_MS, 10_000, 4);
    clock.set(new Date(T0 + 3 * HOUR_MS));
    store.ingest(all);
    const wide = store.series({ ...cpu, from: T0, to: T0 + 2 * HOUR_MS, widthPoints: 100 });
    expect(wide.resolution).toBe('1m');
    expect(wide.points.length).toBe(120);
    const want = bruteForce(all, MINUTE_MS);
    expect(Array.from(wide.points.t)).toEqual(want.map((p) => p.t));
    expect(Array.from(wide.points.max)).toEqual(want.map((p) => p.max));
    expect(store.series({ ...cpu, from: T0, to: T0 + 2 * HOUR_MS, widthPoints: 1000 }).resolution).toBe('raw');
    expect(store.series({ applianceId: 'a1', metric: 'nope', from: T0, to: T0 + HOUR_MS, widthPoints: 10 }).points.length).toBe(0);
  });
});

describe('telemetry store: schema 1 files', () => {
  it('migrates a schema-1 store: every sample and rollup is kept and new samples merge in', () => {
    const tmp = makeTempDir('telemetry-v1');
    cleanups.push(tmp.cleanup);
    const clock = manualClock(new Date(T0 + 5 * HOUR_MS));
    const all = samples(cpu, T0, 3 * HOUR_MS + 20 * MINUTE_MS, 10_000, 8);
    // A schema-1 file as the old store wrote it: raw rows, and rollups equal to them.
    const v1 = openDatabase({ dataDir: tmp.dir, clock, log: silentLogger, fileName: TELEMETRY_FILE, applicationId: TELEMETRY_APPLICATION_ID, migrations: TELEMETRY_MIGRATIONS, targetVersion: 1 });
    const id = Number(v1.prepare("INSERT INTO series (appliance_id, metric, labels) VALUES ('a1', 'cpu.total', '')").run().lastInsertRowid);
    const ins = v1.prepare('INSERT INTO samples (series_id, t, v) VALUES (?, ?, ?)');
    for (const s of all) ins.run(id, s.t, s.v);
    for (const [table, ms] of [['rollup_1m', MINUTE_MS], ['rollup_1h', HOUR_MS]] as const) {
      const r = v1.prepare(`INSERT INTO ${table} (series_id, bucket, min, max, sum, count) VALUES (?, ?, ?, ?, ?, ?)`);
      for (const p of bruteForce(all, ms)) {
        const n = all.filter((s) => s.t - (s.t % ms) === p.t).length;
        r.run(id, p.t, p.min, p.max, p.avg * n, n);
      }
    }
    v1.close();
    const store = openTelemetryStore({ dataDir: tmp.dir, clock, log: silentLogger });
    cleanups.unshift(() => store.close());
    checkAll(store, all, [cpu], T0, T0 + 6 * HOUR_MS);
    const more = samples(cpu, T0 + 3 * HOUR_MS + 20 * MINUTE_MS, HOUR_MS, 10_000, 9);
    expect(store.ingest([...all.slice(-10), ...more]).duplicates).toBe(10);
    clock.set(new Date(T0 + 8 * HOUR_MS));
    store.tick();
    checkAll(store, [...all, ...more], [cpu], T0, T0 + 8 * HOUR_MS);
  });
});
