import type { BackoffPolicy, FlappingPolicy, ServiceDefinition } from '../../protocol/agent-config';
import type { ServiceExit, ServiceState, ServiceStatus } from '../../protocol/payloads/services';
import type { Clock, TimerHandle } from '../clock';
import type { Logger } from '../logging/logger';
import type { ChildRegistry } from './child-registry';
import { createOutputLimiter, type OutputLimiter } from './output-limiter';
import type { LaunchedChild, ProcessLauncher } from './process-launcher';
import { decideAfterExit, effectiveBackoff, type CrashHistory } from './restart-policy';
import { resolveServiceLaunch, type IdentityResolver } from './service-launch';

/**
 * Runs each configured service as its own child process and keeps it running: restart with
 * exponential backoff after a crash, flapping detection, and an orderly stop (SIGTERM to the
 * service's process group, SIGKILL after the stop timeout) that leaves no process behind.
 * One service's crash never touches another: each has its own record, timers and process group.
 */
export interface Supervisor {
  /** Starts every enabled service defined so far. */
  start(): void;
  /** Stop every service; resolves when every process group is gone. */
  stopAll(): Promise<void>;
  status(): ServiceStatus[];
  has(name: string): boolean;
  /**
   * Adds a service, or replaces the definition of one; starts or stops nothing (the next start
   * uses it). The service manager defines service modules this way (agents/agent/services/).
   */
  define(def: ServiceDefinition): void;
  /** Launches it now (a pending restart is brought forward, its crash history forgotten); `unchanged` when it runs already. */
  startService(name: string): Promise<'started' | 'unchanged'>;
  /** Stops it (SIGTERM, SIGKILL after the stop timeout) and leaves it stopped until asked to start. */
  stopService(name: string): Promise<'stopped' | 'unchanged'>;
  /** Stops it if running, then starts it with its current definition. */
  restartService(name: string): Promise<'restarted'>;
  /** Signals its process group (a reload); false when it is not running. */
  signalService(name: string, signal: NodeJS.Signals): boolean;
}

export interface SupervisorDeps {
  services: ServiceDefinition[];
  backoff: BackoffPolicy;
  flapping: FlappingPolicy;
  stopTimeoutMs: number;
  launcher: ProcessLauncher;
  identities: IdentityResolver;
  registry: ChildRegistry;
  clock: Clock;
  log: Logger;
}

interface ServiceRecord {
  def: ServiceDefinition;
  backoff: BackoffPolicy;
  log: Logger;
  state: ServiceState;
  child: LaunchedChild | null;
  pid: number | null;
  startedAt: number | null;
  restarts: number;
  crashes: number;
  history: CrashHistory;
  flapping: boolean;
  lastExit: ServiceExit | null;
  nextRestartAt: number | null;
  backoffMs: number | null;
  lastError: string | null;
  restartTimer: TimerHandle | null;
  stableTimer: TimerHandle | null;
  /** Resolves the pending stop once the process group is gone. */
  onStopped: (() => void) | null;
  output: OutputLimiter;
}

/** Output lines of one service logged per second at most (see output-limiter.ts). */
const OUTPUT_LINES_PER_SECOND = 200;

