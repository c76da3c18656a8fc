import path from 'node:path';
import type { AgentClient } from '../agents/client/agent-client';
import { decodeResponse, successFrame } from '../agents/protocol/frames';
import type { MetricsResult, MetricsSample } from '../agents/protocol/payloads/metrics';
import { manualClock } from '../main/core/clock';
import { silentLogger } from '../main/core/log';
import { createMetricsCollector } from '../main/monitoring/metrics-collector';
import { openTelemetryStore } from '../main/telemetry/telemetry-store';
import { percentile, type Figure } from './report';

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const APPLIANCES = 1000;
const INTERVAL_MS = 10_000;
/** 100 rounds of the whole fleet: ~17 minutes of console time, so minute flushes are included. */
const ROUNDS = 100;

/** One appliance's sample as its agent reports it: 8 cores, 2 NICs, 4 disks and file systems, 5 services. */
function agentSample(a: number, seq: number, time: number): MetricsSample {
  const x = (k: number) => ((a * 7919 + seq * 104729 + k * 31) % 10_000) / 100;
  return {
    seq,
    time: new Date(time).toISOString(),
    intervalMs: INTERVAL_MS,
    cpu: { busyPercent: x(1), userPercent: x(2) / 2, systemPercent: x(3) / 4, iowaitPercent: x(4) / 10, stealPercent: 0, coresBusyPercent: Array.from({ length: 8 }, (_, i) => x(10 + i)) },
    load: { load1: x(5) / 10, load5: x(6) / 10, load15: x(7) / 10 },
    memory: { totalBytes: 64e9, availableBytes: 30e9 + x(8) * 1e8, usedBytes: 34e9 - x(8) * 1e8, buffersBytes: 1e9, cachedBytes: 20e9, swapTotalBytes: 0, swapUsedBytes: 0 },
    net: ['eth0', 'eth1'].map((name, i) => ({
      name,
      rxBytesPerSec: x(20 + i) * 1e6,
      txBytesPerSec: x(22 + i) * 1e6,
      rxPacketsPerSec: x(24 + i) * 1e3,
      txPacketsPerSec: x(26 + i) * 1e3,
      rxErrorsPerSec: 0,
      txErrorsPerSec: 0,
      rxDropsPerSec: 0,
      txDropsPerSec: 0,
    })),
    disks: ['sda', 'sdb', 'sdc', 'nvme0n1'].map((name, i) => ({
      name,
      sizeBytes: 4e12,
      readOpsPerSec: x(30 + i),
      writeOpsPerSec: x(34 + i),
      readBytesPerSec: x(38 + i) * 1e5,
      writeBytesPerSec: x(42 + i) * 1e5,
      utilPercent: x(46 + i),
      readAwaitMs: x(50 + i) / 10,
      writeAwaitMs: x(54 + i) / 10,
      inFlight: i,
    })),
    filesystems: ['/', '/srv/disks/d1', '/srv/disks/d2', '/srv/disks/d3'].map((mountpoint, i) => ({
      mountpoint,
      device: `/dev/sd${'abcd'[i]}1`,
      fsType: 'ext4',
      sizeBytes: 4e12,
      usedBytes: 1e12 + x(60 + i) * 1e9,
      availableBytes: 3e12 - x(60 + i) * 1e9,
      usePercent: 25 + x(60 + i) / 4,
      inodesTotal: 1e8,
      inodesUsed: 1e6,
      inodesUsePercent: 1,
      readOnly: false,
    })),
    temperatures: ['hwmon:coretemp/Package id 0', 'hwmon:nvme/Composite', 'thermal:x86_pkg_temp'].map((sensor, i) => ({ sensor, celsius: 40 + x(70 + i) / 5 })),
    services: ['kodo', 'cdn-cache', 'live', 'dora', 'agent-helper'].map((name, i) => ({ name, state: 'running', pid: 1000 + i, cpuPercent: x(80 + i), rssBytes: 5e8, processes: 4, restarts: 0, crashes: 0 })),
    agent: { cpuPercent: 0.3, rssBytes: 6e7 },
  };
}

