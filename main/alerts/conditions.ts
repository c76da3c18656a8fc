import { flattenCoded, flattenCodedList } from '../contract/alert-params';
import type { AlertRuleId, AlertSeverity, ThresholdUnit } from '../contract/alerts.contract';
import type { ApplianceObservation } from './observation';
import type { EffectiveRule } from './rules';

/** One rule's condition for one subject of one appliance, as observed now. */
export interface Condition {
  subject: string;
  /** null: cannot tell now (e.g. a self-test in progress); an open alert keeps its state. */
  active: boolean | null;
  /** Higher is worse; an open alert that reaches a higher rank re-fires as a new alert. */
  rank: number;
  severity: AlertSeverity;
  value: number | null;
  unit: ThresholdUnit | null;
  params: Record<string, string | number>;
  /** When the condition became true, if the observation knows (connectivity does). */
  since?: number;
}

/**
 * What a rule could tell from one observation. `complete`: the observation lists every subject
 * the rule applies to (all services, all disks), so an open alert whose subject is missing has
 * gone away. Otherwise a missing subject is unknown and its alert keeps its state.
 */
export interface Evaluation {
  conditions: Condition[];
  complete: boolean;
}

const UNKNOWN: Evaluation = { conditions: [], complete: false };

/** Service states in which a supervised service is not doing its job (agents/protocol SERVICE_STATES). */
const DOWN_STATES = new Set(['backoff', 'stopped', 'failed']);

const round = (v: number, digits = 1): number => Math.round(v * 10 ** digits) / 10 ** digits;

/** `fs.used_percent{mount=/srv/disks/d1}` → [['/srv/disks/d1', 97.2], …] for one metric family. */
function labelled(metrics: Record<string, number>, family: string, label: string): [string, number][] {
  const prefix = `${family}{${label}=`;
  const out: [string, number][] = [];
  for (const [key, value] of Object.entries(metrics)) {
    if (key.startsWith(prefix) && key.endsWith('}') && Number.isFinite(value)) out.push([key.slice(prefix.length, -1), value]);
  }
  return out;
}

function single(rule: EffectiveRule, value: number | undefined, unit: ThresholdUnit, compare: (v: number) => number = (v) => v): Evaluation {
  if (value === undefined || !Number.isFinite(value)) return UNKNOWN;
  const threshold = Object.values(rule.thresholds)[0]!;
  const active = compare(value) >= threshold;
  return { conditions: [{ subject: '', active, rank: 1, severity: rule.severity, value: round(value), unit, params: { value: round(value), threshold } }], complete: true };
}

/** Two levels (warning, critical) per labelled subject, e.g. each mount point. */
function twoLevel(rule: EffectiveRule, values: [string, number][]): Evaluation {
  const warning = rule.thresholds.warningPercent!;
  const critical = rule.thresholds.criticalPercent!;
  return {
    complete: false,
    conditions: values.map(([subject, value]) => {
      const isCritical = value >= critical;
      return {
        subject,
        active: value >= warning,
        rank: isCritical ? 2 : 1,
        severity: isCritical ? 'critical' : 'warning',
        value: round(value),
        unit: 'percent',
        params: { value: round(value), threshold: isCritical ? critical : warning },
      };
    }),
  };
}

const VERDICT_RANK = { healthy: 0, warning: 1, failing: 2, failed: 3 } as const;

type Evaluator = (rule: EffectiveRule, obs: ApplianceObservation) => Evaluation;

