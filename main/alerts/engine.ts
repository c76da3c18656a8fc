import { createHash } from 'node:crypto';
import type { AlertResolution, AlertRuleId, AlertSeverity, ThresholdUnit } from './types';
import { EVALUATORS, type Condition } from './conditions';
import type { ApplianceObservation } from './observation';
import type { EffectiveRule } from './rules';
import { matchingSilence, type SilenceRecord } from './silences';

/** An alert instance as the engine and the store hold it (times in ms since epoch). */
export interface AlertRecord {
  id: string;
  /** Dedup key: rule + appliance + subject. At most one open (pending/firing/acknowledged) alert per key. */
  key: string;
  ruleId: AlertRuleId;
  applianceId: string;
  applianceName: string;
  subject: string;
  state: 'pending' | 'firing' | 'acknowledged' | 'resolved';
  severity: AlertSeverity;
  /** The worst rank reached by this instance; a higher one re-fires as a new instance. */
  rank: number;
  value: number | null;
  unit: ThresholdUnit | null;
  params: Record<string, string | number>;
  startedAt: number;
  firedAt: number | null;
  resolvedAt: number | null;
  resolution: AlertResolution | null;
  lastSeenAt: number;
  /** Since when the condition has been worse than `rank` (escalation waits the rule's duration too). */
  escalatingSince: number | null;
  ack: { by: string; at: number; note: string } | null;
}

export type OpenAlert = AlertRecord & { state: 'pending' | 'firing' | 'acknowledged' };

/**
 * One change the service persists. `pending`, `firing` and `resolved` are state transitions
 * (firing and resolved are audited); `cleared` drops a pending alert whose condition went away before
 * its duration (it never fired, so nothing to keep); `updated` refreshes value, severity and name.
 */
export type Transition =
  | { type: 'pending' | 'updated' | 'cleared'; alert: AlertRecord }
  | { type: 'firing'; alert: AlertRecord; silencedBy: string | null }
  | { type: 'resolved'; alert: AlertRecord; from: 'pending' | 'firing' | 'acknowledged' };

export interface EngineInput {
  rules: readonly EffectiveRule[];
  /** The open alerts from the previous round. */
  open: readonly OpenAlert[];
  observations: readonly ApplianceObservation[];
  silences: readonly SilenceRecord[];
  now: number;
}

export interface EngineOutput {
  open: OpenAlert[];
  transitions: Transition[];
}

export function alertKey(ruleId: string, applianceId: string, subject: string): string {
  return `${ruleId}|${applianceId}|${subject}`;
}

/** Deterministic, so the engine stays pure: the key and the moment the instance began identify it. */
export function alertId(key: string, startedAt: number, rank: number): string {
  return createHash('sha256').update(`${key}|${startedAt}|${rank}`).digest('base64url').slice(0, 22);
}

/**
 * One evaluation round: a pure function of the rules, the previous open alerts, this round's
 * observations, the active silences and the time. Appliances not observed this round, and subjects
 * an observation cannot speak for (a missing metric, the agent unreachable), keep their state.
 */
