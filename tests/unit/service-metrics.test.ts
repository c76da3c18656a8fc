/**
 * Service modules' metrics (`serviceMetrics` in metrics.v1 samples) as telemetry series
 * (main/monitoring/service-metrics.ts): names, labels, units, counters as rates, the per-appliance
 * cap, and what the catalog says of them. Every sample is parsed with the agent's own schema first,
 * so none is shaped in a way the agent could not send.
 */
import { describe, expect, it } from 'vitest';
import { MetricsSampleSchema, type MetricsSample } from '../../agents/protocol/payloads/metrics';
import type { ServiceMetricSample } from '../../agents/protocol/services/service-metrics';
import { isModuleSeries, metricsMethods, SERVICE_PROCESS_SERIES } from '../../main/contract/metrics.contract';
import { flattenSample } from '../../main/monitoring/flatten-sample';
import { metricUnit } from '../../main/monitoring/metric-units';
import { createServiceMetricsIngest, MAX_SERVICE_SERIES_PER_APPLIANCE, serviceSeriesName } from '../../main/monitoring/service-metrics';
import { createCapturingLogger } from '../helpers/capturing-logger';

const T0 = Date.parse('2026-03-01T08:00:00.000Z');
const S = 1000;

/** A sample as the agent sends it: `kodo` (pid 4242) running, with its module metrics. */
function sample(seq: number, serviceMetrics: ServiceMetricSample[] | undefined, opts: { pid?: number | null; at?: number } = {}): MetricsSample {
  const raw = {
    seq,
    time: new Date(opts.at ?? T0 + seq * 10 * S).toISOString(),
    intervalMs: 10_000,
    cpu: { busyPercent: 5, userPercent: 3, systemPercent: 2, iowaitPercent: 0, stealPercent: 0, coresBusyPercent: [5] },
    load: { load1: 0.1, load5: 0.1, load15: 0.1 },
    memory: { totalBytes: 1000, availableBytes: 500, usedBytes: 500, buffersBytes: 0, cachedBytes: 0, swapTotalBytes: 0, swapUsedBytes: 0 },
    net: [],
    disks: [],
    filesystems: [],
    temperatures: [],
    services: [{ name: 'kodo', state: 'running', pid: opts.pid === undefined ? 4242 : opts.pid, cpuPercent: 3, rssBytes: 80_000_000, processes: 1, restarts: 0, crashes: 0 }],
    agent: { cpuPercent: 0.1, rssBytes: 50_000_000 },
    ...(serviceMetrics ? { serviceMetrics } : {}),
  };
  return MetricsSampleSchema.parse(raw);
}

const kodo = (requests: number, extra: ServiceMetricSample[] = []): ServiceMetricSample[] => [
  { service: 'kodo', metric: 'ready', kind: 'gauge', value: 1 },
  { service: 'kodo', metric: 'probe_ms', kind: 'gauge', value: 3.5 },
  { service: 'kodo', metric: 'requests_total', kind: 'counter', value: requests },
  ...extra,
];

/** `metric{service}` → value, for reading a flattened sample at a glance. */
const byName = (out: { series: { metric: string; labels?: Record<string, string> }; v: number }[]) =>
  Object.fromEntries(out.map((s) => [`${s.series.metric}{${Object.entries(s.series.labels ?? {}).map(([k, v]) => `${k}=${v}`).join(',')}}`, s.v]));

