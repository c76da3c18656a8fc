/**
 * The built agent bundle as its own process, in a temp dir, with the system `node`: the control API
 * over its real Unix socket (hello, version, health, inventory, logs), the socket's permissions,
 * bearer tokens, frame limits, config errors and the single-instance lock.
 */
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentClient, tcpOpener, unixSocketOpener } from '../../agents/client/agent-client';
import { AgentError } from '../../agents/protocol/errors';
import { buildBundle, freeTcpPort, prepareAgentHome, spawnAgent, startAgent, writeRawConfig, type AgentBundle, type AgentHome, type RunningAgent } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';

const work = makeTempDir('agent-ctl');
let bundle: AgentBundle;
let home: AgentHome;
let agent: RunningAgent;

/** A raw HTTP exchange on the socket, for what the typed client would never send. */
function rawPost(body: string | Buffer, headers: Record<string, string>): Promise<{ status: number; json: unknown }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ socketPath: home.socketPath, method: 'POST', path: '/rpc', headers: { 'Content-Type': 'application/json', ...headers } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => (text += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end(body);
  });
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
  bundle = buildBundle(work.dir);
  home = prepareAgentHome(path.join(work.dir, 'home'));
  agent = await startAgent(bundle, home);
});

afterAll(async () => {
  await agent?.stop();
  work.cleanup();
});

