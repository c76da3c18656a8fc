import crypto from 'node:crypto';
import type { Alert, AlertRule, AlertRuleId, AlertsChanged, AlertState, Silence } from '../contract/alerts.contract';
import { ALERT_RULE_IDS } from '../contract/alerts.contract';
import { ApiError } from '../contract/errors';
import type { Clock } from '../core/clock';
import type { EventBus } from '../core/event-bus';
import type { AuditStore } from '../store/audit-store';
import type { AlertStore } from './alert-store';
import { acknowledge, evaluate, resolveAppliance, type AlertRecord, type Transition } from './engine';
import type { ApplianceObservation } from './observation';
import { describeRule, effectiveRules, validateOverride, type RuleOverride } from './rules';
import { isSilenceActive, matchingSilence, type SilenceRecord } from './silences';

export interface AlertServiceDeps {
  store: AlertStore;
  audit: AuditStore;
  events: EventBus;
  clock: Clock;
  /** Which host runs the engine, for the audit rows of system transitions. */
  host: 'desktop' | 'serve' | 'cli';
}

/** Who the audit log names for transitions nobody asked for. */
export const SYSTEM_ACTOR = 'system';

/** The silences list is for people: the recent ones are what matter, and it must stay bounded. */
const MAX_LISTED_SILENCES = 200;

const iso = (ms: number): string => new Date(ms).toISOString();

function toApiSilence(s: SilenceRecord, now: number): Silence {
  return {
    id: s.id,
    match: { ...s.match },
    startsAt: iso(s.startsAt),
    endsAt: iso(s.endsAt),
    reason: s.reason,
    createdBy: s.createdBy,
    liftedAt: s.liftedAt === null ? null : iso(s.liftedAt),
    liftedBy: s.liftedBy,
    active: isSilenceActive(s, now),
  };
}

/**
 * The alert engine with its state kept in SQLite. Each `observe` round loads the open alerts,
 * evaluates, and writes the transitions in one transaction, so an acknowledgement made by another
 * process (the CLI) between rounds is never overwritten. Firing and resolving are audited as
 * "system"; acknowledgements, silences and rule changes are API calls, audited by the dispatcher.
 * Pending alerts are not audited: a condition hovering near a threshold would fill the log with
 * "pending, cleared" pairs that never concerned anyone.
 */
