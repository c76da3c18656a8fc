import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { isGroupAlive, signalGroup } from './proc';

/**
 * The one adapter over child_process for services. Each service starts in its own session and
 * process group (`detached`), so the supervisor can signal the service together with everything it
 * forked, and a Ctrl-C at the agent's terminal reaches only the agent, which then stops services in
 * order. With `uid`/`gid`, libuv switches user after fork and also drops supplementary groups.
 */
export interface LaunchSpec {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  uid?: number;
  gid?: number;
}

export interface LaunchHooks {
  onSpawn(pid: number): void;
  onLine(stream: 'stdout' | 'stderr', line: string): void;
  /** Called once: the exit of a started process, or the failure to start it (`error`). */
  onExit(outcome: { code: number | null; signal: NodeJS.Signals | null; error?: Error }): void;
}

export interface LaunchedChild {
  readonly pid: number | undefined;
  /** Signal the process group (the service and its children). */
  signal(signal: NodeJS.Signals): boolean;
  groupAlive(): boolean;
}

export interface ProcessLauncher {
  launch(spec: LaunchSpec, hooks: LaunchHooks): LaunchedChild;
}

const MAX_LINE = 4096;

function forwardLines(stream: Readable | null, emit: (line: string) => void): void {
  if (!stream) return;
  stream.setEncoding('utf8');
  let pending = '';
  stream.on('data', (chunk: string) => {
    pending += chunk;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      emit(pending.slice(0, nl).slice(0, MAX_LINE));
      pending = pending.slice(nl + 1);
    }
    if (pending.length > MAX_LINE) {
      emit(pending.slice(0, MAX_LINE));
      pending = '';
    }
  });
  stream.on('end', () => {
    if (pending) emit(pending);
  });
}

export function createProcessLauncher(): ProcessLauncher {
  return {
    launch(spec, hooks) {
      let finished = false;
      const finish = (outcome: { code: number | null; signal: NodeJS.Signals | null; error?: Error }) => {
        if (finished) return;
        finished = true;
        hooks.onExit(outcome);
      };
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(spec.command, spec.args, {
          cwd: spec.cwd,
          env: spec.env,
          detached: true,
          stdio: ['ignore', 'pipe', 'pipe'],
          ...(spec.uid !== undefined ? { uid: spec.uid } : {}),
          ...(spec.gid !== undefined ? { gid: spec.gid } : {}),
        });
      } catch (err) {
        // EPERM (user switch refused) and friends are thrown synchronously; report them like an exit.
        const error = err as Error;
        queueMicrotask(() => finish({ code: null, signal: null, error }));
        return { pid: undefined, signal: () => false, groupAlive: () => false };
      }
      child.once('spawn', () => {
        if (child.pid !== undefined) hooks.onSpawn(child.pid);
      });
      child.once('error', (error) => {
        // After a successful spawn, 'error' only means a failed kill(); the exit still comes.
        if (child.pid === undefined) finish({ code: null, signal: null, error });
      });
      child.once('exit', (code, signal) => finish({ code, signal }));
      forwardLines(child.stdout, (line) => hooks.onLine('stdout', line));
      forwardLines(child.stderr, (line) => hooks.onLine('stderr', line));
      return {
        get pid() {
          return child.pid;
        },
        signal: (sig) => (child.pid !== undefined ? signalGroup(child.pid, sig) : false),
        groupAlive: () => (child.pid !== undefined ? isGroupAlive(child.pid) : false),
      };
    },
  };
}
