/**
 * The built agent supervising real child processes (small node scripts written here, configured
 * like any service): restart with growing backoff, crash counts and flapping in `services.v1`, one
 * service's crashes leaving the others alone, an orderly stop that leaves no process behind (also
 * for a service that ignores SIGTERM, and for what services fork), orphans of a SIGKILLed agent
 * reaped by the next one, the --daemon watchdog, and switching to a service user.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDefinition } from '../../agents/protocol/agent-config';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import { buildBundle, isRunning, prepareAgentHome, socketAnswers, startAgent, waitFor, type AgentBundle, type RunningAgent } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';

const work = makeTempDir('agent-sup');
let bundle: AgentBundle;
const started: RunningAgent[] = [];
/** Pids a test may leave behind when it fails half-way; killed in afterAll. */
const strays = new Set<number>();

const CRASH_JS = `console.log('crash service up'); setTimeout(() => process.exit(Number(process.argv[2])), Number(process.argv[3]));`;

/** A service with a child of its own; records both pids; 'stubborn' ignores SIGTERM (both of them). */
const FAMILY_JS = `
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const [pidFile, mode] = process.argv.slice(2);
const stubborn = mode === 'stubborn';
if (stubborn) process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
const kid = spawn(process.execPath, ['-e', (stubborn ? "process.on('SIGTERM', () => {});" : '') + 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
fs.writeFileSync(pidFile + '.tmp', JSON.stringify({ pid: process.pid, child: kid.pid }));
fs.renameSync(pidFile + '.tmp', pidFile);
setInterval(() => {}, 1e6);
`;

