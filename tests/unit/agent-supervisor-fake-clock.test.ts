/**
 * The supervisor's state machine with time and processes replaced at their edges: a fake clock
 * (timers fire when the test advances time) and a fake launcher (the test decides when a "process"
 * spawns and exits). The real-process behaviour is covered by tests/integration/agent-supervisor.
 */
import { describe, expect, it } from 'vitest';
import type { Clock, TimerHandle } from '../../agents/agent/clock';
import { createLogRing } from '../../agents/agent/logging/log-ring';
import { createLogger } from '../../agents/agent/logging/logger';
import type { ChildRegistry } from '../../agents/agent/supervisor/child-registry';
import type { LaunchHooks, LaunchSpec, ProcessLauncher } from '../../agents/agent/supervisor/process-launcher';
import { createSupervisor } from '../../agents/agent/supervisor/supervisor';
import type { UserDb } from '../../agents/agent/supervisor/user-db';
import { AgentConfigSchema } from '../../agents/protocol/agent-config';

function fakeClock(start = 1_700_000_000_000) {
  let now = start;
  let seq = 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  const clock: Clock = {
    now: () => now,
    setTimer: (fn, ms) => {
      const id = ++seq;
      timers.set(id, { at: now + ms, fn });
      return { id };
    },
    clearTimer: (h: TimerHandle) => void timers.delete(h.id as number),
  };
  return {
    clock,
    /** Move time forward, firing due timers in order. */
    advance(ms: number) {
      const end = now + ms;
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= end).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].fn();
      }
      now = end;
    },
  };
}

interface FakeProcess {
  spec: LaunchSpec;
  hooks: LaunchHooks;
  signals: NodeJS.Signals[];
  pid: number;
}

function fakeLauncher() {
  const launched: FakeProcess[] = [];
  let nextPid = 100;
  const launcher: ProcessLauncher = {
    launch(spec, hooks) {
      const proc: FakeProcess = { spec, hooks, signals: [], pid: nextPid++ };
      launched.push(proc);
      return { pid: proc.pid, signal: (s) => (proc.signals.push(s), true), groupAlive: () => false };
    },
  };
  return { launcher, launched };
}

const noRegistry: ChildRegistry = { add: () => undefined, remove: () => undefined, reapLeftovers: async () => 0 };
const users: UserDb = { user: (name) => (name === 'kodo' ? { name, uid: 990, gid: 990, home: '/var/lib/kodo' } : null), groupId: () => null };

function setup(config: unknown, uid = 0) {
  const parsed = AgentConfigSchema.parse(config);
  const time = fakeClock();
  const { launcher, launched } = fakeLauncher();
  const ring = createLogRing({ capacity: 1000, runId: 'test' });
  const log = createLogger({ level: 'debug', clock: time.clock, ring, file: null, redact: (t) => t });
  const supervisor = createSupervisor({
    services: parsed.services,
    ...parsed.supervisor,
    launcher,
    identities: { uid, self: { name: 'root', home: '/root' }, users },
    registry: noRegistry,
    clock: time.clock,
    log,
  });
  return { supervisor, time, launched, ring };
}

const config = {
  configVersion: 1,
  supervisor: { backoff: { initialMs: 1000, factor: 2, maxMs: 8000, stableAfterMs: 10_000 }, flapping: { crashes: 3, windowMs: 60_000 }, stopTimeoutMs: 5000 },
  services: [{ name: 'kodo', command: '/opt/kodo/bin/kodo', args: ['serve'], env: { KODO_DATA: '/srv/disks' }, user: 'kodo' }, { name: 'cdn', command: '/opt/cdn/bin/cdn' }],
};