describe('service metrics as series', () => {
  it('gauges keep their value under service.<metric> with the module id as the service label, at the sample time', () => {
    const ingest = createServiceMetricsIngest({ log: createCapturingLogger().log });
    const out = ingest.flatten('a1', sample(1, kodo(100)));
    expect(byName(out)).toEqual({ 'service.ready{service=kodo}': 1, 'service.probe_ms{service=kodo}': 3.5 });
    expect(out.every((s) => s.t === T0 + 10 * S && s.series.applianceId === 'a1')).toBe(true);
  });

  it('a counter is stored as its rate per second from the second sample on (…_total → …_per_s)', () => {
    const ingest = createServiceMetricsIngest({ log: createCapturingLogger().log });
    expect(ingest.flatten('a1', sample(1, kodo(100)))).not.toContainEqual(expect.objectContaining({ series: expect.objectContaining({ metric: 'service.requests_per_s' }) }));
    // 250 requests in the 10 s between the samples.
    expect(byName(ingest.flatten('a1', sample(2, kodo(350))))['service.requests_per_s{service=kodo}']).toBe(25);
    expect(serviceSeriesName({ metric: 'sent_bytes', kind: 'counter' })).toBe('service.sent_bytes_per_s');
    expect(serviceSeriesName({ metric: 'used_bytes', kind: 'gauge' })).toBe('service.used_bytes');
  });

  it('no rate across a restart: the counter went down, or the same value under a new pid; the next sample has one again', () => {
    const ingest = createServiceMetricsIngest({ log: createCapturingLogger().log });
    const rate = (s: MetricsSample) => byName(ingest.flatten('a1', s))['service.requests_per_s{service=kodo}'];
    rate(sample(1, kodo(1000)));
    expect(rate(sample(2, kodo(5)))).toBeUndefined(); // reset by a restart
    expect(rate(sample(3, kodo(2000), { pid: 5555 }))).toBeUndefined(); // new process, counter already past the old value
    expect(rate(sample(4, kodo(2100), { pid: 5555 }))).toBe(10);
  });

  it('a sample pulled again after a failed write yields no rate from the past, and the following one is right', () => {
    const ingest = createServiceMetricsIngest({ log: createCapturingLogger().log });
    const rate = (s: MetricsSample) => byName(ingest.flatten('a1', s))['service.requests_per_s{service=kodo}'];
    rate(sample(1, kodo(0)));
    rate(sample(2, kodo(100)));
    expect(rate(sample(2, kodo(100)))).toBeUndefined();
    expect(rate(sample(3, kodo(300)))).toBe(20);
  });

  it('keeps appliances apart: the same module on two appliances is two sets of series and two counters', () => {
    const ingest = createServiceMetricsIngest({ log: createCapturingLogger().log });
    ingest.flatten('a1', sample(1, kodo(0)));
    ingest.flatten('a2', sample(1, kodo(1000)));
    expect(byName(ingest.flatten('a1', sample(2, kodo(100))))['service.requests_per_s{service=kodo}']).toBe(10);
    expect(byName(ingest.flatten('a2', sample(2, kodo(1200))))['service.requests_per_s{service=kodo}']).toBe(20);
  });

  it('no serviceMetrics (an older agent, no module running): no series', () => {
    const ingest = createServiceMetricsIngest({ log: createCapturingLogger().log });
    expect(ingest.flatten('a1', sample(1, undefined))).toEqual([]);
    expect(ingest.flatten('a1', sample(2, []))).toEqual([]);
  });

  it('a module metric named like a process series is dropped and logged, never written into the supervisor’s', () => {
    const logger = createCapturingLogger();
    const ingest = createServiceMetricsIngest({ log: logger.log });
    const out = ingest.flatten('a1', sample(1, kodo(0, [{ service: 'kodo', metric: 'cpu_percent', kind: 'gauge', value: 99 }])));
    expect(Object.keys(byName(out))).not.toContain('service.cpu_percent{service=kodo}');
    expect(ingest.dropped('a1')).toBe(1);
    expect(logger.records()).toEqual([expect.objectContaining({ level: 'warn', applianceId: 'a1', examples: [{ service: 'kodo', metric: 'cpu_percent', why: 'name-taken' }] })]);
  });
});

