import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { manualClock } from '../main/core/clock';
import { silentLogger } from '../main/core/log';
import { HOUR_MS, MINUTE_MS, openTelemetryStore, type IncomingSample, type SeriesKey } from '../main/telemetry/telemetry-store';
import { runIntakeSimulation } from './telemetry-intake.bench';
import { median, met, percentile, printFigures, saveResults, type Figure } from './report';

const APPLIANCES = 1000;
const METRICS_PER_APPLIANCE = 30;
const INTERVAL_MS = 10_000;
/**
 * 360 collection rounds of the whole fleet (10.8 M samples): one hour of data, so the sustained
 * rate includes every cost the store defers — 60 minute flushes and one hour packed into blocks.
 */
const ROUNDS = 360;
/** Series with 30 days of 1-minute data for the chart reads, and how many random reads. */
const CHART_SERIES = 100;
const CHART_READS = 400;
const CHART_WIDTH = 1000;

function fleetKeys(): SeriesKey[] {
  const keys: SeriesKey[] = [];
  for (let a = 0; a < APPLIANCES; a++) for (let m = 0; m < METRICS_PER_APPLIANCE; m++) keys.push({ applianceId: `a${a}`, metric: `m${m}` });
  return keys;
}

function round(keys: SeriesKey[], r: number, t: number): IncomingSample[] {
  return keys.map((series, i) => ({ series, t: t + (i % 97), v: (i * 31 + r * 7) % 1000 }));
}

/**
 * SQLite ingestion through the telemetry store (raw rows, duplicate checks, 1-minute and 1-hour
 * rollups, packing) against the reference of the same rows as plain INSERTs into a bare table on
 * the same disk, same run; then 30-day charts of random series from 1-minute rollups; then the
 * console side of collection (intake simulation).
 */
export async function runTelemetryBenchmarks(): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-bench-telemetry-'));
  const figures: Figure[] = [];
  try {
    // The store's clock follows the simulated rounds, as the wall clock follows real ones: minutes
    // close and hours pack while the fleet keeps sending.
    const t0 = Date.UTC(2026, 0, 1, 0, 0, 5);
    const clock = manualClock(new Date(t0));
    const store = openTelemetryStore({ dataDir: dir, clock, log: silentLogger });
    const keys = fleetKeys();
    store.ingest(round(keys, -1, t0 - INTERVAL_MS)); // series rows exist, as in steady state
    // Each round is built outside the timed section and dropped after it, as a collector's would
    // be: holding all 10.8 M sample objects at once would make the benchmark measure the GC.
    let storeMs = 0;
    let total = 0;
    const roundMs: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < ROUNDS; r++) {
      const rows = round(keys, r, t0 + r * INTERVAL_MS);
      clock.set(new Date(t0 + r * INTERVAL_MS + 2_000)); // the round arrives 2 s after it was sampled
      const s0 = performance.now();
      total += store.ingest(rows).added;
      roundMs.push(performance.now() - s0);
      storeMs += roundMs[roundMs.length - 1]!;
    }
    const cpu = process.cpuUsage(cpu0);
    const storeRate = total / (storeMs / 1000);
    if (total !== ROUNDS * keys.length) throw new Error(`expected ${ROUNDS * keys.length} samples stored, got ${total}`);

    // Reference: the bare minimum SQLite can do with the same rows (one table, one insert each).
    const ref = new Database(path.join(dir, 'reference.sqlite'));
    ref.pragma('journal_mode = WAL');
    ref.pragma('synchronous = NORMAL');
    ref.exec('CREATE TABLE s (series_id INTEGER, t INTEGER, v REAL)');
    const ins = ref.prepare('INSERT INTO s VALUES (?, ?, ?)');
    const refBatch = ref.transaction((rows: IncomingSample[]) => {
      for (let i = 0; i < rows.length; i++) ins.run(i, rows[i]!.t, rows[i]!.v);
    });
    let refMs = 0;
    for (let r = 0; r < ROUNDS; r++) {
      const rows = round(keys, r, t0 + r * INTERVAL_MS);
      const s0 = performance.now();
      refBatch(rows);
      refMs += performance.now() - s0;
    }
    const refRate = (ROUNDS * keys.length) / (refMs / 1000);
    ref.close();
    figures.push({
      name: `telemetry ingestion (${APPLIANCES} appliances × ${METRICS_PER_APPLIANCE} metrics × ${ROUNDS} rounds = ${(total / 1e6).toFixed(1)} M samples; raw + 1 m + 1 h rollups, packing included)`,
      value: storeRate,
      unit: 'samples/s',
      target: 300_000,
      higherIsBetter: true,
      reference: { name: 'plain SQLite INSERTs of the same rows', value: refRate },
    });
    // The same work per CPU-second (user + system; sample generation included, so a lower bound):
    // on a loaded machine wall time includes waiting for a core, this does not.
    figures.push({ name: 'telemetry ingestion per CPU-second (informative: includes building the rounds)', value: total / ((cpu.user + cpu.system) / 1e6), unit: 'samples/s' });
    // Writes are synchronous on the console's main process: the longest one is a UI pause.
    figures.push({ name: 'longest single round write (minute flush / hour packing step included; informative)', value: Math.max(...roundMs), unit: 'ms', reference: { name: 'median round write', value: median(roundMs) } });

    // 30-day charts: CHART_SERIES series with a sample a minute for 30 days after the fleet hour,
    // written in time order through the normal path (minutes close, hours and days pack).
    const c0 = Math.ceil((t0 + ROUNDS * INTERVAL_MS) / HOUR_MS) * HOUR_MS;
    const days = 30;
    const chartKeys = Array.from({ length: CHART_SERIES }, (_, i): SeriesKey => ({ applianceId: `chart${i}`, metric: 'cpu.busyPercent' }));
    for (let t = c0; t < c0 + days * 86_400_000; t += 60 * MINUTE_MS) {
      const batch: IncomingSample[] = [];
      for (let m = 0; m < 60; m++) for (let i = 0; i < CHART_SERIES; i++) batch.push({ series: chartKeys[i]!, t: t + m * MINUTE_MS + i, v: ((t / MINUTE_MS + m) * (i + 1)) % 100 });
      clock.set(new Date(t + HOUR_MS));
      store.ingest(batch);
    }
    clock.set(new Date(c0 + days * 86_400_000 + 5 * MINUTE_MS));
    store.tick();
    const times: number[] = [];
    let seed = 12345;
    for (let i = 0; i < CHART_READS; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const key = chartKeys[seed % CHART_SERIES]!;
      const q0 = performance.now();
      const res = store.series({ ...key, from: c0, to: c0 + days * 86_400_000, widthPoints: CHART_WIDTH });
      times.push(performance.now() - q0);
      if (res.resolution !== '1m' || res.points.length !== days * 1440) throw new Error(`expected 43,200 1m points, got ${res.points.length} ${res.resolution}`);
    }
    figures.push({
      name: `30-day chart of one metric from 1-minute rollups (43,200 points, ${CHART_SERIES} series, random), p95 of ${CHART_READS}`,
      value: percentile(times, 95),
      unit: 'ms',
      target: 20,
      reference: { name: 'median', value: median(times) },
    });
    store.close();

    figures.push(...(await runIntakeSimulation(dir)));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printFigures('Telemetry store (SQLite)', figures);
  saveResults('telemetry', figures);
  return figures.every((f) => met(f) !== false);
}
