import type { BackoffPolicy, FlappingPolicy, ServiceDefinition } from '../../protocol/agent-config';

/**
 * What happens after a service exits: whether to restart, after how long, and whether it is
 * flapping. Pure, so the whole policy is unit-tested with numbers instead of processes and sleeps.
 *
 * - The delay grows exponentially with consecutive failures (initial × factor^(n-1)), capped.
 * - A run that lasted `stableAfterMs` resets the count (the supervisor also resets it by timer while
 *   the service is still up, so `services.v1` shows the reset when it happens).
 * - `crashes` crashes within `windowMs` mark the service flapping: it is restarted at the cap delay
 *   until it runs stably again. It is never given up on: an appliance has no one to restart it.
 */
export interface CrashHistory {
  consecutiveFailures: number;
  /** Times of crashes still inside the flapping window. */
  recentCrashes: number[];
}

export interface ExitFacts {
  crashed: boolean;
  runtimeMs: number;
  at: number;
}

export interface RestartDecision {
  restart: boolean;
  delayMs: number;
  flapping: boolean;
  history: CrashHistory;
}

export function backoffDelay(policy: BackoffPolicy, consecutiveFailures: number): number {
  if (consecutiveFailures <= 0) return 0;
  const raw = policy.initialMs * Math.pow(policy.factor, consecutiveFailures - 1);
  return Math.min(policy.maxMs, Math.round(raw));
}

export function decideAfterExit(input: {
  exit: ExitFacts;
  history: CrashHistory;
  restart: ServiceDefinition['restart'];
  backoff: BackoffPolicy;
  flapping: FlappingPolicy;
}): RestartDecision {
  const { exit, backoff, flapping } = input;
  const stableRun = exit.runtimeMs >= backoff.stableAfterMs;
  const base: CrashHistory = stableRun ? { consecutiveFailures: 0, recentCrashes: [] } : input.history;
  const recentCrashes = base.recentCrashes.filter((t) => exit.at - t < flapping.windowMs);
  if (exit.crashed) recentCrashes.push(exit.at);
  const counts = exit.crashed || !stableRun;
  const history: CrashHistory = { consecutiveFailures: base.consecutiveFailures + (counts ? 1 : 0), recentCrashes };
  const isFlapping = recentCrashes.length >= flapping.crashes;
  const restart = exit.crashed ? input.restart !== 'never' : input.restart === 'always';
  const delayMs = !restart ? 0 : isFlapping ? backoff.maxMs : Math.max(backoffDelay(backoff, history.consecutiveFailures), counts ? 0 : backoff.initialMs);
  return { restart, delayMs, flapping: isFlapping, history };
}

/** The service's own backoff: the supervisor's policy with the service's overrides on top. */
export function effectiveBackoff(global: BackoffPolicy, service: ServiceDefinition): BackoffPolicy {
  const merged = { ...global, ...service.backoff };
  return { ...merged, maxMs: Math.max(merged.maxMs, merged.initialMs) };
}
