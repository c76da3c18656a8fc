import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { buildSample } from '../agents/agent/monitor/sample-builder';
import { createSystemSource } from '../agents/agent/monitor/system-source';
import { createAgentClient, unixSocketOpener } from '../agents/client/agent-client';
import { buildBundle, prepareAgentHome, socketAnswers, startAgent, waitFor, type AgentBundle, type AgentHome, type RunningAgent } from '../tests/helpers/agent-harness';
import { median, met, notMeasured, printFigures, saveResults, type Figure } from './report';

/**
 * The monitor's cost on an idle machine: the built agent bundle runs as its own process (as the
 * launcher starts it: the bundle's `appliance-agent` script with this Node, no services) with the
 * monitor at the default 10 s interval, at 1 s to amplify its per-sample cost, and off; plus
 * `node agent.js` without the launcher's memory settings, to show what they save; the reference is an idle Node process
 * (`setInterval` every 10 s) measured at the same time. CPU is utime+stime from /proc/<pid>/stat
 * over the measuring window (after a warm-up that leaves out start-up); memory is VmRSS at the end.
 * One more agent is started as a machine without systemd starts it, `appliance-agent --daemon`, for
 * the cost of its watchdog beside the agent it supervises.
 * Targets (issue): under 1 % CPU and 60 MB RSS for the agent, 10 MiB RSS for the watchdog.
 */
const SECONDS = Number(process.env.MONITOR_BENCH_SECONDS ?? 60);
const WARMUP_MS = 5000;
const TICKS = 100; // USER_HZ

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(f[11]) + Number(f[12]);
}

