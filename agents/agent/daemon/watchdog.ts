import { spawn } from 'node:child_process';
import { EXIT_ALREADY_RUNNING, EXIT_OK, isPermanentExit } from '../exit-codes';
import { acquirePidFile, AlreadyRunningError } from './pid-file';

/**
 * Self-supervision where there is no systemd (many smart boxes): a small parent process that runs
 * the agent and starts it again when it dies (crash, OOM kill), with a backoff of 1 s doubling to
 * 30 s, reset after a minute of stable running. It stops on SIGTERM/SIGINT/SIGHUP (passing SIGTERM
 * to the agent, which stops its services), and gives up on exit codes that a restart cannot fix
 * (2: bad config, 3: another agent runs). Where systemd exists, its unit replaces this.
 */
export interface WatchdogOptions {
  /** node, and the agent script with its path options (no mode flag: the child runs the agent). */
  command: string;
  args: string[];
  pidFile: string;
  /** One JSON line per event, to stderr (the daemon's console log). */
  report: (event: string, fields: Record<string, string | number | null>) => void;
}

const INITIAL_DELAY_MS = 1000;
const MAX_DELAY_MS = 30_000;
const STABLE_MS = 60_000;

export async function runWatchdog(opts: WatchdogOptions): Promise<number> {
  let lock;
  try {
    lock = acquirePidFile(opts.pidFile);
  } catch (err) {
    if (err instanceof AlreadyRunningError) {
      opts.report('watchdog.refused', { msg: `a watchdog is already running (pid ${err.pid})` });
      return EXIT_ALREADY_RUNNING;
    }
    throw err;
  }
  let stopping = false;
  let child: ReturnType<typeof spawn> | null = null;
  let wake: (() => void) | null = null;
  const stop = (signal: NodeJS.Signals) => {
    stopping = true;
    opts.report('watchdog.stopping', { signal });
    child?.kill('SIGTERM');
    wake?.();
  };
  for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(s, stop);

  let delay = INITIAL_DELAY_MS;
  let result = EXIT_OK;
  try {
    while (!stopping) {
      const started = Date.now();
      const running = spawn(opts.command, opts.args, { stdio: 'inherit' });
      child = running;
      opts.report('watchdog.started-agent', { pid: running.pid ?? null });
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => {
        running.once('exit', (c, s) => resolve([c, s]));
        running.once('error', (err) => {
          opts.report('watchdog.spawn-failed', { msg: err.message });
          resolve([null, null]);
        });
      });
      child = null;
      opts.report('watchdog.agent-exited', { code, signal });
      if (stopping) break;
      if (code === EXIT_OK || isPermanentExit(code)) {
        result = code ?? EXIT_OK;
        break;
      }
      if (Date.now() - started >= STABLE_MS) delay = INITIAL_DELAY_MS;
      opts.report('watchdog.restart-scheduled', { delayMs: delay });
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, delay);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wake = null;
      delay = Math.min(MAX_DELAY_MS, delay * 2);
    }
  } finally {
    for (const s of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.off(s, stop);
    lock.release();
  }
  return result;
}
