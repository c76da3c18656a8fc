import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { systemClock } from '../main/core/clock';
import { silentLogger } from '../main/core/log';
import { MINUTE_MS, openTelemetryStore, type IncomingSample } from '../main/telemetry/telemetry-store';
import { median, met, percentile, printFigures, saveResults, type Figure } from './report';

const APPLIANCES = 1000;
const METRICS_PER_APPLIANCE = 30;
const INTERVAL_MS = 10_000;
/** 100 collection rounds of the whole fleet: 3,000,000 samples. */
const ROUNDS = 100;

function round(r: number, t0: number): IncomingSample[] {
  const batch: IncomingSample[] = [];
  for (let a = 0; a < APPLIANCES; a++) {
    for (let m = 0; m < METRICS_PER_APPLIANCE; m++) batch.push({ series: { applianceId: `a${a}`, metric: `m${m}` }, t: t0 + r * INTERVAL_MS, v: (a * 31 + m * 7 + r) % 1000 });
  }
  return batch;
}

/**
 * SQLite ingestion through the telemetry store (raw rows + 1-minute and 1-hour rollups, duplicate
 * checks) against the reference of the same rows as plain INSERTs into a bare table on the same
 * disk, same run; then a 30-day chart from 1-minute rollups.
 */
export async function runTelemetryBenchmarks(): Promise<boolean> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-bench-telemetry-'));
  const figures: Figure[] = [];
  try {
    const store = openTelemetryStore({ dataDir: dir, clock: systemClock, log: silentLogger });
    const t0 = Date.UTC(2026, 0, 1);
    store.ingest(round(0, t0 - INTERVAL_MS)); // series rows exist, as in steady state
    const start = performance.now();
    let total = 0;
    for (let r = 0; r < ROUNDS; r++) total += store.ingest(round(r, t0));
    const storeRate = total / ((performance.now() - start) / 1000);

    // Reference: the bare minimum SQLite can do with the same rows (one table, one insert each).
    const ref = new Database(path.join(dir, 'reference.sqlite'));
    ref.pragma('journal_mode = WAL');
    ref.pragma('synchronous = NORMAL');
    ref.exec('CREATE TABLE s (series_id INTEGER, t INTEGER, v REAL)');
    const ins = ref.prepare('INSERT INTO s VALUES (?, ?, ?)');
    const refBatch = ref.transaction((rows: IncomingSample[], r: number) => {
      for (let i = 0; i < rows.length; i++) ins.run(i, rows[i]!.t, rows[i]!.v + r);
    });
    const refStart = performance.now();
    for (let r = 0; r < ROUNDS; r++) refBatch(round(r, t0), r);
    const refRate = (ROUNDS * APPLIANCES * METRICS_PER_APPLIANCE) / ((performance.now() - refStart) / 1000);
    ref.close();
    figures.push({ name: `telemetry ingestion (${(total / 1e6).toFixed(1)} M samples, raw + 1 m + 1 h rollups)`, value: storeRate, unit: 'samples/s', target: 300_000, higherIsBetter: true, reference: { name: 'plain SQLite INSERTs of the same rows', value: refRate } });

    // A 30-day chart: one series with 30 days of 1-minute rollups (43,200 buckets).
    const series = { applianceId: 'chart', metric: 'cpu.total' };
    const month: IncomingSample[] = [];
    for (let t = t0; t < t0 + 30 * 86_400_000; t += MINUTE_MS) month.push({ series, t, v: (t / MINUTE_MS) % 100 });
    for (let i = 0; i < month.length; i += 10_000) store.ingest(month.slice(i, i + 10_000));
    const times: number[] = [];
    for (let i = 0; i < 50; i++) {
      const q0 = performance.now();
      const points = store.range(series, t0, t0 + 30 * 86_400_000, '1m');
      times.push(performance.now() - q0);
      if (points.length !== 43_200) throw new Error(`expected 43,200 points, got ${points.length}`);
    }
    figures.push({ name: '30-day chart of one metric from 1-minute rollups (43,200 points), p95 of 50', value: percentile(times, 95), unit: 'ms', target: 20, reference: { name: 'median', value: median(times) } });
    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  printFigures('Telemetry store (SQLite)', figures);
  saveResults('telemetry', figures);
  return figures.every((f) => met(f) !== false);
}
