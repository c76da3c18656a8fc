/**
 * What one check costs on the wire, against a scripted agent on a real Unix socket (the real agent
 * client, fleet watch, metrics collector and SQLite store): an agent that offers `watch.v1` is
 * asked once per round — health, services and the metrics after the collector's cursor in one call,
 * on one kept stream — and an older agent without it is asked health.v1, services.v1 and
 * metrics.v1 as before, with the same result.
 */
import http from 'node:http';
import path from 'node:path';
import type { Client } from 'ssh2';
import { afterEach, describe, expect, it } from 'vitest';
import { createAgentClient, KEPT_STREAM_IDLE_MS, unixSocketOpener } from '../../agents/client/agent-client';
import type { RequestFrame } from '../../agents/protocol/frames';
import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import { createFleetWatch } from '../../main/connectivity/fleet-watch';
import { manualClock } from '../../main/core/clock';
import { createEventBus } from '../../main/core/event-bus';
import { silentLogger } from '../../main/core/log';
import { createMetricsCollector } from '../../main/monitoring/metrics-collector';
import type { HostKeyTrust } from '../../main/reach/host-key-trust';
import { createApplianceStatusStore } from '../../main/store/appliance-status-store';
import { createApplianceStore } from '../../main/store/appliance-store';
import { openDatabase } from '../../main/store/database';
import type { SampleBatch } from '../../main/telemetry/telemetry-types';
import { makeTempDir } from '../helpers/temp-dir';

const STARTED = '2026-03-01T07:00:00.000Z';
// No inventory.v1: the client refuses it without sending anything, so the requests are the round's alone.
const ALL_METHODS = ['hello', 'health.v1', 'services.v1', 'metrics.v1', 'watch.v1'];

function sample(seq: number): MetricsSample {
  return {
    seq,
    time: new Date(Date.parse('2026-03-01T08:00:00.000Z') + seq * 10_000).toISOString(),
    intervalMs: 10_000,
    cpu: { busyPercent: 5, userPercent: 3, systemPercent: 2, iowaitPercent: 0, stealPercent: 0, coresBusyPercent: [5] },
    load: { load1: 0.1, load5: 0.1, load15: 0.1 },
    memory: { totalBytes: 1000, availableBytes: 500, usedBytes: 500, buffersBytes: 0, cachedBytes: 0, swapTotalBytes: 0, swapUsedBytes: 0 },
    net: [],
    disks: [],
    filesystems: [],
    temperatures: [],
    services: [],
    agent: { cpuPercent: 0.1, rssBytes: 50_000_000 },
  };
}