describe('the cap on module series per appliance', () => {
  /** A module that invents a new metric name in every sample. */
  const inventive = (seq: number, n: number): ServiceMetricSample[] => Array.from({ length: n }, (_, i) => ({ service: 'rogue', metric: `m${seq}_${i}`, kind: 'gauge' as const, value: i }));

  it(`keeps the first ${MAX_SERVICE_SERIES_PER_APPLIANCE} series, drops the rest, and logs once an hour (sample time) while it goes on`, () => {
    const logger = createCapturingLogger();
    const ingest = createServiceMetricsIngest({ log: logger.log });
    const kept = new Set<string>();
    for (let seq = 1; seq <= 10; seq++) {
      for (const s of ingest.flatten('a1', sample(seq, [...kodo(seq), ...inventive(seq, 100)]))) kept.add(`${s.series.metric}{${s.series.labels!.service}}`);
    }
    expect(kept.size).toBe(MAX_SERVICE_SERIES_PER_APPLIANCE);
    // kodo's came first and keep coming: they are among the kept, and still written after the cap.
    expect(kept).toContain('service.ready{kodo}');
    expect(byName(ingest.flatten('a1', sample(11, kodo(11))))).toMatchObject({ 'service.ready{service=kodo}': 1, 'service.requests_per_s{service=kodo}': 0.1 });
    // 10 samples × (3 + 100) series offered, 256 kept (kodo's 3 + 253 of rogue's).
    expect(ingest.dropped('a1')).toBe(10 * 100 - (MAX_SERVICE_SERIES_PER_APPLIANCE - 3));
    const warnings = logger.records().filter((r) => r.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ applianceId: 'a1', maxSeriesPerAppliance: MAX_SERVICE_SERIES_PER_APPLIANCE });
    ingest.flatten('a1', sample(400, inventive(400, 1)));
    expect(logger.records().filter((r) => r.level === 'warn')).toHaveLength(2);
  });

  it('counts what the store already holds, so a console restart does not grant another full set', () => {
    const stored = Array.from({ length: 4 }, (_, i) => ({ metric: `service.old_${i}`, labels: { service: 'rogue' } }));
    // The supervisor's process series are not module series and do not count.
    stored.push({ metric: 'service.cpu_percent', labels: { service: 'kodo' } });
    const ingest = createServiceMetricsIngest({ log: createCapturingLogger().log, maxSeriesPerAppliance: 6, storedSeries: () => stored });
    const out = ingest.flatten('a1', sample(1, [...inventive(1, 5), { service: 'rogue', metric: 'old_2', kind: 'gauge', value: 7 }]));
    expect(Object.keys(byName(out)).sort()).toEqual(['service.m1_0{service=rogue}', 'service.m1_1{service=rogue}', 'service.old_2{service=rogue}']);
    expect(ingest.dropped('a1')).toBe(3);
  });
});

describe('units and the catalog', () => {
  it('every stored name has its unit: ready a 0/1 state, probe_ms ms, rates per second, bytes, plain counts', () => {
    expect(metricUnit('service.ready')).toBe('state');
    expect(metricUnit('service.probe_ms')).toBe('ms');
    expect(metricUnit('service.requests_per_s')).toBe('per_s');
    expect(metricUnit('service.sent_bytes_per_s')).toBe('bytes_per_s');
    expect(metricUnit('service.used_bytes')).toBe('bytes');
    expect(metricUnit('service.connections')).toBe('count');
    // The system series keep theirs.
    expect(metricUnit('fs.used_percent')).toBe('percent');
    expect(metricUnit('net.rx_bytes_per_s')).toBe('bytes_per_s');
    expect(metricUnit('temp.celsius')).toBe('celsius');
    expect(metricUnit('disk.read_await_ms')).toBe('ms');
    expect(metricUnit('load.1m')).toBe('count');
  });

  it('the process series flatten-sample writes under service.* are exactly the ones module metrics may not take', () => {
    const names = new Set(flattenSample('a1', sample(1, undefined)).map((s) => s.series.metric).filter((m) => m.startsWith('service.')));
    expect([...names].sort()).toEqual([...SERVICE_PROCESS_SERIES].sort());
    expect(isModuleSeries({ metric: 'service.rss_bytes', labels: { service: 'kodo' } })).toBe(false);
    expect(isModuleSeries({ metric: 'service.ready', labels: { service: 'kodo' } })).toBe(true);
  });

  it("the catalog's output schema takes a unit for every entry and refuses one without", () => {
    const out = metricsMethods['metrics.catalog'].output;
    expect(out.safeParse({ metrics: [{ metric: 'service.ready', labels: { service: 'kodo' }, unit: 'state' }] }).success).toBe(true);
    expect(out.safeParse({ metrics: [{ metric: 'service.ready', labels: { service: 'kodo' } }] }).success).toBe(false);
  });
});
