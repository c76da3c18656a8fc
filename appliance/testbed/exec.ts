/**
 * The one adapter over child_process for the testbed. Every real tool (ip, losetup, mkfs, nsenter,
 * ssh-keygen, ...) is run through here so that errors carry the command line and its stderr, and so
 * that nothing in the testbed goes through a shell on the host side (arguments are never re-parsed).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';

export interface RunOptions {
  /** Bytes written to the child's stdin, then closed. */
  input?: string;
  /** Resolve (instead of reject) when the exit code is non-zero. */
  allowFailure?: boolean;
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export class CommandError extends Error {
  constructor(
    readonly command: string,
    readonly result: RunResult,
  ) {
    const detail = (result.stderr || result.stdout).trim().split('\n').slice(-6).join('\n');
    super(`${command} failed (exit ${result.code})${detail ? `: ${detail}` : ''}`);
    this.name = 'CommandError';
  }
}

function describe(cmd: string, args: readonly string[]): string {
  return [cmd, ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

export function run(cmd: string, args: readonly string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['pipe', 'pipe', 'pipe'], env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer =
      opts.timeoutMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs);
    child.on('error', (err) => {
      if (timer) clearTimeout(timer);
      reject(new Error(`${describe(cmd, args)}: ${err.message}`));
    });
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      const result = { code: code ?? (signal ? 128 : 1), stdout, stderr: signal ? `${stderr}killed by ${signal}` : stderr };
      if (result.code !== 0 && !opts.allowFailure) reject(new CommandError(describe(cmd, args), result));
      else resolve(result);
    });
    // EPIPE when the child exits before reading its input is not our error: the exit code tells.
    child.stdin.on('error', () => undefined);
    child.stdin.end(opts.input ?? '');
  });
}

/**
 * Start a long-lived process (nbdfuse, a machine's init) that must outlive the `up` command.
 * It gets its own session (so a Ctrl-C on the CLI does not reach it) and writes to a log file in the
 * state directory, which is where to look when a machine does not come up.
 */
export function spawnDetached(cmd: string, args: readonly string[], logFile: string): number {
  const fd = fs.openSync(logFile, 'a', 0o600);
  try {
    const child = spawn(cmd, args, { detached: true, stdio: ['ignore', fd, fd] });
    if (child.pid === undefined) throw new Error(`${describe(cmd, args)}: could not be started`);
    // Reap it if it dies while we are still running; otherwise let our exit orphan it to init.
    child.on('error', () => undefined);
    child.unref();
    return child.pid;
  } finally {
    fs.closeSync(fd);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Poll `probe` until it returns a value (not undefined) or the deadline passes. */
export async function waitFor<T>(what: string, timeoutMs: number, probe: () => Promise<T | undefined> | T | undefined, intervalMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return !isZombie(pid);
  } catch {
    return false;
  }
}

/** A zombie has exited; only its parent's wait() is missing. Treat it as gone. */
export function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return false;
  }
}