export const EVALUATORS: Readonly<Record<AlertRuleId, Evaluator>> = {
  'appliance-offline': (rule, obs) => ({
    complete: true,
    conditions: [
      {
        subject: '',
        active: obs.connectivity.state === 'offline',
        rank: 1,
        severity: rule.severity,
        value: null,
        unit: null,
        // English for the CLI; the code and its params (`reason.code`, `reason.<name>`) for the UI.
        params: {
          reason: obs.connectivity.reason ?? '—',
          ...flattenCoded('reason', obs.connectivity.reasonCode ? { code: obs.connectivity.reasonCode, params: obs.connectivity.reasonParams ?? {} } : null),
        },
        since: obs.connectivity.since,
      },
    ],
  }),
  'agent-down': (rule, obs) => {
    // Never provisioned: there is no agent to be down (an old alert resolves).
    if (obs.connectivity.state === 'not-provisioned') return { complete: true, conditions: [{ subject: '', active: false, rank: 1, severity: rule.severity, value: null, unit: null, params: { health: 'not-provisioned' } }] };
    // Offline: the agent's state is unknown, not down (appliance-offline covers it).
    if (obs.connectivity.state !== 'online' && obs.agent === null) return UNKNOWN;
    const down = obs.agent === null || obs.agent.health === 'failing';
    const health = obs.agent === null ? 'unreachable' : obs.agent.health;
    return { complete: true, conditions: [{ subject: '', active: down, rank: 1, severity: rule.severity, value: null, unit: null, params: { health } }] };
  },
  'service-down': (rule, obs) => {
    if (obs.agent === null) return UNKNOWN;
    return {
      complete: true,
      conditions: obs.agent.services.map((s) => ({
        subject: s.name,
        // A flapping service has its own alert; one problem, one page.
        active: DOWN_STATES.has(s.state) && !s.flapping && s.state !== 'flapping',
        rank: 1,
        severity: rule.severity,
        value: null,
        unit: null,
        params: { state: s.state, restarts: s.restarts },
      })),
    };
  },
  'service-flapping': (rule, obs) => {
    if (obs.agent === null) return UNKNOWN;
    return {
      complete: true,
      conditions: obs.agent.services.map((s) => ({
        subject: s.name,
        active: s.flapping || s.state === 'flapping',
        rank: 1,
        severity: rule.severity,
        value: null,
        unit: null,
        params: { restarts: s.restarts },
      })),
    };
  },
  'service-unready': (rule, obs) => {
    if (obs.agent === null) return UNKNOWN;
    return {
      complete: true,
      conditions: obs.agent.services.map((s) => {
        const r = s.readiness;
        return {
          subject: s.name,
          // Running but not serving. Not running is service-down's or service-flapping's to say; one problem, one page.
          active: s.state === 'running' && r?.state === 'unready',
          rank: 1,
          severity: rule.severity,
          value: null,
          unit: null,
          params: { probe: r?.probe ?? '—', failures: r?.consecutiveFailures ?? 0, message: r?.message ?? '—' },
          // The wait counts from when the probe started failing, not from when this console first saw it.
          ...(r?.state === 'unready' && r.since !== null ? { since: r.since } : {}),
        } satisfies Condition;
      }),
    };
  },
  'cpu-high': (rule, obs) => single(rule, obs.metrics['cpu.util_percent'], 'percent'),
  'memory-high': (rule, obs) => single(rule, obs.metrics['memory.used_percent'], 'percent'),
  'filesystem-full': (rule, obs) => twoLevel(rule, labelled(obs.metrics, 'fs.used_percent', 'mount')),
  'inodes-full': (rule, obs) => twoLevel(rule, labelled(obs.metrics, 'fs.inodes_used_percent', 'mount')),
  'disk-health-worse': (_rule, obs) => ({
    complete: true,
    conditions: obs.disks.map((d) => ({
      subject: d.device,
      active: d.verdict !== 'healthy',
      rank: VERDICT_RANK[d.verdict],
      severity: d.verdict === 'warning' ? 'warning' : 'critical',
      value: null,
      unit: null,
      params: { verdict: d.verdict, reasons: d.reasons.join('; ') || '—', ...flattenCodedList('reasons', d.reasonCodes ?? []) },
    })),
  }),
  'disk-temperature': (rule, obs) => {
    const configured = rule.thresholds.celsius!;
    return {
      complete: true,
      conditions: obs.disks.map((d) => {
          const t = d.temperatureC !== null && Number.isFinite(d.temperatureC) ? d.temperatureC : null;
          const limit = d.temperatureLimitC ?? null;
          const atLimit = t !== null && limit !== null && t >= limit;
          return {
            subject: d.device,
            active: t === null ? null : t >= configured || atLimit,
            rank: atLimit ? 2 : 1,
            severity: atLimit ? 'critical' : 'warning',
            value: t,
            unit: 'celsius',
            params: { value: t ?? '—', threshold: atLimit && limit !== null ? limit : configured },
          } satisfies Condition;
        }),
    };
  },
  'temperature-high': (rule, obs) => ({
    complete: false,
    conditions: labelled(obs.metrics, 'temp.celsius', 'sensor').map(([sensor, value]) => ({
      subject: sensor,
      active: value >= rule.thresholds.celsius!,
      rank: 1,
      severity: rule.severity,
      value: round(value),
      unit: 'celsius',
      params: { value: round(value), threshold: rule.thresholds.celsius! },
    })),
  }),
  // Either direction counts: a clock behind breaks TLS and SMART timestamps as surely as one ahead.
  'clock-skew': (rule, obs) => single(rule, obs.metrics['clock.skew_seconds'], 'seconds', Math.abs),
  'smart-selftest-failed': (rule, obs) => ({
    complete: true,
    conditions: obs.disks.map((d) => ({
        subject: d.device,
        // A test in progress says nothing about the last result: keep whatever state there is.
        active: d.lastSelfTest?.status === 'in-progress' ? null : d.lastSelfTest?.status === 'failed',
        rank: 1,
        severity: rule.severity,
        value: null,
        unit: null,
        params: { kind: d.lastSelfTest?.kind ?? '—' },
      })),
  }),
  // Provisioned or not: a changed key is a security event, not an availability one.
  'host-key-changed': (rule, obs) => {
    const p = obs.connectivity.reasonParams ?? {};
    return {
      complete: true,
      conditions: [
        {
          subject: '',
          active: obs.connectivity.reasonCode === 'ssh.host-key-changed',
          rank: 1,
          severity: rule.severity,
          value: null,
          unit: null,
          params: { presented: String(p.fingerprint ?? '—'), accepted: String(p.known ?? '—') },
        },
      ],
    };
  },
};