export function evaluate(input: EngineInput): EngineOutput {
  const { now } = input;
  const open = new Map<string, OpenAlert>(input.open.map((a) => [a.key, { ...a }]));
  const transitions: Transition[] = [];

  const fire = (a: OpenAlert): void => {
    a.state = 'firing';
    a.firedAt = now;
    transitions.push({ type: 'firing', alert: { ...a }, silencedBy: matchingSilence(input.silences, a, now)?.id ?? null });
  };
  const resolve = (a: OpenAlert, resolution: AlertResolution): void => {
    open.delete(a.key);
    if (a.state === 'pending') {
      transitions.push({ type: 'cleared', alert: { ...a } });
      return;
    }
    const from = a.state;
    transitions.push({ type: 'resolved', from, alert: { ...a, state: 'resolved', resolvedAt: now, resolution, escalatingSince: null } });
  };
  const start = (rule: EffectiveRule, obs: ApplianceObservation, key: string, c: Condition, startedAt: number): void => {
    const a: OpenAlert = {
      id: alertId(key, startedAt, c.rank),
      key,
      ruleId: rule.id,
      applianceId: obs.applianceId,
      applianceName: obs.name,
      subject: c.subject,
      state: 'pending',
      severity: c.severity,
      rank: c.rank,
      value: c.value,
      unit: c.unit,
      params: c.params,
      startedAt,
      firedAt: null,
      resolvedAt: null,
      resolution: null,
      lastSeenAt: now,
      escalatingSince: null,
      ack: null,
    };
    open.set(key, a);
    if (now - startedAt >= rule.durationMs) fire(a);
    else transitions.push({ type: 'pending', alert: { ...a } });
  };

  const step = (rule: EffectiveRule, obs: ApplianceObservation, c: Condition): void => {
    const key = alertKey(rule.id, obs.applianceId, c.subject);
    const a = open.get(key);
    if (c.active === null) return; // unknown now: keep whatever there is
    if (!c.active) {
      if (a) resolve(a, 'condition-cleared');
      return;
    }
    if (!a) {
      start(rule, obs, key, c, Math.min(c.since ?? now, now));
      return;
    }
    a.value = c.value;
    a.unit = c.unit;
    a.params = c.params;
    a.applianceName = obs.name;
    a.lastSeenAt = now;
    if (a.state === 'pending') {
      // Not fired yet: it simply takes the current level.
      a.rank = c.rank;
      a.severity = c.severity;
      if (now - a.startedAt >= rule.durationMs) fire(a);
      else transitions.push({ type: 'updated', alert: { ...a } });
      return;
    }
    if (c.rank > a.rank) {
      a.escalatingSince ??= now;
      if (now - a.escalatingSince >= rule.durationMs) {
        // Worse than when it fired (and acknowledged): a new alert, so it notifies and asks for a new ack.
        const since = a.escalatingSince;
        resolve(a, 'escalated');
        start(rule, obs, key, c, since);
        return;
      }
    } else {
      a.escalatingSince = null;
    }
    transitions.push({ type: 'updated', alert: { ...a } });
  };

  const enabled = input.rules.filter((r) => r.enabled);
  for (const obs of input.observations) {
    for (const rule of enabled) {
      const ev = EVALUATORS[rule.id](rule, obs);
      const seen = new Set<string>();
      for (const c of ev.conditions) {
        seen.add(c.subject);
        step(rule, obs, c);
      }
      if (!ev.complete) continue;
      // The observation lists every subject: one that is gone (a removed service or disk) is no longer a problem.
      for (const a of [...open.values()]) {
        if (a.ruleId === rule.id && a.applianceId === obs.applianceId && !seen.has(a.subject)) resolve(a, 'condition-cleared');
      }
    }
  }
  const disabled = new Set(input.rules.filter((r) => !r.enabled).map((r) => r.id));
  for (const a of [...open.values()]) if (disabled.has(a.ruleId)) resolve(a, 'rule-disabled');

  return { open: [...open.values()], transitions };
}

/** Someone is on it. Only a firing alert can be acknowledged; it still resolves by itself. */
export function acknowledge(a: OpenAlert, by: string, note: string, now: number): OpenAlert {
  return { ...a, state: 'acknowledged', ack: { by, at: now, note } };
}

/** Ends every open alert of an appliance that is no longer managed. */
export function resolveAppliance(open: readonly OpenAlert[], applianceId: string, now: number): Transition[] {
  return open
    .filter((a) => a.applianceId === applianceId)
    .map((a): Transition =>
      a.state === 'pending'
        ? { type: 'cleared', alert: a }
        : { type: 'resolved', from: a.state, alert: { ...a, state: 'resolved', resolvedAt: now, resolution: 'appliance-removed', escalatingSince: null } },
    );
}
