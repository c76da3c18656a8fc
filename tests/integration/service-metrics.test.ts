/**
 * A service module's metrics from a real agent to the console's API: the agent's own command line
 * run from source with two echo modules (tests/fixtures/services/agent-with-echo-modules.ts), each a
 * real HTTP server its supervisor spawns and probes — echo-a ready, echo-b failing its probe — and a
 * console composed as the hosts compose it (makeConsole: real SQLite, real telemetry.sqlite). The
 * console's own metrics collector pulls `metrics.v1` by cursor from the agent's real control socket;
 * the one thing left out is the fleet watch's SSH leg, so the test hands the collector the agent
 * client the watch would have reached over SSH. Then metrics.catalog and metrics.series answer
 * through the dispatcher, and services.v1's readiness raises service-unready in the alert service.
 * Needs no root and no testbed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentClient, unixSocketOpener, type AgentClient } from '../../agents/client/agent-client';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import type { Alert } from '../../main/contract/alerts.contract';
import type { ApplianceStatus } from '../../main/contract/status.contract';
import { observe } from '../../main/monitoring/observations';
import { defaultResources } from '../../main/provision/provisioner';
import { echoPortId } from '../fixtures/services/echo-module';
import { freeTcpPort, prepareAgentHome, REPO_ROOT, socketAnswers, waitFor, type AgentHome } from '../helpers/agent-harness';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { makeTempDir } from '../helpers/temp-dir';

const ENTRY = path.join(REPO_ROOT, 'tests/fixtures/services/agent-with-echo-modules.ts');
/** The agent samples this often here (10 s in production), so a few seconds give several samples. */
const SAMPLE_EVERY_MS = 1000;

const work = makeTempDir('svc-metrics');
const ports: Record<string, number> = {};
let home: AgentHome;
let child: ChildProcess;
let exited: Promise<void>;
let agent: AgentClient;
let c: ReturnType<typeof makeConsole>;
let applianceId = '';

async function call<T>(method: string, input: unknown): Promise<T> {
  const r = await c.dispatcher.call(method as never, input as never, CTX);
  if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
  return r.result as T;
}

/** One collector pull, as the fleet watch runs it after a check (no watch.v1 carried: the collector asks metrics.v1 itself). */
async function pull(): Promise<void> {
  await c.monitoring.metrics.collect({ applianceId, agent, clockSkewMs: 0, signal: new AbortController().signal });
  c.monitoring.metrics.flush();
}

async function serviceOf(name: string): Promise<ServiceStatus> {
  const s = (await agent.call('services.v1')).services.find((x) => x.name === name);
  if (!s) throw new Error(`services.v1 has no ${name}`);
  return s;
}

type Series = { resolution: string; t: number[]; avg: number[] };
const series = (metric: string, service: string, from: number) =>
  call<Series>('metrics.series', { applianceId, metric, labels: { service }, from, to: Date.now() + 60_000, widthPoints: 5000 });

beforeAll(async () => {
  for (const id of ['echo-a', 'echo-b']) ports[echoPortId(id)] = await freeTcpPort();
  home = prepareAgentHome(path.join(work.dir, 'home'), { ports, monitor: { intervalMs: SAMPLE_EVERY_MS, smart: { enabled: false } } });
  child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--config', home.configPath], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('the test agent control socket', async () => {
    if (child.exitCode !== null) throw new Error(`agent exited (${child.exitCode}):\n${out}`);
    return (await socketAnswers(home.socketPath)) ? true : undefined;
  }, 20_000);
  agent = createAgentClient({ open: unixSocketOpener(home.socketPath), token: home.token, timeoutMs: 15_000 });
  await agent.hello('service-metrics-test');
  await agent.call('service-configure.v1', { id: 'echo-a', enabled: true });
  await agent.call('service-configure.v1', { id: 'echo-b', enabled: true, config: { failReady: true } });
  await waitFor('echo-a ready and echo-b unready', async () => {
    const [a, b] = [await serviceOf('echo-a'), await serviceOf('echo-b')];
    return a.readiness?.state === 'ready' && b.readiness?.state === 'unready' ? true : undefined;
  }, 20_000);

  c = makeConsole('svc-metrics-console', defaultResources(REPO_ROOT), true);
  applianceId = (await call<{ id: string }>('fleet.add', { name: 'svc-1', address: '10.9.9.1' })).id;
}, 60_000);

afterAll(async () => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
  c?.cleanup();
  work.cleanup();
});