export function createAlertService(deps: AlertServiceDeps) {
  const { store, audit, events, clock } = deps;
  const now = (): number => clock.now().getTime();

  const toApi = (a: AlertRecord, silences: readonly SilenceRecord[], at: number): Alert => ({
    id: a.id,
    ruleId: a.ruleId,
    applianceId: a.applianceId,
    applianceName: a.applianceName,
    subject: a.subject,
    severity: a.severity,
    state: a.state,
    value: a.value,
    unit: a.unit,
    params: a.params,
    startedAt: iso(a.startedAt),
    firedAt: a.firedAt === null ? null : iso(a.firedAt),
    resolvedAt: a.resolvedAt === null ? null : iso(a.resolvedAt),
    resolution: a.resolution,
    lastSeenAt: iso(a.lastSeenAt),
    acknowledged: a.ack ? { by: a.ack.by, at: iso(a.ack.at), note: a.ack.note } : null,
    // Resolved alerts are history: whether a silence covers them now means nothing.
    silencedBy: a.state === 'resolved' ? null : (matchingSilence(silences, a, at)?.id ?? null),
  });

  const auditTransition = (t: Transition, at: number): void => {
    if (t.type !== 'firing' && t.type !== 'resolved') return;
    const a = t.alert;
    audit.append({
      at: iso(at),
      host: deps.host,
      actor: SYSTEM_ACTOR,
      method: t.type === 'firing' ? 'alert.firing' : 'alert.resolved',
      target: a.applianceId,
      input: {
        alertId: a.id,
        ruleId: a.ruleId,
        subject: a.subject,
        severity: a.severity,
        value: a.value,
        unit: a.unit,
        ...(t.type === 'firing' ? { silencedBy: t.silencedBy } : { from: t.from, resolution: a.resolution }),
      },
      result: 'ok',
      errorCode: null,
    });
  };

  /** Writes transitions and their audit rows in one transaction; tells the UI when something changed state. */
  const apply = (transitions: readonly Transition[], at: number): AlertsChanged['newlyFiring'] => {
    store.transaction(() => {
      for (const t of transitions) {
        if (t.type === 'cleared') store.remove(t.alert.id);
        else store.save(t.alert);
        auditTransition(t, at);
      }
    });
    const newlyFiring = transitions.flatMap((t) =>
      t.type === 'firing'
        ? [{ id: t.alert.id, ruleId: t.alert.ruleId, applianceId: t.alert.applianceId, applianceName: t.alert.applianceName, subject: t.alert.subject, severity: t.alert.severity, value: t.alert.value, unit: t.alert.unit, params: t.alert.params, silenced: t.silencedBy !== null }]
        : [],
    );
    // Value refreshes alone do not change what anyone sees counted; the list refetches on its own.
    if (transitions.some((t) => t.type !== 'updated')) events.emit('alerts.changed', { newlyFiring });
    return newlyFiring;
  };

  /** Acknowledge inside the caller's transaction: the state checked is the state changed. */
  const acknowledgeLocked = (id: string, note: string, by: string, at: number): Alert => {
    const a = store.get(id);
    if (!a) throw new ApiError('not-found', `No alert with id ${id}`, { params: { id } });
    if (a.state === 'pending') throw new ApiError('conflict', 'This alert is not firing yet (its condition has not lasted the rule’s duration); nothing to acknowledge', { params: { state: a.state } });
    if (a.state === 'resolved') throw new ApiError('conflict', 'This alert has already resolved; nothing to acknowledge', { params: { state: a.state } });
    if (a.state === 'acknowledged') {
      throw new ApiError('conflict', `${a.ack?.by ?? 'Someone'} already acknowledged this alert at ${a.ack ? iso(a.ack.at) : 'an earlier time'}`, { params: { state: a.state, by: a.ack?.by ?? '' } });
    }
    const next = acknowledge({ ...a, state: 'firing' }, by, note, at);
    store.save(next);
    events.emit('alerts.changed', { newlyFiring: [] });
    return toApi(next, store.liveSilences(at), at);
  };

  const service = {
    /** One round of the collectors: evaluate every rule on these observations and persist what changed. */
    observe(observations: readonly ApplianceObservation[]): { transitions: Transition[]; newlyFiring: AlertsChanged['newlyFiring'] } {
      const at = now();
      // Read, evaluate and write under one write lock: an acknowledgement made meanwhile by another
      // process (the CLI) is either seen by this round or made after it, never overwritten.
      return store.transaction(() => {
        const { transitions } = evaluate({ rules: effectiveRules(store.overrides()), open: store.open(), observations, silences: store.liveSilences(at), now: at });
        const newlyFiring = apply(transitions, at);
        return { transitions, newlyFiring };
      });
    },

    list(q: { states: AlertState[]; applianceId?: string; limit: number; cursor?: number }): { alerts: Alert[]; nextCursor: number | null } {
      const at = now();
      const silences = store.liveSilences(at);
      const page = store.page(q);
      return { alerts: page.alerts.map((a) => toApi(a, silences, at)), nextCursor: page.nextCursor };
    },

    /** Active (pending, firing, acknowledged) alerts per appliance with the worst severity: the Fleet table's column, from one read. */
    countsByAppliance(): Map<string, { count: number; worst: 'critical' | 'warning' | null }> {
      const out = new Map<string, { count: number; worst: 'critical' | 'warning' | null }>();
      for (const a of store.open()) {
        const c = out.get(a.applianceId) ?? { count: 0, worst: null };
        c.count++;
        if (c.worst !== 'critical') c.worst = a.severity;
        out.set(a.applianceId, c);
      }
      return out;
    },

    summary() {
      const at = now();
      const silences = store.liveSilences(at);
      const out = { unacknowledged: 0, firing: { critical: 0, warning: 0 }, acknowledged: 0, pending: 0, silenced: 0 };
      for (const a of store.open()) {
        const silenced = matchingSilence(silences, a, at) !== undefined;
        if (silenced) out.silenced++;
        if (a.state === 'pending') out.pending++;
        else if (a.state === 'acknowledged') out.acknowledged++;
        else {
          out.firing[a.severity]++;
          // The badge asks for attention: silenced alerts were deliberately set aside.
          if (!silenced) out.unacknowledged++;
        }
      }
      return out;
    },

    acknowledge(id: string, note: string, by: string): Alert {
      const at = now();
      return store.transaction(() => acknowledgeLocked(id, note, by, at));
    },

    silence(input: { match: SilenceRecord['match']; durationMinutes: number; reason: string }, by: string): Silence {
      const at = now();
      const s: SilenceRecord = { id: crypto.randomUUID(), match: input.match, startsAt: at, endsAt: at + input.durationMinutes * 60_000, reason: input.reason, createdBy: by, liftedAt: null, liftedBy: null };
      store.insertSilence(s);
      events.emit('alerts.changed', { newlyFiring: [] });
      return toApiSilence(s, at);
    },

    silences(includeEnded: boolean): { silences: Silence[] } {
      const at = now();
      const list = includeEnded ? store.recentSilences(MAX_LISTED_SILENCES) : store.liveSilences(at);
      // Active first, then by end time: what is in force now is what people look for.
      const sorted = [...list].sort((x, y) => Number(isSilenceActive(y, at)) - Number(isSilenceActive(x, at)) || y.endsAt - x.endsAt);
      return { silences: sorted.map((s) => toApiSilence(s, at)) };
    },

    unsilence(id: string, by: string): Silence {
      const at = now();
      const s = store.silence(id);
      if (!s) throw new ApiError('not-found', `No silence with id ${id}`, { params: { id } });
      if (s.liftedAt !== null) throw new ApiError('conflict', `${s.liftedBy ?? 'Someone'} already lifted this silence`, { params: { by: s.liftedBy ?? '' } });
      if (s.endsAt <= at) throw new ApiError('conflict', 'This silence has already expired', { params: { endsAt: iso(s.endsAt) } });
      store.liftSilence(id, at, by);
      events.emit('alerts.changed', { newlyFiring: [] });
      return toApiSilence({ ...s, liftedAt: at, liftedBy: by }, at);
    },

    rules(): { rules: AlertRule[] } {
      const overrides = store.overrides();
      return { rules: ALERT_RULE_IDS.map((id) => describeRule(id, overrides.get(id))) };
    },

    /**
     * Validates the whole rule after the change (ranges, warning below critical) and refuses it with
     * field issues. A rule switched off resolves its open alerts at once rather than at the next round.
     */
    updateRule(input: { id: AlertRuleId; thresholds?: Record<string, number>; durationSeconds?: number; enabled?: boolean }): AlertRule {
      const id = input.id;
      const current = store.overrides().get(id) ?? {};
      const next: RuleOverride = {
        ...current,
        ...(input.thresholds ? { thresholds: { ...current.thresholds, ...input.thresholds } } : {}),
        ...(input.durationSeconds !== undefined ? { durationSeconds: input.durationSeconds } : {}),
        ...(input.enabled !== undefined ? { enabled: input.enabled } : {}),
      };
      const issues = validateOverride(id, next);
      if (issues.length > 0) throw new ApiError('invalid-input', `Rule ${id} not changed: ${issues.map((i) => i.message).join('; ')}`, { issues });
      store.setOverride(id, next, clock.now().toISOString());
      if (next.enabled === false) service.observe([]);
      events.emit('alerts.changed', { newlyFiring: [] });
      return describeRule(id, next);
    },

    resetRule(id: AlertRuleId): AlertRule {
      store.deleteOverride(id);
      events.emit('alerts.changed', { newlyFiring: [] });
      return describeRule(id, undefined);
    },

    /** An appliance left the fleet: its open alerts end (as history) instead of lingering forever. */
    applianceRemoved(applianceId: string): void {
      const at = now();
      apply(resolveAppliance(store.open(), applianceId, at), at);
    },
    /** Stops following fleet removals (the console is closing). */
    dispose: () => unsubscribe(),
  };
  const unsubscribe = events.subscribe((event, payload) => {
    if (event === 'fleet.changed') {
      const p = payload as { change: string; id: string };
      if (p.change === 'removed') service.applianceRemoved(p.id);
    }
  });
  return service;
}
export type AlertService = ReturnType<typeof createAlertService>;