function script(name: string, text: string): string {
  const file = path.join(work.dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function service(name: string, args: string[], extra: Partial<ServiceDefinition> = {}): Partial<ServiceDefinition> & { name: string; command: string } {
  return { name, command: process.execPath, args, ...extra };
}

function familyPids(pidFile: string): Promise<{ pid: number; child: number }> {
  return waitFor(`pids in ${pidFile}`, () => {
    if (!fs.existsSync(pidFile)) return undefined;
    const pids = JSON.parse(fs.readFileSync(pidFile, 'utf8')) as { pid: number; child: number };
    strays.add(pids.pid).add(pids.child);
    return pids;
  });
}

function byName(list: ServiceStatus[], name: string): ServiceStatus {
  const s = list.find((x) => x.name === name);
  if (!s) throw new Error(`no service ${name}`);
  return s;
}

beforeAll(() => {
  bundle = buildBundle(work.dir);
});

afterAll(async () => {
  await Promise.all(started.map((a) => a.stop('SIGKILL')));
  for (const pid of strays) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  work.cleanup();
});

describe('agent supervisor', () => {
  it('restarts a crashing service with growing backoff, counts its crashes, marks it flapping, and leaves the others alone', async () => {
    const crash = script('crash.js', CRASH_JS);
    const family = script('family.js', FAMILY_JS);
    const home = prepareAgentHome(path.join(work.dir, 'backoff'), {
      supervisor: { backoff: { initialMs: 200, factor: 2, maxMs: 3000, stableAfterMs: 20_000 }, flapping: { crashes: 4, windowMs: 60_000 } },
      services: [service('crasher', [crash, '7', '50']), service('steady', [family, path.join(work.dir, 'steady.pids')])],
    });
    const agent = await startAgent(bundle, home);
    started.push(agent);
    const steady = await familyPids(path.join(work.dir, 'steady.pids'));

    // Record the backoff chosen after each crash, as services.v1 reports it.
    const backoffByCrash = new Map<number, number>();
    const flapping = await waitFor(
      'the crasher to be marked flapping',
      async () => {
        const s = byName((await agent.client.call('services.v1')).services, 'crasher');
        if (s.state === 'backoff' && s.backoffMs !== null) backoffByCrash.set(s.crashes, s.backoffMs);
        return s.flapping ? s : undefined;
      },
      15_000,
      20,
    );
    expect(backoffByCrash.get(1)).toBe(200);
    expect(backoffByCrash.get(2)).toBe(400);
    expect(backoffByCrash.get(3)).toBe(800);
    expect(flapping).toMatchObject({ crashes: 4, restarts: 3, consecutiveFailures: 4, backoffMs: 3000, state: 'backoff', lastExit: { code: 7, signal: null, crashed: true } });
    expect(Date.parse(flapping.nextRestartAt!) - Date.parse(flapping.lastExit!.at)).toBe(3000);

    // The real gaps between starts grew too (each at least its backoff after a ~50 ms run).
    const log = await agent.client.call('logs.v1', { service: 'crasher', limit: 1000 });
    const starts = log.entries.filter((e) => e.event === 'service.started').map((e) => Date.parse(e.time));
    const gaps = starts.slice(1).map((t, i) => t - starts[i]!);
    expect(gaps).toHaveLength(3);
    expect(gaps[0]!).toBeGreaterThanOrEqual(200);
    expect(gaps[1]!).toBeGreaterThan(gaps[0]!);
    expect(gaps[2]!).toBeGreaterThan(gaps[1]!);
    expect(log.entries.some((e) => e.event === 'service.output' && e.msg === 'crash service up')).toBe(true);

    const health = await agent.client.call('health.v1');
    expect(health.status).toBe('degraded');
    expect(health.reasons).toContainEqual(expect.objectContaining({ code: 'service-flapping', subject: 'crasher' }));
    const steadyNow = byName((await agent.client.call('services.v1')).services, 'steady');
    expect(steadyNow).toMatchObject({ state: 'running', pid: steady.pid, crashes: 0, restarts: 0 });
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
  });

  it('stops every service and what it forked on SIGTERM, with SIGKILL for one that ignores SIGTERM', async () => {
    const family = script('family.js', FAMILY_JS);
    const home = prepareAgentHome(path.join(work.dir, 'stop'), {
      supervisor: { stopTimeoutMs: 700 },
      services: [service('polite', [family, path.join(work.dir, 'polite.pids')]), service('stubborn', [family, path.join(work.dir, 'stubborn.pids'), 'stubborn'])],
    });
    const agent = await startAgent(bundle, home);
    started.push(agent);
    const polite = await familyPids(path.join(work.dir, 'polite.pids'));
    const stubborn = await familyPids(path.join(work.dir, 'stubborn.pids'));
    const all = [polite.pid, polite.child, stubborn.pid, stubborn.child];
    expect(all.every(isRunning)).toBe(true);

    const t0 = Date.now();
    expect(await agent.stop('SIGTERM')).toEqual({ code: 0, signal: null });
    expect(Date.now() - t0).toBeGreaterThanOrEqual(700);
    expect(all.filter(isRunning)).toEqual([]);
    const log = fs.readFileSync(path.join(home.logDir, 'agent.log'), 'utf8');
    expect(log).toMatch(/"event":"service\.kill","service":"stubborn"/);
    expect(log).not.toMatch(/"event":"service\.kill","service":"polite"/);
  });

  it('reaps the services of a SIGKILLed agent when the next agent starts', async () => {
    const family = script('family.js', FAMILY_JS);
    const pidFile = path.join(work.dir, 'orphan.pids');
    const home = prepareAgentHome(path.join(work.dir, 'orphans'), { services: [service('kodo', [family, pidFile])] });
    const first = await startAgent(bundle, home);
    started.push(first);
    const old = await familyPids(pidFile);
    expect((await first.stop('SIGKILL')).signal).toBe('SIGKILL');
    // Detached in their own process group, the service and its child outlive a killed agent…
    expect(isRunning(old.pid) && isRunning(old.child)).toBe(true);
    fs.rmSync(pidFile);

    const second = await startAgent(bundle, home);
    started.push(second);
    // …until the next agent takes the pid file over and stops them before starting its own.
    expect(isRunning(old.pid) || isRunning(old.child)).toBe(false);
    const fresh = await familyPids(pidFile);
    expect(fresh.pid).not.toBe(old.pid);
    const log = await second.client.call('logs.v1', { limit: 1000 });
    expect(log.entries).toContainEqual(expect.objectContaining({ event: 'supervisor.orphan-found', service: 'kodo' }));
    expect(await second.stop()).toEqual({ code: 0, signal: null });
    expect(isRunning(fresh.pid) || isRunning(fresh.child)).toBe(false);
  });

  it('--daemon starts a watchdog that restarts a killed agent; SIGTERM to the watchdog stops everything', async () => {
    const family = script('family.js', FAMILY_JS);
    const pidFile = path.join(work.dir, 'daemon.pids');
    const home = prepareAgentHome(path.join(work.dir, 'daemon'), { services: [service('cdn', [family, pidFile])] });
    const daemon = spawnSync(process.execPath, [bundle.agentJs, '--config', home.configPath, '--daemon'], { encoding: 'utf8', timeout: 30_000 });
    expect(daemon.status, `${daemon.stdout}${daemon.stderr}`).toBe(0);
    expect(daemon.stdout).toContain('appliance-agent started');
    const readPid = (name: string) => Number(fs.readFileSync(path.join(home.runDir, name), 'utf8').trim());
    const watchdog = readPid('watchdog.pid');
    strays.add(watchdog);
    const firstAgent = readPid('agent.pid');
    strays.add(firstAgent);
    const firstService = await familyPids(pidFile);
    fs.rmSync(pidFile);

    // A second --daemon is refused while this one runs.
    const again = spawnSync(process.execPath, [bundle.agentJs, '--config', home.configPath, '--daemon'], { encoding: 'utf8', timeout: 30_000 });
    expect(again.status).toBe(3);

    process.kill(firstAgent, 'SIGKILL');
    const secondAgent = await waitFor('a new agent', async () => {
      const pid = fs.existsSync(path.join(home.runDir, 'agent.pid')) ? readPid('agent.pid') : NaN;
      return pid !== firstAgent && isRunning(pid) && (await socketAnswers(home.socketPath)) ? pid : undefined;
    }, 15_000);
    strays.add(secondAgent);
    const secondService = await familyPids(pidFile);
    expect(isRunning(firstService.pid) || isRunning(firstService.child)).toBe(false);

    process.kill(watchdog, 'SIGTERM');
    await waitFor('the watchdog and agent to exit', () => (isRunning(watchdog) || isRunning(secondAgent) ? undefined : true), 15_000);
    expect(isRunning(secondService.pid) || isRunning(secondService.child)).toBe(false);
    expect(fs.existsSync(path.join(home.runDir, 'watchdog.pid'))).toBe(false);
    const consoleLog = fs.readFileSync(path.join(home.logDir, 'agent-console.log'), 'utf8');
    expect(consoleLog).toContain('"event":"watchdog.restart-scheduled"');
  });

  const notRoot = process.getuid?.() !== 0;
  if (notRoot) console.warn('agent supervisor: the service-user test is skipped: switching users needs root');
  it.skipIf(notRoot)('runs a service as its configured user, and reports one it cannot start', async () => {
    const home = prepareAgentHome(path.join(work.dir, 'users'), {
      services: [
        { name: 'as-nobody', command: '/bin/sleep', args: ['1000'], user: 'nobody' },
        { name: 'ghost', command: '/bin/sleep', args: ['1000'], user: 'no-such-user' },
      ],
    });
    const agent = await startAgent(bundle, home);
    started.push(agent);
    const running = await waitFor('as-nobody to run', async () => {
      const s = byName((await agent.client.call('services.v1')).services, 'as-nobody');
      return s.state === 'running' ? s : undefined;
    });
    strays.add(running.pid!);
    const status = fs.readFileSync(`/proc/${running.pid}/status`, 'utf8');
    expect(status).toMatch(/^Uid:\s+65534\s+65534\s+65534\s+65534$/m);
    expect(status).toMatch(/^Groups:\s*$/m); // supplementary groups dropped
    expect(running.user).toBe('nobody');
    const ghost = byName((await agent.client.call('services.v1')).services, 'ghost');
    expect(ghost).toMatchObject({ state: 'failed', pid: null, lastError: 'user "no-such-user" does not exist in /etc/passwd' });
    expect((await agent.client.call('health.v1')).reasons).toContainEqual(expect.objectContaining({ code: 'service-failed', subject: 'ghost' }));
    expect(await agent.stop()).toEqual({ code: 0, signal: null });
    expect(isRunning(running.pid!)).toBe(false);
  });
});