describe('service module metrics in the console', () => {
  it('pulled by the console’s collector, every module metric is a series with the service label and a unit in the catalog', async () => {
    const from = Date.now() - 60_000;
    // Several samples with echo-a's counter moving: requests of ours on top of the agent's probes.
    for (let i = 0; i < 4; i++) {
      for (let r = 0; r < 5; r++) await fetch(`http://127.0.0.1:${ports['echo-a-http']}/`);
      await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
      await pull();
    }
    const catalog = await call<{ metrics: { metric: string; labels?: Record<string, string>; unit: string }[] }>('metrics.catalog', { applianceId });
    const of = (service: string) =>
      catalog.metrics
        .filter((m) => m.labels?.service === service && ['service.ready', 'service.probe_ms', 'service.requests_per_s'].includes(m.metric))
        .map((m) => `${m.metric} ${m.unit}`)
        .sort();
    expect(of('echo-a')).toEqual(['service.probe_ms ms', 'service.ready state', 'service.requests_per_s per_s']);
    // echo-b fails its probe: the agent reads no module metrics of a service that does not answer.
    expect(of('echo-b')).toEqual(['service.probe_ms ms', 'service.ready state']);
    // The supervisor's process series stay what they were, beside them.
    expect(catalog.metrics).toContainEqual({ metric: 'service.rss_bytes', labels: { service: 'echo-a' }, unit: 'bytes' });
    expect(catalog.metrics.every((m) => typeof m.unit === 'string')).toBe(true);

    const readyA = await series('service.ready', 'echo-a', from);
    const readyB = await series('service.ready', 'echo-b', from);
    expect(readyA.resolution).toBe('raw');
    expect(readyA.avg.length).toBeGreaterThanOrEqual(3);
    // The history starts before the servers listened (a probe may have failed then): the newest say how they are now.
    expect(readyA.avg.slice(-3)).toEqual([1, 1, 1]);
    expect(readyB.avg.length).toBeGreaterThanOrEqual(3);
    expect(readyB.avg.slice(-3)).toEqual([0, 0, 0]);
    const probe = await series('service.probe_ms', 'echo-a', from);
    expect(probe.avg.every((v) => v >= 0 && v < 1000)).toBe(true); // ms, within the module's 1 s timeout
    // The newest sample the collector keeps for the alert rules does not carry the module metrics.
    expect(c.monitoring.metrics.latest(applianceId)?.serviceMetrics).toBeUndefined();
  }, 60_000);

  it('the stored rates add up to how far the agent’s counter moved between the samples', async () => {
    const from = Date.now() - 120_000;
    const rates = await series('service.requests_per_s', 'echo-a', from);
    expect(rates.t.length).toBeGreaterThanOrEqual(2);
    // The agent's own history, read directly: echo-a's requests_total at each sample time.
    const history = await agent.call('metrics.v1', { limit: 1000 });
    const counter = new Map<number, number>();
    for (const s of history.samples) {
      const v = s.serviceMetrics?.find((m) => m.service === 'echo-a' && m.metric === 'requests_total')?.value;
      if (v !== undefined) counter.set(Date.parse(s.time), v);
    }
    const times = [...counter.keys()].sort((a, b) => a - b);
    // Every stored rate sits at a sample time; its rate × the time since the sample before it is the counter's step.
    for (let i = 0; i < rates.t.length; i++) {
      const t = rates.t[i]!;
      const k = times.indexOf(t);
      expect(k, `a rate at ${new Date(t).toISOString()} that is no sample's time`).toBeGreaterThan(0);
      const step = counter.get(t)! - counter.get(times[k - 1]!)!;
      expect(rates.avg[i]! * ((t - times[k - 1]!) / 1000)).toBeCloseTo(step, 6);
    }
    expect(Math.max(...rates.avg)).toBeGreaterThan(0);
  }, 30_000);

  it('a module running but failing its probe raises service-unready, named, with what the probe saw', async () => {
    await call('alerts.updateRule', { id: 'service-unready', durationSeconds: 0 });
    const [health, services] = [await agent.call('health.v1'), (await agent.call('services.v1')).services];
    const now = new Date().toISOString();
    // The status the fleet watch would keep after a check that reached this agent.
    const status: ApplianceStatus = {
      applianceId,
      state: 'degraded',
      since: now,
      reason: null,
      reasonCode: null,
      reasonParams: {},
      checkedAt: now,
      lastSeenAt: now,
      agentSeenAt: now,
      agent: { version: '0', pid: health.pid, startedAt: health.startedAt },
      clockSkewMs: 0,
      health,
      services,
    };
    c.alerts.observe([observe(status, 'svc-1', c.monitoring.metrics.latest(applianceId), [])]);
    const { alerts } = await call<{ alerts: Alert[] }>('alerts.list', {});
    const unready = alerts.filter((a) => a.ruleId === 'service-unready');
    expect(unready).toEqual([
      expect.objectContaining({ subject: 'echo-b', state: 'firing', severity: 'critical', params: expect.objectContaining({ probe: `http:${ports['echo-b-http']}/ready`, message: 'GET /ready answered HTTP 503' }) }),
    ]);
    expect(Number(unready[0]!.params.failures)).toBeGreaterThan(0);
  }, 30_000);
});
