/**
 * The watchdog that `appliance-agent --daemon` leaves running where there is no systemd: the
 * bundle's `appliance-agent-watchdog` (agents/agent/daemon/watchdog.sh) supervising the real agent.
 * Restarts after SIGKILL with the backoff, gives up on the permanent exit codes, one watchdog per run
 * directory, a clean stop on SIGTERM (the agent gets SIGTERM, nothing is left in the watchdog's
 * session), its resident memory, and the same under BusyBox ash where busybox is installed.
 */
import { spawn, spawnSync, type ChildProcess, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ServiceDefinition } from '../../agents/protocol/agent-config';
import { buildBundle, isRunning, prepareAgentHome, socketAnswers, startAgent, waitFor, type AgentBundle, type AgentHome } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';

const work = makeTempDir('agent-wd');
let bundle: AgentBundle;
/** Pids a failed test may leave behind; killed in afterAll. */
const strays = new Set<number>();
const MiB = 1024 * 1024;

/** A service that records its pid, so the test can see it stop with the agent. */
const SERVICE_JS = `require('node:fs').writeFileSync(process.argv[2], String(process.pid)); setInterval(() => {}, 1e6);`;

function homeWithService(name: string): { home: AgentHome; servicePidFile: string } {
  const script = path.join(work.dir, 'service.js');
  fs.writeFileSync(script, SERVICE_JS);
  const servicePidFile = path.join(work.dir, `${name}.service.pid`);
  const service: Partial<ServiceDefinition> & { name: string; command: string } = { name: 'cdn', command: process.execPath, args: [script, servicePidFile] };
  return { home: prepareAgentHome(path.join(work.dir, name), { services: [service], monitor: { smart: { enabled: false } } }), servicePidFile };
}

function readPid(file: string): number {
  const pid = Number(fs.readFileSync(file, 'utf8').trim());
  strays.add(pid);
  return pid;
}

const runFile = (home: AgentHome, name: string) => path.join(home.runDir, name);

function daemon(home: AgentHome, args: string[] = []): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [bundle.agentJs, '--config', home.configPath, '--daemon', ...args], { encoding: 'utf8', timeout: 30_000 });
}

/** The watchdog's events in the console log, in order. */
function watchdogEvents(home: AgentHome): Record<string, unknown>[] {
  const text = fs.readFileSync(path.join(home.logDir, 'agent-console.log'), 'utf8');
  return parseEvents(text);
}

