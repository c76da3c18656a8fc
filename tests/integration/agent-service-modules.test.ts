/**
 * Service modules in the real agent process: the agent's own command line and composition root
 * (agents/agent/agent-main.ts) run from source with two test modules, echo-a and echo-b
 * (tests/fixtures/services/echo-module.ts), each a real HTTP server the real supervisor spawns.
 * Over the real control socket: configure (refused with field issues and nothing written; accepted,
 * written, and only that service restarted or reloaded), start/stop/restart, the readiness probe
 * feeding services.v1 and health.v1, module metrics through metrics.v1's cursor and /metrics,
 * agent-settings.v1, the files surviving an agent restart, and an older console reading services.v1.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentClient, unixSocketOpener, type AgentClient } from '../../agents/client/agent-client';
import { AgentError } from '../../agents/protocol/errors';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import { ServicesResultSchema as ServicesResultAsReleased } from '../fixtures/services/services-v1-as-released';
import { echoPortId } from '../fixtures/services/echo-module';
import { freeTcpPort, isRunning, prepareAgentHome, socketAnswers, waitFor, REPO_ROOT, type AgentHome } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';

const ENTRY = path.join(REPO_ROOT, 'tests/fixtures/services/agent-with-echo-modules.ts');
const work = makeTempDir('agent-svc');
let home: AgentHome;
let servicesFile: string;
let settingsFile: string;
const ports: Record<string, number> = {};
let agent: TestAgent;
const strays = new Set<number>();

interface TestAgent {
  child: ChildProcess;
  pid: number;
  client: AgentClient;
  output(): string;
  stop(): Promise<void>;
}

/** The agent with the test modules (TEST_SERVICE_MODULES: echo-a,echo-b unless `modules` says otherwise). */
async function startTestAgent(agentHome: AgentHome = home, modules?: string): Promise<TestAgent> {
  const env = { ...process.env, ...(modules ? { TEST_SERVICE_MODULES: modules } : {}) };
  const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--config', agentHome.configPath], { cwd: REPO_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await waitFor('the test agent control socket', async () => {
    if (child.exitCode !== null) throw new Error(`agent exited (${child.exitCode}):\n${out}`);
    return (await socketAnswers(agentHome.socketPath)) ? true : undefined;
  }, 20_000);
  return {
    child,
    pid: child.pid!,
    client: createAgentClient({ open: unixSocketOpener(agentHome.socketPath), token: agentHome.token, timeoutMs: 15_000 }),
    output: () => out,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function services(on: TestAgent = agent): Promise<ServiceStatus[]> {
  return (await on.client.call('services.v1')).services;
}

async function serviceOf(name: string, on: TestAgent = agent): Promise<ServiceStatus> {
  const s = (await services(on)).find((x) => x.name === name);
  if (!s) throw new Error(`services.v1 has no ${name}`);
  return s;
}

/** Waits until the service runs with a pid other than `notPid` and its probe passed. */
function readyWith(name: string, notPid: number | null = null, on: TestAgent = agent): Promise<ServiceStatus> {
  return waitFor(`${name} running and ready`, async () => {
    const s = await serviceOf(name, on);
    if (s.pid !== null) strays.add(s.pid);
    return s.state === 'running' && s.pid !== notPid && s.readiness?.state === 'ready' ? s : undefined;
  });
}

async function getJson(port: number, urlPath: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${port}${urlPath}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function rejection(p: Promise<unknown>): Promise<AgentError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(AgentError);
    return err as AgentError;
  }
  throw new Error('expected the call to fail');
}

beforeAll(async () => {
  for (const id of ['echo-a', 'echo-b']) ports[echoPortId(id)] = await freeTcpPort();
  home = prepareAgentHome(path.join(work.dir, 'home'), { ports, monitor: { intervalMs: 1000, smart: { enabled: false } } });
  servicesFile = path.join(path.dirname(home.configPath), 'services.json');
  settingsFile = path.join(path.dirname(home.configPath), 'settings.json');
  agent = await startTestAgent();
});

