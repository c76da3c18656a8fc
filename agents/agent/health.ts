import type { HealthReason, HealthResult } from '../protocol/payloads/health';
import type { Clock } from './clock';
import type { Supervisor } from './supervisor/supervisor';

/**
 * ok, or degraded with one reason per problem. Cheap on purpose (no disk scan): the console polls
 * it. Disk and capacity findings belong to inventory and, later, the monitor service.
 */
export function createHealthCheck(deps: {
  supervisor: Supervisor;
  /** Reasons about service modules (agents/agent/services/: a readiness probe that fails). */
  serviceReasons: () => HealthReason[];
  logWriteError: () => string | null;
  startedAt: number;
  clock: Clock;
}): () => HealthResult {
  return () => {
    const reasons: HealthReason[] = [];
    for (const s of deps.supervisor.status()) {
      if (s.flapping) reasons.push({ code: 'service-flapping', subject: s.name, message: `${s.name} crashed ${s.consecutiveFailures} times in a row; restarts are slowed down` });
      else if (s.state === 'backoff') reasons.push({ code: 'service-backoff', subject: s.name, message: `${s.name} exited (${describeExit(s.lastExit)}); restarting at ${s.nextRestartAt}` });
      if (s.state === 'failed') reasons.push({ code: 'service-failed', subject: s.name, message: `${s.name} is stopped: ${s.lastError ?? describeExit(s.lastExit)}` });
    }
    reasons.push(...deps.serviceReasons());
    const logError = deps.logWriteError();
    if (logError) reasons.push({ code: 'log-write-failed', message: `cannot write agent.log: ${logError}` });
    const now = deps.clock.now();
    return {
      status: reasons.length === 0 ? 'ok' : 'degraded',
      reasons,
      startedAt: new Date(deps.startedAt).toISOString(),
      uptimeSeconds: Math.max(0, (now - deps.startedAt) / 1000),
      now: new Date(now).toISOString(),
      pid: process.pid,
    };
  };
}

function describeExit(exit: { code: number | null; signal: string | null } | null): string {
  if (!exit) return 'no exit recorded';
  return exit.signal ? `signal ${exit.signal}` : `code ${exit.code}`;
}
