/**
 * Test support for the agent's integration tests (tests/integration/agent-*.test.ts): build the real
 * bundle, unpack it, give it a home in a temp dir (config, 0600 token, run/state/log dirs) and run
 * it with the system `node` as its own process — the same files a provisioner installs, without
 * root and without touching /etc, /run or /var. Not part of the bundle (nothing under agents/agent
 * imports it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { socketAnswers } from '../../agents/agent/daemon/daemonize';
import { freeTcpPort } from './free-port';
import { createAgentClient, unixSocketOpener, type AgentClient } from '../../agents/client/agent-client';
import type { AgentConfigInput } from '../../agents/protocol/agent-config';

export const REPO_ROOT = path.resolve(__dirname, '../..');

export interface BundleManifest {
  version: string;
  target: string;
  file: string;
  sha256: string;
  size: number;
}

export interface AgentBundle {
  /** The built tarball, as the console ships it. */
  tarball: string;
  manifest: BundleManifest;
  /** The unpacked bundle: agent.js, appliance-agent, VERSION. */
  dir: string;
  agentJs: string;
}

/** Runs scripts/build-agent.mjs into `workDir/build` and unpacks the tarball into `workDir/bundle`. */
export function buildBundle(workDir: string, target = 'linux-x64'): AgentBundle {
  const outDir = path.join(workDir, 'build');
  const built = spawnSync(process.execPath, [path.join(REPO_ROOT, 'scripts/build-agent.mjs'), '--target', target, '--out-dir', outDir], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`build-agent failed (${built.status}):\n${built.stdout}${built.stderr}`);
  const manifest = JSON.parse(fs.readFileSync(path.join(outDir, target, 'manifest.json'), 'utf8')) as BundleManifest;
  const tarball = path.join(outDir, target, manifest.file);
  const dir = path.join(workDir, 'bundle');
  fs.mkdirSync(dir, { recursive: true });
  const untar = spawnSync('tar', ['-xzf', tarball, '-C', dir], { encoding: 'utf8' });
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
  return { tarball, manifest, dir, agentJs: path.join(dir, 'agent.js') };
}

export interface AgentHome {
  dir: string;
  configPath: string;
  token: string;
  runDir: string;
  logDir: string;
  socketPath: string;
}

/** A config (paths inside `dir`, then `config` on top) and a fresh 0600 token. */
export function prepareAgentHome(dir: string, config: Partial<AgentConfigInput> = {}): AgentHome {
  const etc = path.join(dir, 'etc');
  fs.mkdirSync(etc, { recursive: true });
  const token = crypto.randomBytes(32).toString('base64url');
  fs.writeFileSync(path.join(etc, 'token'), `${token}\n`, { mode: 0o600 });
  const runDir = path.join(dir, 'run');
  const logDir = path.join(dir, 'log');
  const full: AgentConfigInput = {
    configVersion: 1,
    ...config,
    paths: { runDir, stateDir: path.join(dir, 'state'), logDir, ...config.paths },
  };
  const configPath = path.join(etc, 'agent.json');
  fs.writeFileSync(configPath, JSON.stringify(full, null, 2));
  return { dir, configPath, token, runDir, logDir, socketPath: path.join(runDir, 'control.sock') };
}

/** Replace the home's config with any JSON, valid or not (for the agent's config checks). */
export function writeRawConfig(home: AgentHome, json: unknown): void {
  fs.writeFileSync(home.configPath, JSON.stringify(json, null, 2));
}

/** A loopback TCP port that was free a moment ago. */
export { freeTcpPort };

export interface ExitStatus {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface RunningAgent {
  child: ChildProcess;
  pid: number;
  client: AgentClient;
  output(): string;
  exited: Promise<ExitStatus>;
  /** Send a signal (SIGTERM by default) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<ExitStatus>;
}

export function spawnAgent(bundle: AgentBundle, home: AgentHome, args: string[] = []): { child: ChildProcess; output: () => string; exited: Promise<ExitStatus> } {
  const child = spawn(process.execPath, [bundle.agentJs, '--config', home.configPath, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<ExitStatus>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, output: () => out, exited };
}

export { socketAnswers };

/** Poll `check` every `everyMs` until it returns a value other than undefined, or fail after `timeoutMs`. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined> | T | undefined, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Start the agent and wait until its control socket accepts connections. */
export async function startAgent(bundle: AgentBundle, home: AgentHome, args: string[] = []): Promise<RunningAgent> {
  const { child, output, exited } = spawnAgent(bundle, home, args);
  let exit: ExitStatus | undefined;
  void exited.then((e) => (exit = e));
  await waitFor('the control socket', async () => {
    if (exit) throw new Error(`agent exited (${exit.code ?? exit.signal}) before it was ready:\n${output()}`);
    return (await socketAnswers(home.socketPath)) ? true : undefined;
  });
  return {
    child,
    pid: child.pid!,
    client: createAgentClient({ open: unixSocketOpener(home.socketPath), token: home.token, timeoutMs: 15_000 }),
    output,
    exited,
    stop: async (signal = 'SIGTERM') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      return exited;
    },
  };
}

/** The state letter of /proc/<pid>/stat, or null when the process is gone. Z: a zombie (dead). */
export function processState(pid: number): string | null {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? null;
  } catch {
    return null;
  }
}

export function isRunning(pid: number): boolean {
  const state = processState(pid);
  return state !== null && state !== 'Z' && state !== 'X';
}
