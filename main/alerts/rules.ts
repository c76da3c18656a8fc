import type { AlertRule, AlertRuleId, AlertSeverity, ThresholdUnit } from '../contract/alerts.contract';
import { ALERT_RULE_IDS, MAX_RULE_DURATION_SECONDS } from '../contract/alerts.contract';
import type { ApiIssue } from '../contract/errors';

export interface ThresholdDef {
  key: string;
  unit: ThresholdUnit;
  defaultValue: number;
  min: number;
  max: number;
  severity: AlertSeverity;
}

export interface RuleDef {
  id: AlertRuleId;
  /** The severity of a single-level rule; multi-level rules take it from the threshold crossed. */
  severity: AlertSeverity;
  thresholds: readonly ThresholdDef[];
  defaultDurationSeconds: number;
}

const pct = (key: string, defaultValue: number, severity: AlertSeverity): ThresholdDef => ({ key, unit: 'percent', defaultValue, min: 1, max: 100, severity });

/**
 * The built-in rules and their defaults. Durations follow what an on-call person would accept:
 * long enough that a reboot or a short burst does not page, short enough that a full disk does.
 */
export const RULE_DEFS: Readonly<Record<AlertRuleId, RuleDef>> = {
  'appliance-offline': { id: 'appliance-offline', severity: 'critical', thresholds: [], defaultDurationSeconds: 120 },
  'agent-down': { id: 'agent-down', severity: 'critical', thresholds: [], defaultDurationSeconds: 60 },
  'service-down': { id: 'service-down', severity: 'critical', thresholds: [], defaultDurationSeconds: 60 },
  'service-flapping': { id: 'service-flapping', severity: 'warning', thresholds: [], defaultDurationSeconds: 0 },
  // Critical like service-down: its clients are refused as surely as by a stopped process. A minute,
  // because a probe can miss during a slow start past the module's grace or a burst of load.
  'service-unready': { id: 'service-unready', severity: 'critical', thresholds: [], defaultDurationSeconds: 60 },
  'cpu-high': { id: 'cpu-high', severity: 'warning', thresholds: [pct('percent', 90, 'warning')], defaultDurationSeconds: 600 },
  'memory-high': { id: 'memory-high', severity: 'warning', thresholds: [pct('percent', 90, 'warning')], defaultDurationSeconds: 600 },
  'filesystem-full': {
    id: 'filesystem-full',
    severity: 'critical',
    thresholds: [pct('warningPercent', 85, 'warning'), pct('criticalPercent', 95, 'critical')],
    defaultDurationSeconds: 60,
  },
  'inodes-full': {
    id: 'inodes-full',
    severity: 'critical',
    thresholds: [pct('warningPercent', 85, 'warning'), pct('criticalPercent', 95, 'critical')],
    defaultDurationSeconds: 60,
  },
  // Severity from the verdict (warning → warning; failing, failed → critical); no wait: SMART is already a trend.
  'disk-health-worse': { id: 'disk-health-worse', severity: 'critical', thresholds: [], defaultDurationSeconds: 0 },
  // Warning at the configured °C, critical at the drive's own limit when the collector knows it.
  'disk-temperature': {
    id: 'disk-temperature',
    severity: 'warning',
    thresholds: [{ key: 'celsius', unit: 'celsius', defaultValue: 55, min: 20, max: 100, severity: 'warning' }],
    defaultDurationSeconds: 300,
  },
  'temperature-high': {
    id: 'temperature-high',
    severity: 'warning',
    thresholds: [{ key: 'celsius', unit: 'celsius', defaultValue: 85, min: 20, max: 120, severity: 'warning' }],
    defaultDurationSeconds: 300,
  },
  'clock-skew': {
    id: 'clock-skew',
    severity: 'warning',
    thresholds: [{ key: 'seconds', unit: 'seconds', defaultValue: 30, min: 1, max: 86_400, severity: 'warning' }],
    defaultDurationSeconds: 60,
  },
  'smart-selftest-failed': { id: 'smart-selftest-failed', severity: 'critical', thresholds: [], defaultDurationSeconds: 0 },
  // A changed SSH host key: a reinstall, or someone in the middle. Every connection is refused until a person accepts the new key.
  'host-key-changed': { id: 'host-key-changed', severity: 'critical', thresholds: [], defaultDurationSeconds: 0 },
};