describe('agent control API over the Unix socket', () => {
  it('puts the socket (0600) in a private directory (0700)', () => {
    expect(fs.statSync(home.socketPath).isSocket()).toBe(true);
    expect(fs.statSync(home.socketPath).mode & 0o777).toBe(0o600);
    expect(fs.statSync(home.runDir).mode & 0o777).toBe(0o700);
    expect(fs.readFileSync(path.join(home.runDir, 'agent.pid'), 'utf8').trim()).toBe(String(agent.pid));
  });

  it('answers hello with protocol, version and capabilities', async () => {
    const hello = await agent.client.hello('agent-control.test');
    expect(hello).toMatchObject({ agent: 'appliance-agent', agentVersion: bundle.manifest.version, protocol: 1, protocols: [1], hostname: os.hostname() });
    expect(hello.capabilities.methods).toEqual(expect.arrayContaining(['hello', 'version.v1', 'health.v1', 'inventory.v1', 'services.v1', 'logs.v1']));
    expect(hello.capabilities.features).toContain('supervisor');
    expect(hello.limits.maxRequestBytes).toBe(65536);
  });

  it('answers version and health', async () => {
    // role, data disks and ports are agent.json's defaults here (the provisioner fills them in).
    expect(await agent.client.call('version.v1')).toEqual({
      agentVersion: bundle.manifest.version,
      target: 'linux-x64',
      node: process.version,
      platform: 'linux',
      arch: process.arch,
      protocol: 1,
      role: 'server',
      dataDisks: [],
      ports: {},
    });
    const health = await agent.client.call('health.v1');
    expect(health).toMatchObject({ status: 'ok', reasons: [], pid: agent.pid });
    expect(health.uptimeSeconds).toBeGreaterThanOrEqual(0);
    expect(Date.parse(health.startedAt)).toBeLessThanOrEqual(Date.parse(health.now));
  });

  it('answers inventory with this machine', async () => {
    const inv = await agent.client.call('inventory.v1');
    expect(inv.hostname).toBe(os.hostname());
    expect(inv.os).toMatchObject({ platform: 'linux', kernel: os.release(), arch: os.arch() });
    expect(inv.cpu.cores).toBe(os.cpus().length);
    expect(inv.memory.totalBytes).toBe(os.totalmem());
    expect(inv.filesystems.find((f) => f.mountpoint === '/')).toMatchObject({ sizeBytes: expect.any(Number) as number });
    expect(inv.blockDevices.length).toBeGreaterThan(0);
    expect(inv.network.find((n) => n.name === 'lo')?.addresses).toContainEqual({ family: 'ipv4', address: '127.0.0.1', prefixLength: 8 });
    expect(inv.sources.filesystems?.length).toBeGreaterThan(0);
  });

  it('answers watch.v1 with what health.v1, services.v1 and metrics.v1 answer, in one call', async () => {
    // The monitor samples when it starts: wait for a sample so the metrics part has one to carry.
    let metrics = await agent.client.call('metrics.v1', {});
    for (let i = 0; i < 100 && metrics.samples.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
      metrics = await agent.client.call('metrics.v1', {});
    }
    expect(metrics.samples.length).toBeGreaterThan(0);
    expect(agent.client.session()?.hello.capabilities.methods).toContain('watch.v1');

    const plain = await agent.client.call('watch.v1');
    expect(plain.metrics).toBeNull();
    const health = await agent.client.call('health.v1');
    expect(plain.health).toMatchObject({ status: health.status, pid: health.pid, startedAt: health.startedAt });
    expect(plain.services).toEqual((await agent.client.call('services.v1')).services);

    const first = metrics.samples[0]!;
    const cursor = `${metrics.historyId}.${first.seq}`;
    const watched = await agent.client.call('watch.v1', { metrics: { after: cursor, limit: 60 } });
    const separately = await agent.client.call('metrics.v1', { after: cursor, limit: 60 });
    expect(watched.metrics).toMatchObject({ historyId: separately.historyId, gap: false, intervalMs: separately.intervalMs });
    expect(watched.metrics!.samples.map((x) => x.seq)).toEqual(separately.samples.map((x) => x.seq));
    // Without a cursor: from the oldest sample, as metrics.v1 backfills.
    expect((await agent.client.call('watch.v1', { metrics: {} })).metrics!.samples[0]!.seq).toBe(first.seq);
    await expect(agent.client.call('watch.v1', { metrics: { after: 'not a cursor' } })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('serves its structured log with a cursor, never with the token', async () => {
    const first = await agent.client.call('logs.v1', { limit: 1000 });
    expect(first.entries.map((e) => e.event)).toEqual(expect.arrayContaining(['agent.starting', 'agent.started']));
    await agent.client.call('hello', { client: 'second look' });
    const next = await agent.client.call('logs.v1', { after: first.nextCursor! });
    expect(next.reset).toBe(false);
    expect(next.entries.map((e) => e.event)).toContain('control.hello');
    expect(next.entries.every((e) => !first.entries.some((f) => f.cursor === e.cursor))).toBe(true);
    const foreign = await agent.client.call('logs.v1', { after: 'abc.5', limit: 1 });
    expect(foreign.reset).toBe(true);
    const file = fs.readFileSync(path.join(home.logDir, 'agent.log'), 'utf8');
    expect(file).toContain('"event":"agent.started"');
    expect(file).not.toContain(home.token);
  });

  it('refuses a missing or wrong token as unauthorized, and logs it without the token', async () => {
    const wrong = createAgentClient({ open: unixSocketOpener(home.socketPath), token: `${home.token.slice(0, -1)}x` });
    expect((await rejection(wrong.call('health.v1'))).code).toBe('unauthorized');
    const none = await rawPost(JSON.stringify({ protocol: 1, method: 'health.v1' }), {});
    expect(none.status).toBe(401);
    expect(none.json).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const logs = await agent.client.call('logs.v1', { limit: 50, minLevel: 'warn' });
    expect(logs.entries.filter((e) => e.event === 'control.unauthorized').length).toBeGreaterThanOrEqual(2);
    expect(fs.readFileSync(path.join(home.logDir, 'agent.log'), 'utf8')).not.toContain(home.token.slice(0, -1));
  });

  it('answers bad frames with typed errors', async () => {
    const auth = { Authorization: `Bearer ${home.token}` };
    expect((await rawPost('{not json', auth)).json).toMatchObject({ ok: false, error: { code: 'protocol-error' } });
    expect((await rawPost(JSON.stringify({ protocol: 1, method: 'health.v1', extra: 1 }), auth)).json).toMatchObject({ ok: false, error: { code: 'protocol-error' } });
    expect((await rawPost(JSON.stringify({ protocol: 2, method: 'health.v1' }), auth)).json).toMatchObject({ ok: false, error: { code: 'protocol-error', params: { supported: '1' } } });
    expect((await rawPost(JSON.stringify({ protocol: 1, id: 'q7', method: 'reboot.v1' }), auth)).json).toEqual({
      protocol: 1,
      id: 'q7',
      ok: false,
      error: { code: 'not-supported', message: 'Method "reboot.v1" is not supported by this agent', params: { method: 'reboot.v1' } },
    });
    const invalid = await rawPost(JSON.stringify({ protocol: 1, method: 'logs.v1', params: { limit: 0 } }), auth);
    expect(invalid.json).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: 'limit' }] } });
    const oversize = await rawPost(JSON.stringify({ protocol: 1, method: 'hello', params: { client: 'x'.repeat(70_000) } }), auth);
    expect(oversize.status).toBe(400);
    expect(oversize.json).toMatchObject({ ok: false, error: { code: 'protocol-error', params: { limit: 65536 } } });
    // Without a declared length (chunked), reading stops at the limit too.
    const chunked = await rawPost(JSON.stringify({ protocol: 1, method: 'hello', params: { client: 'x'.repeat(70_000) } }), { ...auth, 'Transfer-Encoding': 'chunked' });
    expect(chunked.json).toMatchObject({ ok: false, error: { code: 'protocol-error', message: 'Request exceeds the limit of 65536 bytes' } });
    // The agent is unharmed.
    expect((await agent.client.call('health.v1')).status).toBe('ok');
  });

  it('refuses a second instance on the same run directory (exit 3)', async () => {
    const second = spawnAgent(bundle, home);
    const exit = await second.exited;
    expect(exit.code).toBe(3);
    expect(second.output()).toContain(`already running (pid ${agent.pid}`);
    expect((await agent.client.call('health.v1')).pid).toBe(agent.pid);
  });

  it('refuses a bad config with exit 2 and a message naming the field', async () => {
    const bad = prepareAgentHome(path.join(work.dir, 'bad'));
    // The TCP fallback must stay on loopback: anything else is a config error, not a listener.
    writeRawConfig(bad, { configVersion: 1, control: { tcp: { host: '0.0.0.0', port: 80 } }, paths: { runDir: bad.runDir } });
    const run = spawnAgent(bundle, bad);
    expect((await run.exited).code).toBe(2);
    expect(run.output()).toMatch(/config file .*agent\.json is invalid:\n\s+control\.tcp\.host:/);
    fs.chmodSync(path.join(bad.dir, 'etc/token'), 0o644);
    writeRawConfig(bad, { configVersion: 1, paths: { runDir: bad.runDir } });
    const loose = spawnAgent(bundle, bad);
    expect((await loose.exited).code).toBe(2);
    expect(loose.output()).toContain('must be readable by its owner only');
  });

  it('serves the loopback TCP fallback with the same token', async () => {
    const port = await freeTcpPort();
    const tcpHome = prepareAgentHome(path.join(work.dir, 'tcp'), { control: { tcp: { host: '127.0.0.1', port } } });
    const tcpAgent = await startAgent(bundle, tcpHome);
    try {
      const viaTcp = createAgentClient({ open: tcpOpener('127.0.0.1', port), token: tcpHome.token });
      expect((await viaTcp.hello()).capabilities.features).toContain('tcp-fallback');
      const wrong = createAgentClient({ open: tcpOpener('127.0.0.1', port), token: home.token });
      expect((await rejection(wrong.call('version.v1'))).code).toBe('unauthorized');
    } finally {
      expect((await tcpAgent.stop()).code).toBe(0);
    }
  });

  it('stops on SIGTERM with exit 0 and removes its socket and pid file', async () => {
    const other = prepareAgentHome(path.join(work.dir, 'stop'));
    const running = await startAgent(bundle, other);
    expect(await running.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(fs.existsSync(other.socketPath)).toBe(false);
    expect(fs.existsSync(path.join(other.runDir, 'agent.pid'))).toBe(false);
  });
});