describe('supervisor state machine', () => {
  it('spawns each service with its user and a minimal environment', () => {
    const { supervisor, launched } = setup(config);
    supervisor.start();
    expect(launched.map((p) => p.spec.command)).toEqual(['/opt/kodo/bin/kodo', '/opt/cdn/bin/cdn']);
    expect(launched[0]!.spec).toEqual({
      command: '/opt/kodo/bin/kodo',
      args: ['serve'],
      cwd: '/',
      uid: 990,
      gid: 990,
      env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C.UTF-8', HOME: '/var/lib/kodo', USER: 'kodo', LOGNAME: 'kodo', APPLIANCE_AGENT_SERVICE: 'kodo', KODO_DATA: '/srv/disks' },
    });
    expect(launched[1]!.spec.uid).toBeUndefined();
    expect(supervisor.status().map((s) => s.state)).toEqual(['starting', 'starting']);
  });

  it('backs off, restarts, turns flapping, and resets after a stable run', () => {
    const { supervisor, time, launched } = setup(config);
    supervisor.start();
    const kodo = () => supervisor.status()[0]!;
    const crashLatest = (code = 1) => launched.filter((p) => p.spec.command.includes('kodo')).at(-1)!.hooks.onExit({ code, signal: null });
    launched[0]!.hooks.onSpawn(100);
    expect(kodo()).toMatchObject({ state: 'running', pid: 100 });

    time.advance(500);
    crashLatest(3);
    expect(kodo()).toMatchObject({ state: 'backoff', crashes: 1, backoffMs: 1000, pid: null, lastExit: { code: 3, runtimeMs: 500, crashed: true } });
    expect(Date.parse(kodo().nextRestartAt!)).toBe(time.clock.now() + 1000);
    time.advance(999);
    expect(launched).toHaveLength(2); // not yet
    time.advance(1);
    expect(launched).toHaveLength(3);
    expect(kodo()).toMatchObject({ state: 'starting', restarts: 1 });

    launched.at(-1)!.hooks.onSpawn(102);
    crashLatest();
    expect(kodo()).toMatchObject({ crashes: 2, backoffMs: 2000, flapping: false });
    time.advance(2000);
    launched.at(-1)!.hooks.onSpawn(103);
    crashLatest();
    expect(kodo()).toMatchObject({ crashes: 3, backoffMs: 8000, flapping: true, consecutiveFailures: 3 });

    // The cdn service never noticed.
    expect(supervisor.status()[1]).toMatchObject({ state: 'starting', crashes: 0, restarts: 0 });

    time.advance(8000);
    launched.at(-1)!.hooks.onSpawn(104);
    time.advance(10_000); // a stable run
    expect(kodo()).toMatchObject({ state: 'running', flapping: false, consecutiveFailures: 0, crashes: 3, restarts: 3 });
    crashLatest();
    expect(kodo()).toMatchObject({ backoffMs: 1000, flapping: false });
  });

  it('treats a failed spawn as a crash and remembers why', () => {
    const { supervisor, launched } = setup(config);
    supervisor.start();
    launched[1]!.hooks.onExit({ code: null, signal: null, error: new Error('spawn /opt/cdn/bin/cdn ENOENT') });
    expect(supervisor.status()[1]).toMatchObject({ state: 'backoff', crashes: 1, lastError: 'spawn /opt/cdn/bin/cdn ENOENT', lastExit: { code: null, crashed: true } });
  });

  it('refuses a user switch when the agent is not root, without retrying', () => {
    const { supervisor, launched } = setup(config, 1000);
    supervisor.start();
    expect(launched.map((p) => p.spec.command)).toEqual(['/opt/cdn/bin/cdn']);
    expect(supervisor.status()[0]).toMatchObject({ state: 'failed', lastError: 'running "kodo" as kodo needs the agent to run as root' });
  });

  it('stops with SIGTERM, escalates to SIGKILL after the stop timeout, and cancels pending restarts', async () => {
    const { supervisor, time, launched } = setup(config);
    supervisor.start();
    launched[0]!.hooks.onSpawn(100);
    launched[1]!.hooks.onSpawn(101);
    launched[1]!.hooks.onExit({ code: 1, signal: null }); // cdn now waits in backoff
    let done = false;
    const stopped = supervisor.stopAll().then(() => (done = true));
    expect(launched[0]!.signals).toEqual(['SIGTERM']);
    expect(supervisor.status().map((s) => s.state)).toEqual(['stopping', 'stopped']);
    time.advance(5000);
    expect(launched[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    launched[0]!.hooks.onExit({ code: null, signal: 'SIGKILL' });
    await stopped;
    expect(done).toBe(true);
    expect(supervisor.status().map((s) => s.state)).toEqual(['stopped', 'stopped']);
    time.advance(60_000);
    expect(launched).toHaveLength(2); // the cancelled restart never ran
  });

  it('logs service output, at most 200 lines a second, and says how many it dropped', () => {
    const { supervisor, time, launched, ring } = setup(config);
    supervisor.start();
    launched[1]!.hooks.onSpawn(101);
    for (let i = 0; i < 250; i++) launched[1]!.hooks.onLine('stdout', `frame ${i}`);
    time.advance(1000);
    launched[1]!.hooks.onLine('stderr', 'warning: late');
    const entries = ring.query({ limit: 1000, service: 'cdn' }).entries;
    expect(entries.filter((e) => e.event === 'service.output')).toHaveLength(201);
    expect(entries.find((e) => e.event === 'service.output-dropped')?.data).toMatchObject({ lines: 50 });
    expect(entries.at(-1)).toMatchObject({ level: 'warn', msg: 'warning: late', data: { stream: 'stderr' } });
  });
});