function parseEvents(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{"time"') && l.includes('"event":"watchdog.'))
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

function vmRss(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  if (!m) throw new Error(`no VmRSS for ${pid}`);
  return Number(m[1]) * 1024;
}

function cmdline(pid: number): string[] {
  return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
}

/** Live processes of session `sid` (the watchdog leads its own session; the agent is in it). */
function sessionMembers(sid: number): number[] {
  const found: number[] = [];
  for (const name of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${name}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // f[0] state (field 3), f[3] session (field 6)
      if (f[3] === String(sid) && f[0] !== 'Z' && f[0] !== 'X') found.push(Number(name));
    } catch {
      // exited while we looked
    }
  }
  return found;
}

function parentOf(pid: number): number | null {
  try {
    const m = /^PPid:\s+(\d+)$/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null; // exited meanwhile
  }
}

/** The running service started by `agent` (an earlier agent's service may still be in the file). */
function serviceOf(agent: number, servicePidFile: string): Promise<number> {
  return waitFor(`the service of agent ${agent}`, () => {
    const pid = fs.existsSync(servicePidFile) ? Number(fs.readFileSync(servicePidFile, 'utf8').trim()) : NaN;
    if (!isRunning(pid) || parentOf(pid) !== agent) return undefined;
    strays.add(pid);
    return pid;
  });
}

/** Waits for agent.pid to name a running agent other than `previous` that answers on its socket. */
function nextAgent(home: AgentHome, previous: number, timeoutMs = 15_000): Promise<number> {
  return waitFor(
    `an agent other than ${previous}`,
    async () => {
      const file = runFile(home, 'agent.pid');
      const pid = fs.existsSync(file) ? Number(fs.readFileSync(file, 'utf8').trim()) : NaN;
      if (pid === previous || !isRunning(pid) || !(await socketAnswers(home.socketPath))) return undefined;
      strays.add(pid);
      return pid;
    },
    timeoutMs,
  );
}

async function stopWatchdog(watchdog: number, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  process.kill(watchdog, signal);
  await waitFor(`watchdog ${watchdog} to exit`, () => (isRunning(watchdog) ? undefined : true), 20_000);
  // It waits for what it started, so nothing is left once it has gone: not the agent, not a backoff sleep.
  const left = sessionMembers(watchdog);
  expect(left.map((p) => `${p} ${cmdline(p).join(' ')}`), 'left in the watchdog session').toEqual([]);
}

/** The files `pid` holds open. */
function openFiles(pid: number): string[] {
  return fs.readdirSync(`/proc/${pid}/fd`).map((fd) => {
    try {
      return fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      return '';
    }
  });
}

beforeAll(() => {
  bundle = buildBundle(work.dir);
});

afterAll(() => {
  for (const pid of strays) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
  work.cleanup();
});

describe('agent watchdog (--daemon, no systemd)', () => {
  it('is a shell of under 10 MiB resident that restarts a SIGKILLed agent after 1 s, then 2 s, and stops it with SIGTERM, leaving nothing', async () => {
    const { home, servicePidFile } = homeWithService('restart');
    const started = daemon(home);
    expect(started.status, `${started.stdout}${String(started.stderr)}`).toBe(0);
    const watchdog = readPid(runFile(home, 'watchdog.pid'));
    const first = readPid(runFile(home, 'agent.pid'));
    // What the provisioner and uninstall look for before they signal it (steps/agent-process.ts).
    const argv = cmdline(watchdog);
    expect(argv.slice(0, 2)).toEqual(['/bin/sh', path.join(bundle.dir, 'appliance-agent-watchdog')]);
    expect(argv.join(' ')).toMatch(/agent\.js/);
    expect(vmRss(watchdog)).toBeLessThan(10 * MiB);
    // The agent does not inherit the watchdog's lock (a killed watchdog must not leave it held).
    expect(openFiles(first)).toContain(runFile(home, 'agent.pid.lock'));
    expect(openFiles(first)).not.toContain(runFile(home, 'watchdog.pid.lock'));

    // Each agent is killed once its service runs (and is in children.json, so the next agent stops it).
    await serviceOf(first, servicePidFile);
    let killedAt = Date.now();
    process.kill(first, 'SIGKILL');
    const second = await nextAgent(home, first);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(1000);
    await serviceOf(second, servicePidFile);
    killedAt = Date.now();
    process.kill(second, 'SIGKILL');
    const third = await nextAgent(home, second);
    expect(Date.now() - killedAt).toBeGreaterThanOrEqual(2000);
    const service = await serviceOf(third, servicePidFile);
    // Still small after forking twice.
    expect(vmRss(watchdog)).toBeLessThan(10 * MiB);

    await stopWatchdog(watchdog);
    expect(isRunning(third) || isRunning(service)).toBe(false);
    expect(fs.existsSync(runFile(home, 'watchdog.pid'))).toBe(false);
    // The agent stopped because it was sent SIGTERM (it logs why), and exited 0.
    expect(fs.readFileSync(path.join(home.logDir, 'agent.log'), 'utf8')).toMatch(/"event":"agent\.stopping","data":\{"reason":"SIGTERM"\}/);
    const events = watchdogEvents(home);
    expect(events.map((e) => e.event)).toEqual([
      'watchdog.started-agent',
      'watchdog.agent-exited',
      'watchdog.restart-scheduled',
      'watchdog.started-agent',
      'watchdog.agent-exited',
      'watchdog.restart-scheduled',
      'watchdog.started-agent',
      'watchdog.stopping',
      'watchdog.agent-exited',
    ]);
    expect(events.filter((e) => e.event === 'watchdog.started-agent').map((e) => e.pid)).toEqual([first, second, third]);
    expect(events.filter((e) => e.event === 'watchdog.agent-exited')).toMatchObject([
      { code: null, signal: 'SIGKILL' },
      { code: null, signal: 'SIGKILL' },
      { code: 0, signal: null },
    ]);
    expect(events.filter((e) => e.event === 'watchdog.restart-scheduled').map((e) => e.delayMs)).toEqual([1000, 2000]);
    expect(events.find((e) => e.event === 'watchdog.stopping')).toMatchObject({ signal: 'SIGTERM' });
    for (const e of events) expect(e.time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('stops during a backoff without starting another agent', async () => {
    const { home, servicePidFile } = homeWithService('backoff-stop');
    expect(daemon(home).status).toBe(0);
    const watchdog = readPid(runFile(home, 'watchdog.pid'));
    const agent = readPid(runFile(home, 'agent.pid'));
    // Its service outlives the killed agent (as after any agent crash) and no next agent stops it
    // here: serviceOf() lists it among the strays killed after the tests.
    await serviceOf(agent, servicePidFile);
    process.kill(agent, 'SIGKILL');
    await waitFor('the restart to be scheduled', () => (watchdogEvents(home).some((e) => e.event === 'watchdog.restart-scheduled') ? true : undefined));
    await stopWatchdog(watchdog, 'SIGINT');
    expect(watchdogEvents(home).map((e) => e.event)).toEqual(['watchdog.started-agent', 'watchdog.agent-exited', 'watchdog.restart-scheduled', 'watchdog.stopping']);
    expect(watchdogEvents(home).at(-1)).toMatchObject({ signal: 'SIGINT' });
  });

  it('gives up when the agent exits 3 (another agent holds the lock): --daemon returns 3 with the log tail', async () => {
    const { home } = homeWithService('permanent-3');
    const foreground = await startAgent(bundle, home);
    strays.add(foreground.pid);
    // The lock stays held. Without the pid file --daemon's own check lets the watchdog start, and
    // with another socket path it does not mistake the running agent's socket for the new one.
    fs.rmSync(runFile(home, 'agent.pid'));
    const refused = daemon(home, ['--socket', path.join(home.dir, 'other.sock')]);
    expect(refused.status, refused.stdout).toBe(3);
    expect(refused.stdout).toContain('did not start (exit 3)');
    expect(refused.stdout).toContain('already running');
    const events = watchdogEvents(home);
    expect(events.map((e) => e.event)).toEqual(['watchdog.started-agent', 'watchdog.agent-exited']);
    expect(events[1]).toMatchObject({ code: 3, signal: null });
    expect(fs.existsSync(runFile(home, 'watchdog.pid'))).toBe(false);
    expect(await foreground.stop()).toEqual({ code: 0, signal: null });
  });

  it('gives up when the agent exits 2 (bad config), with that exit code', () => {
    const { home } = homeWithService('permanent-2');
    fs.mkdirSync(home.runDir, { recursive: true, mode: 0o700 });
    const pidFile = runFile(home, 'watchdog.pid');
    const run = spawnSync('/bin/sh', [path.join(bundle.dir, 'appliance-agent-watchdog'), '--pid-file', pidFile, '--', process.execPath, bundle.agentJs, '--config', path.join(home.dir, 'missing.json')], { encoding: 'utf8', timeout: 30_000 });
    expect(run.status, run.stderr).toBe(2);
    expect(run.stderr).toContain('Cannot read the config file');
    const events = parseEvents(run.stderr);
    expect(events.map((e) => e.event)).toEqual(['watchdog.started-agent', 'watchdog.agent-exited']);
    expect(events[1]).toMatchObject({ code: 2, signal: null });
    expect(fs.existsSync(pidFile)).toBe(false);
  });

  it('refuses a second watchdog on the same run directory: the lock decides, not the pid file', async () => {
    const { home } = homeWithService('single');
    expect(daemon(home).status).toBe(0);
    const watchdog = readPid(runFile(home, 'watchdog.pid'));
    const agent = readPid(runFile(home, 'agent.pid'));
    const second = (): SpawnSyncReturns<string> =>
      spawnSync('/bin/sh', [path.join(bundle.dir, 'appliance-agent-watchdog'), '--pid-file', runFile(home, 'watchdog.pid'), '--', process.execPath, bundle.agentJs, '--config', home.configPath], { encoding: 'utf8', timeout: 30_000 });

    const refused = second();
    expect(refused.status).toBe(3);
    expect(parseEvents(refused.stderr)).toEqual([expect.objectContaining({ event: 'watchdog.refused', msg: `a watchdog is already running (pid ${watchdog})` })]);
    // Without its pid file the first watchdog still holds the lock.
    fs.rmSync(runFile(home, 'watchdog.pid'));
    const stillRefused = second();
    expect(stillRefused.status).toBe(3);
    expect(parseEvents(stillRefused.stderr)).toEqual([expect.objectContaining({ event: 'watchdog.refused', msg: 'a watchdog is already running' })]);
    // Neither refusal started or disturbed an agent.
    expect(isRunning(watchdog) && isRunning(agent)).toBe(true);
    expect(Number(fs.readFileSync(runFile(home, 'agent.pid'), 'utf8'))).toBe(agent);
    await stopWatchdog(watchdog);
  });

  const busybox = ['/usr/bin/busybox', '/bin/busybox'].find((p) => fs.existsSync(p));
  if (!busybox) console.warn('agent watchdog: the BusyBox ash test is skipped: no busybox here (apt install busybox)');
  it.skipIf(!busybox)('works the same under BusyBox ash: restart after SIGKILL, stop on SIGHUP', async () => {
    const { home, servicePidFile } = homeWithService('busybox');
    fs.mkdirSync(home.runDir, { recursive: true, mode: 0o700 });
    let stderr = '';
    const child: ChildProcess = spawn(busybox!, ['sh', path.join(bundle.dir, 'appliance-agent-watchdog'), '--pid-file', runFile(home, 'watchdog.pid'), '--', process.execPath, '--no-opt', bundle.agentJs, '--config', home.configPath], {
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    const watchdog = child.pid!;
    strays.add(watchdog);
    const first = await nextAgent(home, NaN);
    expect(Number(fs.readFileSync(runFile(home, 'watchdog.pid'), 'utf8'))).toBe(watchdog);
    expect(vmRss(watchdog)).toBeLessThan(10 * MiB);
    await serviceOf(first, servicePidFile);
    process.kill(first, 'SIGKILL');
    const second = await nextAgent(home, first);
    const service = await serviceOf(second, servicePidFile);
    await stopWatchdog(watchdog, 'SIGHUP');
    expect(await exited).toBe(0);
    expect(isRunning(second) || isRunning(service)).toBe(false);
    expect(fs.existsSync(runFile(home, 'watchdog.pid'))).toBe(false);
    expect(parseEvents(stderr).map((e) => [e.event, e.signal ?? e.delayMs ?? null])).toEqual([
      ['watchdog.started-agent', null],
      ['watchdog.agent-exited', 'SIGKILL'],
      ['watchdog.restart-scheduled', 1000],
      ['watchdog.started-agent', null],
      ['watchdog.stopping', 'SIGHUP'],
      ['watchdog.agent-exited', null],
    ]);
  });
});