/** What a person changed; absent fields keep the default. Stored as JSON per rule. */
export interface RuleOverride {
  thresholds?: Record<string, number>;
  durationSeconds?: number;
  enabled?: boolean;
}

/** A rule as the engine applies it: defaults with the override on top. */
export interface EffectiveRule {
  id: AlertRuleId;
  severity: AlertSeverity;
  thresholds: Record<string, number>;
  durationMs: number;
  enabled: boolean;
}

export function effectiveRule(id: AlertRuleId, override: RuleOverride | undefined): EffectiveRule {
  const def = RULE_DEFS[id];
  const thresholds: Record<string, number> = {};
  for (const t of def.thresholds) thresholds[t.key] = override?.thresholds?.[t.key] ?? t.defaultValue;
  return {
    id,
    severity: def.severity,
    thresholds,
    durationMs: (override?.durationSeconds ?? def.defaultDurationSeconds) * 1000,
    enabled: override?.enabled ?? true,
  };
}

export function effectiveRules(overrides: ReadonlyMap<AlertRuleId, RuleOverride>): EffectiveRule[] {
  return ALERT_RULE_IDS.map((id) => effectiveRule(id, overrides.get(id)));
}

/** The API view: every threshold with its unit, range and default, so the editor needs no copy of them. */
export function describeRule(id: AlertRuleId, override: RuleOverride | undefined): AlertRule {
  const def = RULE_DEFS[id];
  const eff = effectiveRule(id, override);
  const durationSeconds = eff.durationMs / 1000;
  const thresholds = def.thresholds.map((t) => ({ key: t.key, unit: t.unit, value: eff.thresholds[t.key]!, defaultValue: t.defaultValue, min: t.min, max: t.max, severity: t.severity }));
  return {
    id,
    severity: def.severity,
    thresholds,
    durationSeconds,
    defaultDurationSeconds: def.defaultDurationSeconds,
    enabled: eff.enabled,
    customised: !eff.enabled || durationSeconds !== def.defaultDurationSeconds || thresholds.some((t) => t.value !== t.defaultValue),
  };
}

/**
 * Checks a change against the rule's thresholds: known keys, each within its range, and a warning
 * level below the critical one. Returns field issues in the dispatcher's shape (empty: valid).
 */
export function validateOverride(id: AlertRuleId, next: RuleOverride): ApiIssue[] {
  const def = RULE_DEFS[id];
  const issues: ApiIssue[] = [];
  for (const [key, value] of Object.entries(next.thresholds ?? {})) {
    const t = def.thresholds.find((x) => x.key === key);
    const path = `thresholds.${key}`;
    if (!t) {
      const known = def.thresholds.map((x) => x.key).join(', ') || 'none';
      issues.push({ path, code: 'unknown-threshold', message: `Rule ${id} has no threshold "${key}" (it has: ${known})`, params: { known } });
    } else if (value < t.min) {
      issues.push({ path, code: 'too-small', message: `${key} must be at least ${t.min} (${t.unit})`, params: { limit: t.min, origin: 'number' } });
    } else if (value > t.max) {
      issues.push({ path, code: 'too-big', message: `${key} must be at most ${t.max} (${t.unit})`, params: { limit: t.max, origin: 'number' } });
    }
  }
  const eff = effectiveRule(id, next);
  if ('warningPercent' in eff.thresholds && 'criticalPercent' in eff.thresholds && eff.thresholds.warningPercent! >= eff.thresholds.criticalPercent!) {
    issues.push({
      path: 'thresholds.warningPercent',
      code: 'threshold-order',
      message: `The warning level (${eff.thresholds.warningPercent} %) must be below the critical level (${eff.thresholds.criticalPercent} %)`,
      params: { warning: eff.thresholds.warningPercent!, critical: eff.thresholds.criticalPercent! },
    });
  }
  if (next.durationSeconds !== undefined && (next.durationSeconds < 0 || next.durationSeconds > MAX_RULE_DURATION_SECONDS)) {
    issues.push({ path: 'durationSeconds', code: 'too-big', message: `durationSeconds must be 0–${MAX_RULE_DURATION_SECONDS}`, params: { limit: MAX_RULE_DURATION_SECONDS, origin: 'number' } });
  }
  return issues;
}
