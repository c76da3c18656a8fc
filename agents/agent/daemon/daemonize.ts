import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import { EXIT_ALREADY_RUNNING, EXIT_FAILURE, EXIT_OK } from '../exit-codes';
import { runningHolder } from './pid-file';

/**
 * `--daemon`: what a provisioner (or an @reboot cron line) runs to start the agent on a machine
 * without systemd. It starts the watchdog detached (own session, stdio to agent-console.log), so it
 * survives the SSH session, and returns only when the answer is known: the control socket accepts
 * connections (exit 0), or the watchdog ended (its code, with the tail of the console log), or 20 s
 * passed (exit 1). This Node process then exits: what stays is the agent and the watchdog, a POSIX
 * shell script (watchdog.sh, in the bundle as WATCHDOG_SCRIPT beside agent.js) of about 2 MiB.
 */
export const WATCHDOG_SCRIPT = 'appliance-agent-watchdog';

export interface DaemonOptions {
  /** The watchdog script, run with /bin/sh (so a bundle unpacked without its x bits still works). */
  watchdogScript: string;
  watchdogPidFile: string;
  /** What the watchdog runs and restarts: node, its flags, agent.js and the path options. */
  agentCommand: string[];
  socketPath: string;
  consoleLogFile: string;
  /** The agent's and the watchdog's pid files: if either names a live agent, refuse at once. */
  pidFiles: string[];
  timeoutMs?: number;
  print: (line: string) => void;
}

/** True when something accepts a connection on the Unix socket (the agent is serving). */
export function socketAnswers(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = net.connect(socketPath);
    sock.once('connect', () => {
      sock.destroy();
      resolve(true);
    });
    sock.once('error', () => resolve(false));
  });
}

export async function runDaemon(opts: DaemonOptions): Promise<number> {
  for (const file of opts.pidFiles) {
    const pid = runningHolder(file);
    if (pid !== null) {
      opts.print(`appliance-agent is already running (pid ${pid}, pid file ${file})`);
      return EXIT_ALREADY_RUNNING;
    }
  }
  if (!fs.existsSync(opts.watchdogScript)) {
    opts.print(`appliance-agent: the watchdog ${opts.watchdogScript} is missing; reinstall the agent bundle`);
    return EXIT_FAILURE;
  }
  const out = fs.openSync(opts.consoleLogFile, 'a', 0o640);
  const logStart = fs.fstatSync(out).size;
  const watchdog = spawn('/bin/sh', [opts.watchdogScript, '--pid-file', opts.watchdogPidFile, '--', ...opts.agentCommand], { detached: true, stdio: ['ignore', out, out] });
  fs.closeSync(out);
  let exited: number | undefined;
  watchdog.once('exit', (code) => (exited = code ?? EXIT_FAILURE));
  const deadline = Date.now() + (opts.timeoutMs ?? 20_000);
  // A socket file left by a dead agent refuses connections; the new agent replaces it once it holds
  // the pid lock. No other agent runs (checked above), so a connect means this start is up.
  while (Date.now() < deadline) {
    if (exited !== undefined) {
      const tail = readFrom(opts.consoleLogFile, logStart).trim();
      opts.print(`appliance-agent did not start (exit ${exited})${tail ? `:\n${tail}` : ''}`);
      return exited;
    }
    if (await socketAnswers(opts.socketPath)) {
      watchdog.unref();
      opts.print(`appliance-agent started (watchdog pid ${watchdog.pid}); control socket ${opts.socketPath}`);
      return EXIT_OK;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  watchdog.kill('SIGTERM');
  opts.print(`appliance-agent did not open ${opts.socketPath} within ${Math.round((opts.timeoutMs ?? 20_000) / 1000)} s; stopped it. See ${opts.consoleLogFile}`);
  return EXIT_FAILURE;
}

function readFrom(file: string, offset: number): string {
  try {
    const buf = fs.readFileSync(file);
    return buf.subarray(offset).toString('utf8').slice(-4000);
  } catch {
    return '';
  }
}
