/**
 * The parts of service modules that need no agent: the readiness tracker's states over a fake
 * clock, the probes against real sockets on this machine (a port that answers, one that refuses,
 * an HTTP 503, a server that never answers), the registry's refusals, and module metrics in the
 * Prometheus text. The whole agent with real services: tests/integration/agent-service-modules.
 */
import http from 'node:http';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Clock } from '../../agents/agent/clock';
import { renderExposition } from '../../agents/agent/monitor/prometheus';
import { describeProbe, runProbe } from '../../agents/agent/services/readiness-probe';
import { createReadinessTracker } from '../../agents/agent/services/readiness-tracker';
import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import { createServiceRegistry, PRODUCTION_SERVICE_MODULES } from '../../agents/services/registry';
import { createEchoModule } from '../fixtures/services/echo-module';
import { freeTcpPort } from '../helpers/free-port';

function manualClock(start = Date.parse('2026-01-02T03:04:05.000Z')) {
  let now = start;
  const clock: Clock = { now: () => now, setTimer: () => ({ id: 0 }), clearTimer: () => undefined };
  return { clock, advance: (ms: number) => (now += ms) };
}

const fail = { ok: false, ms: 1, message: 'connect refused' };
const pass = { ok: true, ms: 1, message: null };

describe('readiness tracker', () => {
  it('is pending within the start-up grace, unready after it, ready on the first success', () => {
    const t = manualClock();
    const r = createReadinessTracker(t.clock);
    const run = { state: 'running', pid: 100, startedAt: new Date(t.clock.now()).toISOString() };
    r.runningAs(100, run.startedAt, 'tcp:9000');
    r.record(fail, 1000);
    expect(r.view(run)).toMatchObject({ state: 'pending', consecutiveFailures: 1, message: 'connect refused', probe: 'tcp:9000' });
    t.advance(1500);
    r.record(fail, 1000);
    expect(r.view(run)).toMatchObject({ state: 'unready', consecutiveFailures: 2 });
    r.record(pass, 1000);
    expect(r.view(run)).toMatchObject({ state: 'ready', consecutiveFailures: 0, message: null });
  });

  it('a failure after being ready is unready at once, grace or not', () => {
    const t = manualClock();
    const r = createReadinessTracker(t.clock);
    const run = { state: 'running', pid: 7, startedAt: new Date(t.clock.now()).toISOString() };
    r.runningAs(7, run.startedAt, 'tcp:1');
    r.record(pass, 60_000);
    r.record(fail, 60_000);
    expect(r.view(run).state).toBe('unready');
  });

  it("never shows one run's answer for the next: a new pid is pending until probed, a stopped service not-running", () => {
    const t = manualClock();
    const r = createReadinessTracker(t.clock);
    r.runningAs(7, null, 'tcp:1');
    r.record(pass, 0);
    expect(r.view({ state: 'running', pid: 8, startedAt: null }).state).toBe('pending');
    expect(r.view({ state: 'stopped', pid: null, startedAt: null }).state).toBe('not-running');
    r.runningAs(8, null, 'tcp:1');
    expect(r.view({ state: 'running', pid: 8, startedAt: null }).state).toBe('pending');
  });
});

describe('readiness probes on real sockets', () => {
  let tcp: net.Server;
  let web: http.Server;
  let silent: net.Server;
  const ports = { tcp: 0, web: 0, silent: 0, closed: 0 };

  beforeAll(async () => {
    const listen = (server: net.Server) => new Promise<number>((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
    tcp = net.createServer((s) => s.end());
    web = http.createServer((req, res) => res.writeHead(req.url === '/ready' ? 200 : 503).end());
    // Accepts the connection and never answers: an HTTP probe must time out.
    silent = net.createServer(() => undefined);
    ports.tcp = await listen(tcp);
    ports.web = await listen(web);
    ports.silent = await listen(silent);
    ports.closed = await freeTcpPort();
  });

  afterAll(() => {
    for (const s of [tcp, web, silent]) s.close();
    web.closeAllConnections();
  });

  it('passes a TCP probe on a listening port and fails one on a closed port, saying why', async () => {
    expect(await runProbe({ kind: 'tcp', port: ports.tcp }, 1000)).toMatchObject({ ok: true, message: null });
    const refused = await runProbe({ kind: 'tcp', port: ports.closed }, 1000);
    expect(refused).toMatchObject({ ok: false, message: `connect to 127.0.0.1:${ports.closed} failed: ECONNREFUSED` });
  });

  it('passes an HTTP probe on 2xx only, and times out on a server that never answers', async () => {
    expect((await runProbe({ kind: 'http', port: ports.web, path: '/ready' }, 1000)).ok).toBe(true);
    expect(await runProbe({ kind: 'http', port: ports.web, path: '/other' }, 1000)).toMatchObject({ ok: false, message: 'GET /other answered HTTP 503' });
    const started = performance.now();
    expect(await runProbe({ kind: 'http', port: ports.silent, path: '/ready' }, 300)).toMatchObject({ ok: false, message: 'no answer within 300 ms' });
    expect(performance.now() - started).toBeLessThan(2000);
    expect(describeProbe({ kind: 'http', port: 9000, path: '/ready' })).toBe('http:9000/ready');
  });
});

describe('service registry', () => {
  it('ships Kodo, the one module that runs a real service so far; no test module stands in the production registry', () => {
    expect(PRODUCTION_SERVICE_MODULES.map((m) => m.id)).toEqual(['kodo']);
    expect(createServiceRegistry(PRODUCTION_SERVICE_MODULES).get('kodo')?.roles).toEqual(['server']);
  });

  it('refuses two modules with one id, and an id that is not a service name', () => {
    expect(() => createServiceRegistry([createEchoModule('echo'), createEchoModule('echo')])).toThrow(/two service modules have the id "echo"/);
    expect(() => createServiceRegistry([createEchoModule('Echo_1')])).toThrow(/must be lower-case letters/);
    expect(createServiceRegistry([createEchoModule('echo-a'), createEchoModule('echo-b')]).ids()).toEqual(['echo-a', 'echo-b']);
  });
});

describe('module metrics on /metrics', () => {
  it('exports each as appliance_service_<id>_<metric> with its type', () => {
    const sample = {
      seq: 1, time: '2026-01-02T03:04:05.000Z', intervalMs: 10_000,
      cpu: { busyPercent: null, userPercent: null, systemPercent: null, iowaitPercent: null, stealPercent: null, coresBusyPercent: [] },
      load: { load1: 0, load5: 0, load15: 0 },
      memory: { totalBytes: 1, availableBytes: 1, usedBytes: 0, buffersBytes: 0, cachedBytes: 0, swapTotalBytes: 0, swapUsedBytes: 0 },
      net: [], disks: [], filesystems: [], temperatures: [], services: [], agent: { cpuPercent: null, rssBytes: 1 },
      serviceMetrics: [
        { service: 'cdn-cache', metric: 'ready', kind: 'gauge', value: 1 },
        { service: 'cdn-cache', metric: 'requests_total', kind: 'counter', value: 42 },
      ],
    } satisfies MetricsSample;
    const text = renderExposition({ sample, reading: null, ticksPerSecond: 100 });
    expect(text).toMatch(/^# TYPE appliance_service_cdn_cache_ready gauge\nappliance_service_cdn_cache_ready 1$/m);
    expect(text).toMatch(/^# TYPE appliance_service_cdn_cache_requests_total counter\nappliance_service_cdn_cache_requests_total 42$/m);
  });
});