/** An agent with a history of samples 1..`newest`; `methods` is what its hello announces. */
function scriptedAgent(socketPath: string, methods: string[]) {
  const requests: RequestFrame[] = [];
  const state = { newest: 3, streams: 0 };
  const health = () => ({ status: 'ok', reasons: [], startedAt: STARTED, uptimeSeconds: 3600, now: new Date().toISOString(), pid: 42 });
  const metrics = (params: { after?: string; limit?: number }) => {
    const after = params.after ? Number(params.after.split('.')[1]) : 0;
    const samples = [];
    for (let seq = after + 1; seq <= state.newest && samples.length < (params.limit ?? 360); seq++) samples.push(sample(seq));
    const last = samples.length ? samples[samples.length - 1]!.seq : after;
    return { historyId: 'h', samples, next: last ? `h.${last}` : null, oldest: 'h.1', newest: `h.${state.newest}`, gap: false, more: last < state.newest, intervalMs: 10_000 };
  };
  const answer = (f: RequestFrame): unknown => {
    const p = (f.params ?? {}) as { metrics?: { after?: string; limit?: number } };
    switch (f.method) {
      case 'hello':
        return { agent: 'appliance-agent', agentVersion: '0.1.0', protocol: 1, protocols: [1], capabilities: { methods, features: [] }, limits: { maxRequestBytes: 65536 }, hostname: 'a1', startedAt: STARTED };
      case 'health.v1':
        return health();
      case 'services.v1':
        return { services: [] };
      case 'metrics.v1':
        return metrics(p as { after?: string; limit?: number });
      case 'watch.v1':
        return { health: health(), services: [], metrics: p.metrics ? metrics(p.metrics) : null };
      default:
        return null;
    }
  };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const frame = JSON.parse(body) as RequestFrame;
      requests.push(frame);
      const result = answer(frame);
      const text = JSON.stringify(result === null ? { protocol: 1, ok: false, error: { code: 'internal', message: 'not in this script' } } : { protocol: 1, ok: true, method: frame.method, result });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    });
  });
  server.on('connection', () => (state.streams += 1));
  return {
    requests,
    state,
    listen: () => new Promise<void>((r) => server.listen(socketPath, () => r())),
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function watchOf(methods: string[]) {
  const tmp = makeTempDir('watch-calls');
  const agent = scriptedAgent(path.join(tmp.dir, 'agent.sock'), methods);
  await agent.listen();
  const db = openDatabase({ dataDir: tmp.dir, clock: manualClock(), log: silentLogger });
  cleanups.push(tmp.cleanup, () => void db.close(), agent.close);
  createApplianceStore(db).insert('a1', { name: 'a1', address: '10.0.0.1', port: 22, user: 'root', role: 'server', tags: [], notes: '' }, STARTED);
  const status = createApplianceStatusStore(db);
  const written: SampleBatch[] = [];
  const metrics = createMetricsCollector({
    telemetry: { write: (batches) => (written.push(...batches), { added: batches.reduce((n, b) => n + b.samples.length, 0), duplicates: 0, invalid: 0, tooOld: 0 }) },
    cursors: status,
    log: silentLogger,
  });
  const client = createAgentClient({ open: unixSocketOpener(path.join(tmp.dir, 'agent.sock')), token: 't'.repeat(32), timeoutMs: 5000, idleMs: KEPT_STREAM_IDLE_MS });
  const trust: HostKeyTrust = { accepted: () => [], changed: () => null, observe: () => undefined, accept: () => ({ replaced: null }), onChange: () => () => true, refresh: () => undefined };
  const watch = createFleetWatch({
    appliances: createApplianceStore(db),
    status,
    // The SSH side is not what this test is about: the agent is reached over its socket directly.
    reach: { connection: async () => ({}) as Client, agent: async () => client, hasAgent: () => true, forget: () => undefined, trust },
    events: createEventBus(),
    clock: { now: () => new Date() },
    log: silentLogger,
    collectors: [metrics.collect],
  });
  return { agent, watch, metrics, status, written };
}

describe('what a check asks the agent', () => {
  it('asks an agent that offers watch.v1 once per round, carrying the metrics after the collector’s cursor, on one kept stream', async () => {
    const { agent, watch, metrics, status, written } = await watchOf(ALL_METHODS);
    expect((await watch.check('a1')).state).toBe('online');
    metrics.flush();
    expect(agent.requests.map((r) => r.method)).toEqual(['hello', 'watch.v1']);
    expect(agent.requests[1]!.params).toEqual({ metrics: { limit: 60 } });
    expect(written.flatMap((b) => b.samples).length).toBeGreaterThan(0);
    expect(status.getMetricsCursor('a1')).toBe('h.3');

    agent.state.newest = 4;
    agent.requests.length = 0;
    expect((await watch.check('a1')).state).toBe('online');
    metrics.flush();
    expect(agent.requests.map((r) => [r.method, r.params])).toEqual([['watch.v1', { metrics: { after: 'h.3', limit: 60 } }]]);
    expect(status.getMetricsCursor('a1')).toBe('h.4');
    expect(agent.state.streams).toBe(1);
  });

  it('continues a backfill longer than the watch page with metrics.v1', async () => {
    const { agent, watch, metrics, status } = await watchOf(ALL_METHODS);
    agent.state.newest = 150;
    await watch.check('a1');
    metrics.flush();
    expect(agent.requests.map((r) => r.method)).toEqual(['hello', 'watch.v1', 'metrics.v1']);
    expect(agent.requests[2]!.params).toEqual({ after: 'h.60', limit: 1000 });
    expect(status.getMetricsCursor('a1')).toBe('h.150');
  });

  it('asks an older agent without watch.v1 health.v1, services.v1 and metrics.v1, with the same result', async () => {
    const { agent, watch, metrics, status, written } = await watchOf(ALL_METHODS.filter((m) => m !== 'watch.v1'));
    const s = await watch.check('a1');
    expect(s).toMatchObject({ state: 'online', agent: { version: '0.1.0', pid: 42 }, health: { status: 'ok' }, services: [] });
    metrics.flush();
    expect(agent.requests.map((r) => r.method)).toEqual(['hello', 'health.v1', 'services.v1', 'metrics.v1']);
    expect(written.flatMap((b) => b.samples).length).toBeGreaterThan(0);
    expect(status.getMetricsCursor('a1')).toBe('h.3');
  });
});