/**
 * The console side of collection for 1,000 appliances, through the real code: each round every
 * appliance's agent answers `metrics.v1` with the sample it took (a JSON response frame, as on the
 * wire); the console decodes and validates it (agents/protocol `decodeResponse`, as the agent
 * client does), and the metrics collector (main/monitoring) flattens it into series, applies the
 * appliance's clock skew and writes the round in one batched transaction. CPU time of that work
 * per 10-second round, as a share of one core. The agents' side (building the JSON) and the SSH
 * transport are outside the measurement. Reference, same run: JSON.parse alone of the same frames.
 */
export async function runIntakeSimulation(dir: string): Promise<Figure[]> {
  const t0 = Date.UTC(2026, 5, 1, 0, 0, 5);
  const clock = manualClock(new Date(t0));
  const store = openTelemetryStore({ dataDir: path.join(dir, 'intake'), clock, log: silentLogger });
  const cursors = new Map<string, string>();
  const collector = createMetricsCollector({
    telemetry: store,
    cursors: { getMetricsCursor: (id) => cursors.get(id) ?? null, setMetricsCursor: (id, c) => void cursors.set(id, c) },
    log: silentLogger,
    flushDelayMs: 60_000, // the round's end flushes explicitly below
  });
  // Every appliance's clock is off by up to ±4 s; the watch measures it with some jitter.
  const skew = Array.from({ length: APPLIANCES }, (_, a) => ((a * 7907) % 8000) - 4000);
  const frames: string[] = new Array(APPLIANCES);
  const agents = Array.from({ length: APPLIANCES }, (_, a) => {
    const agent = {
      session: () => ({ protocol: 1, hello: { capabilities: { methods: ['metrics.v1'] } } }),
      call: async (method: string) => {
        if (method !== 'metrics.v1') throw new Error(`unexpected ${method}`);
        return decodeResponse('metrics.v1', frames[a]!);
      },
    };
    // Only session() and call('metrics.v1') are used by the collector.
    return agent as unknown as AgentClient;
  });
  const signal = new AbortController().signal;
  const cpuMs: number[] = [];
  const parseMs: number[] = [];
  let seriesPerRound = 0;
  const firstOpenMinute = store.frontiers().openMinute;
  for (let r = 0; r < ROUNDS; r++) {
    const time = t0 + r * INTERVAL_MS;
    // The agents' work: not measured.
    for (let a = 0; a < APPLIANCES; a++) {
      const result: MetricsResult = { historyId: `h${a}`, samples: [agentSample(a, r, time + skew[a]!)], next: `h${a}.${r}`, oldest: `h${a}.0`, newest: `h${a}.${r}`, gap: false, more: false, intervalMs: INTERVAL_MS };
      frames[a] = JSON.stringify(successFrame('metrics.v1', result, undefined));
    }
    clock.set(new Date(time + 2_000));
    const p0 = process.cpuUsage();
    for (let a = 0; a < APPLIANCES; a++) JSON.parse(frames[a]!);
    const p = process.cpuUsage(p0);
    parseMs.push((p.user + p.system) / 1000);
    const c0 = process.cpuUsage();
    for (let a = 0; a < APPLIANCES; a++) await collector.collect({ applianceId: `a${a}`, agent: agents[a]!, clockSkewMs: skew[a]! + ((r * 13 + a) % 40) - 20, signal });
    collector.flush();
    const c = process.cpuUsage(c0);
    cpuMs.push((c.user + c.system) / 1000);
    if (r === 0) seriesPerRound = store.appliances().reduce((n, id) => n + store.metrics(id).length, 0);
  }
  const stored = store.appliances().length;
  if (store.frontiers().openMinute - firstOpenMinute < 10) throw new Error('the store closed too few minutes: the simulation is not exercising minute flushes');
  store.close();
  if (stored !== APPLIANCES) throw new Error(`expected ${APPLIANCES} appliances in the store, found ${stored}`);
  const pct = (ms: number) => (ms / INTERVAL_MS) * 100;
  return [
    {
      name: `console CPU per 10 s round, ${APPLIANCES} appliances (${seriesPerRound} series, metrics.v1 decode + validate + flatten + skew + batched write), mean of ${ROUNDS}`,
      value: pct(mean(cpuMs)),
      unit: '% of one core',
      target: 10,
      reference: { name: 'JSON.parse alone of the same frames', value: pct(mean(parseMs)) },
    },
    { name: `  same, p95 round`, value: pct(percentile(cpuMs, 95)), unit: '% of one core', target: 10, reference: { name: 'JSON.parse alone, p95', value: pct(percentile(parseMs, 95)) } },
  ];
}
