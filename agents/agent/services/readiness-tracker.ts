import type { ServiceReadiness } from '../../protocol/payloads/services';
import type { Clock } from '../clock';
import type { ProbeOutcome } from './readiness-probe';

/**
 * One service's readiness, from its probes' outcomes: `pending` after a start until the first
 * success (failures within the start-up grace do not count against it), `ready`, `unready` (a
 * failure after the grace, or after it had been ready), `not-running`. A new pid starts over.
 */
export interface ReadinessTracker {
  /**
   * The readiness to report for the service's current process: a run the probe has not seen yet
   * (a restart since the last probe) is `pending`, never the previous run's answer.
   */
  view(current: { state: string; pid: number | null; startedAt: string | null }): ServiceReadiness;
  notRunning(): void;
  /** The service runs as `pid` since `startedAt`: a pid other than the last one starts over at `pending`. */
  runningAs(pid: number, startedAt: string | null, probe: string): void;
  record(outcome: ProbeOutcome, startupGraceMs: number): void;
}

export function createReadinessTracker(clock: Clock): ReadinessTracker {
  const iso = () => new Date(clock.now()).toISOString();
  let r: ServiceReadiness = { state: 'not-running', probe: '', since: null, checkedAt: null, message: null, consecutiveFailures: 0 };
  let pid: number | null = null;
  let startedAtMs: number | null = null;

  const enter = (state: ServiceReadiness['state']) => {
    if (r.state !== state) r = { ...r, state, since: iso() };
  };

  return {
    view(current) {
      if (current.state !== 'running' || current.pid === null) return r.state === 'not-running' ? { ...r } : { ...r, state: 'not-running', since: null, message: null, consecutiveFailures: 0 };
      if (current.pid !== pid) return { ...r, state: 'pending', since: current.startedAt, checkedAt: null, message: null, consecutiveFailures: 0 };
      return { ...r };
    },
    notRunning() {
      pid = null;
      startedAtMs = null;
      if (r.state !== 'not-running') r = { ...r, state: 'not-running', since: iso(), message: null, consecutiveFailures: 0 };
    },
    runningAs(nextPid, startedAt, probe) {
      r = { ...r, probe };
      if (nextPid === pid) return;
      pid = nextPid;
      startedAtMs = startedAt ? Date.parse(startedAt) : clock.now();
      r = { ...r, state: 'pending', since: startedAt ?? iso(), checkedAt: null, message: null, consecutiveFailures: 0 };
    },
    record(outcome, startupGraceMs) {
      r = { ...r, checkedAt: iso() };
      if (outcome.ok) {
        r = { ...r, message: null, consecutiveFailures: 0 };
        enter('ready');
        return;
      }
      r = { ...r, message: outcome.message, consecutiveFailures: r.consecutiveFailures + 1 };
      const inGrace = startedAtMs !== null && clock.now() - startedAtMs < startupGraceMs;
      if (r.state === 'ready' || !inGrace) enter('unready');
    },
  };
}