afterAll(async () => {
  await agent?.stop();
  for (const pid of strays) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  work.cleanup();
});

describe('service modules in the agent', () => {
  it('lists every module of the registry, disabled until configured, with its ports and version; hello announces the feature', async () => {
    const hello = await agent.client.hello('test');
    expect(hello.capabilities.methods).toEqual(expect.arrayContaining(['service-configure.v1', 'service-start.v1', 'service-stop.v1', 'service-restart.v1', 'agent-settings.v1']));
    expect(hello.capabilities.features).toContain('service-modules');
    const list = await services();
    expect(list.map((s) => s.name)).toEqual(['echo-a', 'echo-b']);
    expect(list[0]).toMatchObject({ module: 'echo-a', enabled: false, state: 'stopped', pid: null, version: '1.0.0-test', ports: [{ id: 'echo-a-http', port: ports['echo-a-http'] }], readiness: { state: 'not-running' } });
    expect(fs.existsSync(servicesFile)).toBe(false);
  });

  it('refuses an invalid config with one issue per field, before writing anything', async () => {
    const err = await rejection(agent.client.call('service-configure.v1', { id: 'echo-a', enabled: true, config: { message: '', failReady: 'yes', colour: 'red' } }));
    expect(err.code).toBe('invalid-input');
    expect(err.issues?.map((i) => i.path).sort()).toEqual(['config', 'config.failReady', 'config.message']);
    expect(err.issues?.find((i) => i.path === 'config')?.code).toBe('unrecognized-keys');
    expect(fs.existsSync(servicesFile)).toBe(false);
    expect((await serviceOf('echo-a')).state).toBe('stopped');
  });

  it('an unknown service id is a clear invalid-input naming the services there are', async () => {
    for (const call of [agent.client.call('service-configure.v1', { id: 'kodo', enabled: true }), agent.client.call('service-restart.v1', { id: 'kodo' })]) {
      const err = await rejection(call);
      expect(err.code).toBe('invalid-input');
      expect(err.issues).toEqual([expect.objectContaining({ path: 'id', code: 'unknown-service' })]);
      expect(err.message).toContain('echo-a, echo-b');
    }
  });

  it('enables both with their config: written to services.json, started, probed ready', async () => {
    const a = await agent.client.call('service-configure.v1', { id: 'echo-a', enabled: true, config: { message: 'one' } });
    expect(a.outcome).toBe('started');
    expect(a.config).toEqual({ message: 'one', banner: '', failReady: false });
    expect(a.file).toBe(servicesFile);
    await agent.client.call('service-configure.v1', { id: 'echo-b', enabled: true });
    const [sa, sb] = [await readyWith('echo-a'), await readyWith('echo-b')];
    expect(sa.enabled).toBe(true);
    expect(JSON.parse(fs.readFileSync(servicesFile, 'utf8'))).toEqual({ configVersion: 1, services: { 'echo-a': { enabled: true, config: { message: 'one' } }, 'echo-b': { enabled: true, config: {} } } });
    expect((await getJson(ports['echo-a-http']!, '/')).body).toMatchObject({ message: 'one', pid: sa.pid });
    expect((await getJson(ports['echo-b-http']!, '/')).body).toMatchObject({ message: 'hello', pid: sb.pid });
    expect((await agent.client.call('health.v1')).status).toBe('ok');
  });

  it('a refused config leaves services.json byte for byte as it was and the service untouched', async () => {
    const before = fs.readFileSync(servicesFile);
    const pid = (await serviceOf('echo-a')).pid;
    const err = await rejection(agent.client.call('service-configure.v1', { id: 'echo-a', enabled: true, config: { banner: 'x'.repeat(101) } }));
    expect(err.issues?.map((i) => i.path)).toEqual(['config.banner']);
    expect(fs.readFileSync(servicesFile).equals(before)).toBe(true);
    expect((await serviceOf('echo-a')).pid).toBe(pid);
  });

  it('a config change restarts that service only: its pid changes, the other service and the agent keep theirs', async () => {
    const a = await serviceOf('echo-a');
    const b = await serviceOf('echo-b');
    const health = await agent.client.call('health.v1');
    const result = await agent.client.call('service-configure.v1', { id: 'echo-a', enabled: true, config: { message: 'one', banner: 'second run' } });
    expect(result.outcome).toBe('restarted');
    const a2 = await readyWith('echo-a', a.pid);
    expect(a2.pid).not.toBe(a.pid);
    expect(isRunning(a.pid!)).toBe(false);
    expect((await getJson(ports['echo-a-http']!, '/')).body).toMatchObject({ banner: 'second run', pid: a2.pid });
    expect((await serviceOf('echo-b')).pid).toBe(b.pid);
    expect((await agent.client.call('health.v1')).pid).toBe(health.pid);
    expect(health.pid).toBe(agent.pid);
  });

  it('a change the module can reload is applied by its signal, without a restart', async () => {
    const a = await serviceOf('echo-a');
    const result = await agent.client.call('service-configure.v1', { id: 'echo-a', enabled: true, config: { message: 'reloaded', banner: 'second run' } });
    expect(result.outcome).toBe('reloaded');
    await waitFor('the new message', async () => ((await getJson(ports['echo-a-http']!, '/')).body.message === 'reloaded' ? true : undefined));
    expect((await serviceOf('echo-a')).pid).toBe(a.pid);
    // Sending the same config again changes nothing.
    expect((await agent.client.call('service-configure.v1', { id: 'echo-a', enabled: true, config: { message: 'reloaded', banner: 'second run' } })).outcome).toBe('unchanged');
  });

  it('a failing readiness probe shows in services.v1 and turns health.v1 degraded with the service named; fixed, both recover', async () => {
    await agent.client.call('service-configure.v1', { id: 'echo-b', enabled: true, config: { failReady: true } });
    const unready = await waitFor('echo-b unready', async () => {
      const s = await serviceOf('echo-b');
      return s.readiness?.state === 'unready' ? s : undefined;
    });
    expect(unready.state).toBe('running');
    expect(unready.readiness).toMatchObject({ probe: `http:${ports['echo-b-http']}/ready`, message: 'GET /ready answered HTTP 503' });
    const health = await agent.client.call('health.v1');
    expect(health.status).toBe('degraded');
    expect(health.reasons).toEqual([expect.objectContaining({ code: 'service-unready', subject: 'echo-b' })]);
    // watch.v1 (what the console's fleet watch asks) says the same.
    expect((await agent.client.call('watch.v1', {})).health.reasons[0]?.code).toBe('service-unready');

    await agent.client.call('service-configure.v1', { id: 'echo-b', enabled: true, config: {} });
    await readyWith('echo-b', unready.pid);
    expect((await agent.client.call('health.v1')).status).toBe('ok');
  });

  it('stops, starts and restarts one service on request', async () => {
    const b = await serviceOf('echo-b');
    const stopped = await agent.client.call('service-stop.v1', { id: 'echo-b' });
    expect(stopped.outcome).toBe('stopped');
    expect(stopped.service).toMatchObject({ state: 'stopped', pid: null, enabled: true });
    expect(isRunning(b.pid!)).toBe(false);
    expect((await agent.client.call('service-stop.v1', { id: 'echo-b' })).outcome).toBe('unchanged');
    // A stopped service is not "unready": nothing runs to probe, and the agent is not degraded by it.
    await waitFor('echo-b not-running', async () => ((await serviceOf('echo-b')).readiness?.state === 'not-running' ? true : undefined));
    expect((await agent.client.call('health.v1')).status).toBe('ok');

    expect((await agent.client.call('service-start.v1', { id: 'echo-b' })).outcome).toBe('started');
    const started = await readyWith('echo-b', b.pid);
    expect((await agent.client.call('service-start.v1', { id: 'echo-b' })).outcome).toBe('unchanged');

    expect((await agent.client.call('service-restart.v1', { id: 'echo-b' })).outcome).toBe('restarted');
    const restarted = await readyWith('echo-b', started.pid);
    expect(restarted.pid).not.toBe(started.pid);
  });

  it("reports each module's metrics in metrics.v1 samples after the cursor", async () => {
    const first = await agent.client.call('metrics.v1', { limit: 1000 });
    const cursor = first.next!;
    await getJson(ports['echo-a-http']!, '/');
    const later = await waitFor('a sample with echo-a metrics after the cursor', async () => {
      const page = await agent.client.call('metrics.v1', { after: cursor });
      return page.samples.find((s) => s.serviceMetrics?.some((m) => m.service === 'echo-a' && m.metric === 'requests_total')) ?? undefined;
    });
    expect(later.seq).toBeGreaterThan(Number(cursor.split('.')[1]));
    const of = (metric: string) => later.serviceMetrics?.find((m) => m.service === 'echo-a' && m.metric === metric);
    expect(of('ready')).toMatchObject({ kind: 'gauge', value: 1 });
    expect(of('probe_ms')?.value).toBeGreaterThanOrEqual(0);
    expect(of('requests_total')).toMatchObject({ kind: 'counter' });
    expect(of('requests_total')!.value).toBeGreaterThan(0);
  });

  it('agent-settings.v1 turns /metrics on without editing agent.json, serves module metrics there, and refuses bad settings unwritten', async () => {
    const initial = await agent.client.call('agent-settings.v1', {});
    expect(initial).toMatchObject({ file: null, restartPending: false, applyError: null, path: settingsFile, changed: false });
    expect(initial.running.prometheus.enabled).toBe(false);
    const agentJsonBefore = fs.readFileSync(home.configPath);

    const port = await freeTcpPort();
    const on = await agent.client.call('agent-settings.v1', { set: { prometheus: { enabled: true, port } } });
    expect(on).toMatchObject({ changed: true, restartPending: false, applyError: null });
    expect(on.running.prometheus).toEqual({ enabled: true, host: '127.0.0.1', port, requireToken: false });
    expect(JSON.parse(fs.readFileSync(settingsFile, 'utf8'))).toEqual({ prometheus: { enabled: true, host: '127.0.0.1', port, requireToken: false } });
    expect(fs.readFileSync(home.configPath).equals(agentJsonBefore)).toBe(true);
    expect((await agent.client.hello('test')).capabilities.features).toContain('prometheus');
    const text = await waitFor('module metrics on /metrics', async () => {
      const body = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      return body.includes('appliance_service_echo_a_requests_total') ? body : undefined;
    });
    expect(text).toMatch(/^# TYPE appliance_service_echo_a_ready gauge$/m);
    expect(text).toMatch(/^appliance_service_echo_a_ready 1$/m);

    const settingsBefore = fs.readFileSync(settingsFile);
    const err = await rejection(agent.client.call('agent-settings.v1', { set: { prometheus: { host: '0.0.0.0' } } }));
    expect(err.code).toBe('invalid-input');
    expect(err.issues?.map((i) => i.path)).toEqual(['set.prometheus.requireToken']);
    expect(fs.readFileSync(settingsFile).equals(settingsBefore)).toBe(true);

    // A port that is taken: written (it is what was asked), not running, and the answer says so.
    const busy = await agent.client.call('agent-settings.v1', { set: { prometheus: { port: ports['echo-a-http'] } } });
    expect(busy.file?.prometheus.port).toBe(ports['echo-a-http']);
    expect(busy.running.prometheus.enabled).toBe(false);
    expect(busy.restartPending).toBe(true);
    expect(busy.applyError).toContain('EADDRINUSE');
    const back = await agent.client.call('agent-settings.v1', { set: { prometheus: { port } } });
    expect(back).toMatchObject({ restartPending: false, applyError: null });
  });

  it('an older console still reads services.v1 and watch.v1 of this agent', async () => {
    const raw = await agent.client.call('services.v1');
    const old = ServicesResultAsReleased.parse(JSON.parse(JSON.stringify(raw)));
    expect(old.services.map((s) => [s.name, s.state])).toEqual([['echo-a', 'running'], ['echo-b', 'running']]);
    expect(old.services[0]).not.toHaveProperty('readiness');
    const watch = await agent.client.call('watch.v1', {});
    expect(ServicesResultAsReleased.parse({ services: JSON.parse(JSON.stringify(watch.services)) }).services).toHaveLength(2);
  });

  it('after an agent restart, services.json and settings.json bring back the same services and settings', async () => {
    const a = await serviceOf('echo-a');
    const port = (await agent.client.call('agent-settings.v1', {})).running.prometheus.port;
    await agent.stop();
    expect(isRunning(a.pid!)).toBe(false);
    agent = await startTestAgent();
    const a2 = await readyWith('echo-a');
    expect(a2.enabled).toBe(true);
    expect((await getJson(ports['echo-a-http']!, '/')).body).toMatchObject({ message: 'reloaded', banner: 'second run' });
    const settings = await agent.client.call('agent-settings.v1', {});
    expect(settings.running.prometheus).toMatchObject({ enabled: true, port });
    expect(settings.restartPending).toBe(false);
  });

  it('disabling a service stops it and keeps it stopped across an agent restart', async () => {
    const b = await readyWith('echo-b');
    expect((await agent.client.call('service-configure.v1', { id: 'echo-b', enabled: false })).outcome).toBe('stopped');
    expect(isRunning(b.pid!)).toBe(false);
    expect(JSON.parse(fs.readFileSync(servicesFile, 'utf8')).services['echo-b']).toEqual({ enabled: false, config: {} });
    await agent.stop();
    agent = await startTestAgent();
    await readyWith('echo-a');
    expect(await serviceOf('echo-b')).toMatchObject({ enabled: false, state: 'stopped', pid: null });
  });
});

describe('a service module with a bug', () => {
  it('a launch or a probe that throws and metrics that never answer are logged and outlived: the agent and the other services keep running', async () => {
    const names = ['echo-a', 'broken-probe', 'broken-metrics', 'broken-launch'];
    const buggyPorts: Record<string, number> = {};
    for (const id of names) buggyPorts[echoPortId(id)] = await freeTcpPort();
    const buggyHome = prepareAgentHome(path.join(work.dir, 'buggy'), { ports: buggyPorts, monitor: { enabled: false } });
    const buggy = await startTestAgent(buggyHome, names.join(','));
    try {
      for (const id of names) await buggy.client.call('service-configure.v1', { id, enabled: true });
      await readyWith('echo-a', null, buggy);
      // Its metrics hang past the probe's timeout (1 s), yet it is probed again and again.
      const first = await readyWith('broken-metrics', null, buggy);
      const later = await waitFor('a later probe of broken-metrics', async () => {
        const s = await serviceOf('broken-metrics', buggy);
        return s.readiness?.checkedAt && first.readiness?.checkedAt && s.readiness.checkedAt > first.readiness.checkedAt ? s : undefined;
      });
      expect(later.readiness?.state).toBe('ready');
      const logged = await waitFor('the probe bug in the log', async () => {
        const { entries } = await buggy.client.call('logs.v1', { minLevel: 'error' });
        return entries.find((e) => e.event === 'service.probe-failed' && e.service === 'broken-probe');
      });
      expect(logged.data?.error).toBe('this module has a bug in its probe');
      const probeless = await serviceOf('broken-probe', buggy);
      expect(probeless).toMatchObject({ state: 'running', readiness: { state: 'pending' } });
      if (probeless.pid) strays.add(probeless.pid);
      // A launch that throws: the service is not run, says why, and nothing else is touched.
      const unlaunched = await serviceOf('broken-launch', buggy);
      expect(unlaunched.pid).toBeNull();
      expect(unlaunched.lastError).toMatch(/failed to say what to launch \(this module has a bug in its launch\)/);
      expect((await serviceOf('echo-a', buggy)).state).toBe('running');
      const health = await buggy.client.call('health.v1');
      expect(health.pid).toBe(buggy.pid);
      expect(health.reasons.some((r) => r.subject === 'broken-launch')).toBe(true);
      expect(buggy.child.exitCode).toBeNull();
    } finally {
      await buggy.stop();
    }
  });
});