export function createSupervisor(deps: SupervisorDeps): Supervisor {
  const { clock, launcher, registry } = deps;
  let stopping = false;
  const newRecord = (def: ServiceDefinition): ServiceRecord => ({
    def,
    backoff: effectiveBackoff(deps.backoff, def),
    log: deps.log.child({ service: def.name }),
    state: 'stopped',
    child: null,
    pid: null,
    startedAt: null,
    restarts: 0,
    crashes: 0,
    history: { consecutiveFailures: 0, recentCrashes: [] },
    flapping: false,
    lastExit: null,
    nextRestartAt: null,
    backoffMs: null,
    lastError: null,
    restartTimer: null,
    stableTimer: null,
    onStopped: null,
    output: createOutputLimiter(clock, OUTPUT_LINES_PER_SECOND),
  });
  const records: ServiceRecord[] = deps.services.map(newRecord);

  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  function launch(rec: ServiceRecord): void {
    rec.restartTimer = null;
    rec.nextRestartAt = null;
    const resolved = resolveServiceLaunch(rec.def, deps.identities);
    if (!resolved.ok) {
      // A configuration problem (unknown user, not root): retrying cannot fix it.
      rec.state = 'failed';
      rec.lastError = resolved.error;
      rec.log.error('service.cannot-start', { msg: resolved.error });
      return;
    }
    rec.state = 'starting';
    const launchedAt = clock.now();
    rec.child = launcher.launch(resolved.spec, {
      onSpawn: (pid) => {
        rec.state = rec.state === 'stopping' ? 'stopping' : 'running';
        rec.pid = pid;
        rec.startedAt = clock.now();
        rec.lastError = null;
        registry.add(rec.def.name, pid);
        // stopAll() came while the spawn was pending: the process exists only now, so stop it now.
        if (rec.state === 'stopping') rec.child?.signal('SIGTERM');
        rec.log.info('service.started', { pid, user: rec.def.user ?? null, restarts: rec.restarts });
        rec.stableTimer = clock.setTimer(() => markStable(rec), rec.backoff.stableAfterMs);
      },
      onLine: (stream, line) => logOutput(rec, stream, line),
      onExit: (outcome) => onExit(rec, launchedAt, outcome),
    });
  }

  function logOutput(rec: ServiceRecord, stream: 'stdout' | 'stderr', line: string): void {
    if (!rec.output.admit()) return;
    const dropped = rec.output.takeDropped();
    if (dropped > 0) rec.log.warn('service.output-dropped', { lines: dropped, msg: `${dropped} output lines over ${OUTPUT_LINES_PER_SECOND}/s were not logged` });
    (stream === 'stderr' ? rec.log.warn : rec.log.info)('service.output', { msg: line, stream });
  }

  function markStable(rec: ServiceRecord): void {
    rec.stableTimer = null;
    if (rec.history.consecutiveFailures > 0 || rec.flapping) rec.log.info('service.stable', { msg: 'backoff and flapping state reset after a stable run' });
    rec.history = { consecutiveFailures: 0, recentCrashes: [] };
    rec.flapping = false;
  }

  function onExit(rec: ServiceRecord, launchedAt: number, outcome: { code: number | null; signal: NodeJS.Signals | null; error?: Error }): void {
    const now = clock.now();
    if (rec.stableTimer) clock.clearTimer(rec.stableTimer);
    rec.stableTimer = null;
    const child = rec.child;
    if (rec.pid !== null) registry.remove(rec.pid);
    const runtimeMs = rec.startedAt !== null ? Math.max(0, now - rec.startedAt) : Math.max(0, now - launchedAt);
    const crashed = outcome.error !== undefined || outcome.signal !== null || outcome.code !== 0;
    rec.lastExit = { code: outcome.code, signal: outcome.signal, at: new Date(now).toISOString(), runtimeMs, crashed };
    if (outcome.error) rec.lastError = outcome.error.message;
    rec.pid = null;
    rec.startedAt = null;

    if (rec.state === 'stopping' || stopping) {
      rec.log.info('service.stopped', { code: outcome.code, signal: outcome.signal });
      finishStop(rec, child);
      return;
    }
    // What the service forked may outlive it; a restart must not meet its predecessor's children.
    if (child?.groupAlive()) {
      rec.log.warn('service.leftovers-killed', { msg: 'processes of the exited service were still running; sent SIGKILL to its group' });
      child.signal('SIGKILL');
    }
    rec.child = null;
    if (crashed) rec.crashes += 1;
    const decision = decideAfterExit({ exit: { crashed, runtimeMs, at: now }, history: rec.history, restart: rec.def.restart, backoff: rec.backoff, flapping: deps.flapping });
    const becameFlapping = decision.flapping && !rec.flapping;
    rec.history = decision.history;
    rec.flapping = decision.flapping;
    const fields = { code: outcome.code, signal: outcome.signal, runtimeMs, crashes: rec.crashes, ...(outcome.error ? { error: outcome.error } : {}) };
    if (crashed) rec.log.warn('service.crashed', fields);
    else rec.log.info('service.exited', fields);
    if (becameFlapping) rec.log.error('service.flapping', { msg: `${deps.flapping.crashes} crashes within ${deps.flapping.windowMs} ms; restarting at the maximum delay`, delayMs: decision.delayMs });

    if (!decision.restart) {
      rec.state = crashed ? 'failed' : 'exited';
      rec.backoffMs = null;
      return;
    }
    rec.state = 'backoff';
    rec.backoffMs = decision.delayMs;
    rec.nextRestartAt = now + decision.delayMs;
    rec.log.info('service.restart-scheduled', { delayMs: decision.delayMs, consecutiveFailures: rec.history.consecutiveFailures });
    rec.restartTimer = clock.setTimer(() => {
      rec.restarts += 1;
      launch(rec);
    }, decision.delayMs);
  }

  /** The service's main process is gone; wait for the rest of its group, then report it stopped. */
  function finishStop(rec: ServiceRecord, child: LaunchedChild | null): void {
    const done = () => {
      rec.state = 'stopped';
      rec.child = null;
      rec.onStopped?.();
      rec.onStopped = null;
    };
    if (!child?.groupAlive()) return done();
    const poll = () => (child.groupAlive() ? clock.setTimer(poll, 50) : done());
    poll();
  }

  function stop(rec: ServiceRecord): Promise<void> {
    if (rec.restartTimer) clock.clearTimer(rec.restartTimer);
    rec.restartTimer = null;
    rec.nextRestartAt = null;
    if (!rec.child || rec.state === 'stopped' || rec.state === 'exited' || rec.state === 'failed') {
      if (rec.state === 'backoff' || rec.state === 'running' || rec.state === 'starting') rec.state = 'stopped';
      return Promise.resolve();
    }
    if (rec.state === 'stopping' && rec.onStopped) {
      // A stop is already under way (stopAll during a service-stop.v1): wait for the same end.
      const earlier = rec.onStopped;
      return new Promise<void>((resolve) => {
        rec.onStopped = () => {
          earlier();
          resolve();
        };
      });
    }
    const child = rec.child;
    rec.state = 'stopping';
    return new Promise<void>((resolve) => {
      const killTimer = clock.setTimer(() => {
        rec.log.warn('service.kill', { msg: `still running ${deps.stopTimeoutMs} ms after SIGTERM; sending SIGKILL` });
        child.signal('SIGKILL');
      }, deps.stopTimeoutMs);
      rec.onStopped = () => {
        clock.clearTimer(killTimer);
        resolve();
      };
      rec.log.info('service.stopping', { pid: rec.pid });
      // Whether or not the signal lands (a spawn may still be pending), the exit hook finishes the stop.
      child.signal('SIGTERM');
    });
  }

  function recordOf(name: string): ServiceRecord {
    const rec = records.find((r) => r.def.name === name);
    // Callers check has() first (the handlers answer an unknown id with invalid-input).
    if (!rec) throw new Error(`no service named "${name}"`);
    return rec;
  }

  /** A start a person asked for: the crash history of earlier runs no longer applies. */
  function launchFresh(rec: ServiceRecord): void {
    if (rec.restartTimer) clock.clearTimer(rec.restartTimer);
    rec.restartTimer = null;
    rec.history = { consecutiveFailures: 0, recentCrashes: [] };
    rec.flapping = false;
    rec.backoffMs = null;
    rec.lastError = null;
    launch(rec);
  }

  const isActive = (rec: ServiceRecord) => rec.state === 'running' || rec.state === 'starting' || rec.state === 'stopping';

  return {
    has: (name) => records.some((r) => r.def.name === name),
    define(def) {
      const rec = records.find((r) => r.def.name === def.name);
      if (!rec) {
        records.push(newRecord(def));
        return;
      }
      rec.def = def;
      rec.backoff = effectiveBackoff(deps.backoff, def);
    },
    async startService(name) {
      const rec = recordOf(name);
      if (stopping || isActive(rec)) return 'unchanged';
      launchFresh(rec);
      return 'started';
    },
    async stopService(name) {
      const rec = recordOf(name);
      if (rec.state === 'stopped' || rec.state === 'exited' || rec.state === 'failed') return 'unchanged';
      await stop(rec);
      return 'stopped';
    },
    async restartService(name) {
      const rec = recordOf(name);
      await stop(rec);
      if (!stopping) launchFresh(rec);
      return 'restarted';
    },
    signalService(name, signal) {
      const rec = recordOf(name);
      if (rec.state !== 'running' || !rec.child) return false;
      rec.log.info('service.signalled', { signal });
      return rec.child.signal(signal);
    },
    start() {
      for (const rec of records) {
        if (rec.def.enabled) launch(rec);
        else rec.log.info('service.disabled');
      }
    },
    async stopAll() {
      stopping = true;
      await Promise.all(records.map(stop));
    },
    status: () =>
      records.map((rec) => ({
        name: rec.def.name,
        state: rec.state,
        pid: rec.pid,
        user: rec.def.user ?? null,
        enabled: rec.def.enabled,
        startedAt: iso(rec.startedAt),
        restarts: rec.restarts,
        crashes: rec.crashes,
        consecutiveFailures: rec.history.consecutiveFailures,
        flapping: rec.flapping,
        lastExit: rec.lastExit,
        nextRestartAt: iso(rec.nextRestartAt),
        backoffMs: rec.backoffMs,
        lastError: rec.lastError,
      })),
  };
}