function status(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

const MB = 1024 * 1024;

/**
 * The agent as the launcher runs it (its Node flags and environment): `sh appliance-agent` with
 * APPLIANCE_AGENT_NODE set to this Node. The launcher execs Node, so the pid is the agent's.
 */
async function startViaLauncher(bundle: AgentBundle, home: AgentHome): Promise<RunningAgent> {
  const child = spawn('sh', [path.join(bundle.dir, 'appliance-agent'), '--config', home.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, APPLIANCE_AGENT_NODE: process.execPath } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await waitFor('the control socket', async () => {
    if (child.exitCode !== null) throw new Error(`agent exited (${child.exitCode}) before it was ready:\n${out}`);
    return (await socketAnswers(home.socketPath)) ? true : undefined;
  });
  return {
    child,
    pid: child.pid!,
    client: createAgentClient({ open: unixSocketOpener(home.socketPath), token: home.token, timeoutMs: 15_000 }),
    output: () => out,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

interface Daemonized {
  watchdog: number;
  agent: number;
  /** SIGTERM to the watchdog (it stops the agent), then wait until both are gone. */
  stop(): Promise<void>;
}

/** `appliance-agent --daemon` through the launcher, as the provisioner and the @reboot cron line run it. */
async function startDaemon(bundle: AgentBundle, home: AgentHome): Promise<Daemonized> {
  const run = spawnSync('sh', [path.join(bundle.dir, 'appliance-agent'), '--config', home.configPath, '--daemon'], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, APPLIANCE_AGENT_NODE: process.execPath } });
  if (run.status !== 0) throw new Error(`--daemon failed (${run.status ?? run.signal}):\n${run.stdout}${run.stderr}`);
  const pid = (name: string) => Number(fs.readFileSync(path.join(home.runDir, name), 'utf8').trim());
  const watchdog = pid('watchdog.pid');
  const agent = pid('agent.pid');
  const alive = (p: number) => fs.existsSync(`/proc/${p}`) && !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${p}/status`, 'utf8'));
  return {
    watchdog,
    agent,
    stop: async () => {
      if (alive(watchdog)) process.kill(watchdog, 'SIGTERM');
      await waitFor('the watchdog and its agent to stop', () => (alive(watchdog) || alive(agent) ? undefined : true), 30_000).catch(() => {
        for (const p of [watchdog, agent]) if (alive(p)) process.kill(p, 'SIGKILL');
      });
    },
  };
}

/** CPU ticks the agent spends answering `calls` metrics.v1 backfills (the console's heaviest poll). */
async function servingTicks(agent: RunningAgent, calls: number): Promise<number> {
  const t0 = cpuTicks(agent.pid);
  for (let i = 0; i < calls; i++) await agent.client.call('metrics.v1', {});
  return cpuTicks(agent.pid) - t0;
}

export async function runAgentMonitorBenchmarks(): Promise<boolean> {
  if (process.platform !== 'linux') {
    printFigures('Agent monitor', [notMeasured('the agent monitor', `it reads Linux /proc and this is ${process.platform}`)]);
    return false;
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-bench-monitor-'));
  const agents: RunningAgent[] = [];
  let daemon: Daemonized | null = null;
  let reference: ChildProcess | null = null;
  const figures: Figure[] = [];
  try {
    const bundle = buildBundle(work);
    const home = (name: string, monitor: object) => prepareAgentHome(path.join(work, name), { monitor: { smart: { enabled: false }, ...monitor } });
    const homes = {
      off: home('off', { enabled: false }),
      tenSeconds: home('ten', { intervalMs: 10_000 }),
      oneSecond: home('one', { intervalMs: 1000 }),
      daemon: home('daemon', { intervalMs: 10_000 }),
    };
    reference = spawn(process.execPath, ['-e', 'setInterval(() => {}, 10000)'], { stdio: 'ignore' });
    const [off, ten, one] = await Promise.all([startViaLauncher(bundle, homes.off), startViaLauncher(bundle, homes.tenSeconds), startViaLauncher(bundle, homes.oneSecond)]);
    agents.push(off, ten, one);
    // The same agent started as `node agent.js`, without the launcher's --no-opt and malloc trim
    // threshold: what those save, and what they cost in CPU.
    const plain = await startAgent(bundle, home('plain', { intervalMs: 10_000 }));
    agents.push(plain);
    daemon = await startDaemon(bundle, homes.daemon);
    const procs = { reference: reference.pid!, off: off.pid, ten: ten.pid, one: one.pid, plain: plain.pid, watchdog: daemon.watchdog, supervised: daemon.agent };

    console.log(`\nagent monitor bench: measuring ${SECONDS} s after a ${WARMUP_MS / 1000} s warm-up…`);
    await new Promise((r) => setTimeout(r, WARMUP_MS));
    const t0 = performance.now();
    const start = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, cpuTicks(pid)]));
    await new Promise((r) => setTimeout(r, SECONDS * 1000));
    const secs = (performance.now() - t0) / 1000;
    const cpu = (k: keyof typeof procs) => ((cpuTicks(procs[k]) - start[k]!) / TICKS / secs) * 100;
    const rss = (k: keyof typeof procs) => status(procs[k], 'VmRSS');
    const ref = { cpu: cpu('reference'), rss: rss('reference') };

    figures.push({ name: 'agent CPU, monitor every 10 s (idle, no services)', value: cpu('ten'), unit: '%', target: 1, reference: { name: 'idle node process', value: Math.max(ref.cpu, 0.01) } });
    figures.push({ name: 'agent CPU, monitor every 1 s (amplified)', value: cpu('one'), unit: '%', reference: { name: 'agent with the monitor off', value: Math.max(cpu('off'), 0.01) } });
    figures.push({ name: 'agent CPU, monitor off', value: cpu('off'), unit: '%', reference: { name: 'idle node process', value: Math.max(ref.cpu, 0.01) } });
    figures.push({ name: 'agent RSS, monitor every 10 s', value: rss('ten') / MB, unit: 'MB', target: 60, reference: { name: 'idle node process', value: ref.rss / MB } });
    figures.push({ name: 'agent RSS, monitor every 1 s', value: rss('one') / MB, unit: 'MB', reference: { name: 'agent with the monitor off', value: rss('off') / MB } });
    figures.push({ name: 'agent RSS, monitor off (the agent without the monitor)', value: rss('off') / MB, unit: 'MB', reference: { name: 'idle node process', value: ref.rss / MB } });

    figures.push({ name: 'watchdog RSS (`appliance-agent --daemon`, no systemd)', value: rss('watchdog') / MB, unit: 'MiB', target: 10, reference: { name: 'the agent it supervises', value: rss('supervised') / MB } });
    figures.push({ name: 'watchdog CPU', value: cpu('watchdog'), unit: '%', reference: { name: 'the agent it supervises', value: Math.max(cpu('supervised'), 0.01) } });

    figures.push({ name: 'agent RSS, monitor every 10 s, `node agent.js` without the launcher settings', value: rss('plain') / MB, unit: 'MB', reference: { name: 'as the launcher runs it', value: rss('ten') / MB } });
    figures.push({ name: 'agent CPU, monitor every 10 s, `node agent.js` without the launcher settings', value: cpu('plain'), unit: '%', reference: { name: 'as the launcher runs it', value: Math.max(cpu('ten'), 0.01) } });

    // After the console's inventory.v1 (systeminformation and node-disk-info get loaded, lsblk,
    // blkid and df run): twice, as a console refreshing it would, then settled for 5 s.
    const before = { ten: rss('ten'), plain: rss('plain') };
    for (const a of [ten, plain]) {
      await a.client.call('inventory.v1');
      await a.client.call('inventory.v1');
    }
    await new Promise((r) => setTimeout(r, 5000));
    figures.push({ name: 'agent RSS after inventory.v1 (twice), monitor every 10 s', value: rss('ten') / MB, unit: 'MB', target: 60, reference: { name: 'before the calls', value: before.ten / MB } });
    figures.push({ name: 'agent RSS after inventory.v1 (twice), `node agent.js` without the launcher settings', value: rss('plain') / MB, unit: 'MB', reference: { name: 'as the launcher runs it', value: rss('ten') / MB } });

    // What --no-opt costs when the console is busy: CPU per metrics.v1 backfill (every sample kept).
    const calls = 100;
    const served = { ten: await servingTicks(ten, calls), plain: await servingTicks(plain, calls) };
    figures.push({ name: `agent CPU per metrics.v1 backfill (mean of ${calls})`, value: (served.ten * 10) / calls, unit: 'ms', reference: { name: 'without the launcher settings', value: Math.max((served.plain * 10) / calls, 0.01) } });

    // History on disk: bytes per sample as written (JSON line) and as sealed (gzip).
    const segDir = path.join(homes.oneSecond.dir, 'state', 'monitor');
    const seg = fs.readdirSync(segDir).find((f) => f.endsWith('.jsonl'));
    if (!seg) {
      const why = `no .jsonl history segment in ${segDir} after ${SECONDS} s of sampling every second`;
      figures.push(notMeasured('history: bytes per sample on disk, gzipped segment', why), notMeasured('history: disk for 24 h at 10 s, gzipped', why));
    } else {
      const text = fs.readFileSync(path.join(segDir, seg));
      const lines = text.toString('utf8').split('\n').filter(Boolean).length;
      const plain = text.length / lines;
      const gz = zlib.gzipSync(text, { level: 6 }).length / lines;
      figures.push({ name: `history: bytes per sample on disk, gzipped segment (${lines} samples of this machine)`, value: gz, unit: 'B', reference: { name: 'plain JSON line', value: plain } });
      figures.push({ name: 'history: disk for 24 h at 10 s, gzipped', value: (gz * 8640) / MB, unit: 'MB', target: 64, reference: { name: 'plain JSON lines', value: (plain * 8640) / MB } });
    }

    // One sample's work in this process: read /proc and /sys, statfs, build the sample.
    const source = createSystemSource();
    let prev = source.read([]);
    const times: number[] = [];
    for (let i = 0; i < 200; i++) {
      const s = performance.now();
      const cur = source.read([]);
      buildSample(prev, cur, [], 100);
      times.push(performance.now() - s);
      prev = cur;
    }
    figures.push({ name: 'one sample (read /proc, /sys, statfs; build), median of 200', value: median(times), unit: 'ms', reference: { name: 'a 10 s interval', value: 10_000 } });
  } finally {
    for (const a of agents) await a.stop().catch(() => undefined);
    await daemon?.stop();
    reference?.kill();
    fs.rmSync(work, { recursive: true, force: true });
  }
  printFigures(`Agent monitor (idle appliance, Node ${process.version})`, figures);
  saveResults('agent-monitor', figures);
  return figures.every((f) => met(f) !== false);
}
