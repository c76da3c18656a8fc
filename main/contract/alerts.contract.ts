import { z } from 'zod';
import { defineMethod } from './define';
import { entityId, isoTime } from './common.schemas';
import { multiLineText, singleLineText } from './text.schemas';

/** Built-in rules. Ids are stable: overrides, silences and history refer to them. */
export const ALERT_RULE_IDS = [
  'appliance-offline',
  'agent-down',
  'service-down',
  'service-flapping',
  'service-unready',
  'cpu-high',
  'memory-high',
  'filesystem-full',
  'inodes-full',
  'disk-health-worse',
  'disk-temperature',
  'temperature-high',
  'clock-skew',
  'smart-selftest-failed',
  'host-key-changed',
] as const;
export const alertRuleId = z.enum(ALERT_RULE_IDS);
export type AlertRuleId = z.infer<typeof alertRuleId>;

export const ALERT_SEVERITIES = ['critical', 'warning'] as const;
export const alertSeverity = z.enum(ALERT_SEVERITIES);
export type AlertSeverity = z.infer<typeof alertSeverity>;

/** pending: condition true, not yet for the rule's duration; acknowledged alerts resolve like firing ones. */
export const ALERT_STATES = ['pending', 'firing', 'acknowledged', 'resolved'] as const;
export const alertState = z.enum(ALERT_STATES);
export type AlertState = z.infer<typeof alertState>;
/** What the Active tab and `appliance-console alerts` show by default. */
export const ACTIVE_ALERT_STATES: readonly AlertState[] = ['pending', 'firing', 'acknowledged'];

export const THRESHOLD_UNITS = ['percent', 'celsius', 'seconds'] as const;
export const thresholdUnit = z.enum(THRESHOLD_UNITS);
export type ThresholdUnit = z.infer<typeof thresholdUnit>;

/** Why an alert ended. `escalated`: it got worse and a new, more severe alert replaced it. */
export const ALERT_RESOLUTIONS = ['condition-cleared', 'escalated', 'rule-disabled', 'appliance-removed'] as const;
export const alertResolution = z.enum(ALERT_RESOLUTIONS);

export const alert = z.strictObject({
  id: entityId,
  ruleId: alertRuleId,
  applianceId: z.string(),
  applianceName: z.string(),
  /** Mount point, disk, service or sensor; '' for rules about the whole appliance. */
  subject: z.string(),
  severity: alertSeverity,
  state: alertState,
  /** The measured value in `unit`, when the rule measures one. */
  value: z.number().nullable(),
  unit: thresholdUnit.nullable(),
  /** Values for the rule's translated detail text (`alerts.detail.<ruleId>`). */
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** When the condition became true. */
  startedAt: isoTime,
  firedAt: isoTime.nullable(),
  resolvedAt: isoTime.nullable(),
  resolution: alertResolution.nullable(),
  lastSeenAt: isoTime,
  acknowledged: z.strictObject({ by: z.string(), at: isoTime, note: z.string() }).nullable(),
  /** The active silence that matches it, if any: it still changes state but does not notify. */
  silencedBy: entityId.nullable(),
});
export type Alert = z.infer<typeof alert>;

const subject = singleLineText({ min: 1, max: 256 });

export const silenceMatch = z
  .strictObject({
    ruleId: alertRuleId.optional(),
    applianceId: entityId.optional(),
    subject: subject.optional(),
  })
  .refine((m) => m.ruleId !== undefined || m.applianceId !== undefined, {
    message: 'A silence needs a rule, an appliance or both; it would otherwise silence everything',
    params: { code: 'silence-too-broad' },
  });

/** Longest silence: 30 days. Longer means the rule is wrong; disable or change it instead. */
export const MAX_SILENCE_MINUTES = 30 * 24 * 60;

export const silence = z.strictObject({
  id: entityId,
  match: z.strictObject({ ruleId: alertRuleId.optional(), applianceId: entityId.optional(), subject: z.string().optional() }),
  startsAt: isoTime,
  endsAt: isoTime,
  reason: z.string(),
  createdBy: z.string(),
  liftedAt: isoTime.nullable(),
  liftedBy: z.string().nullable(),
  active: z.boolean(),
});
export type Silence = z.infer<typeof silence>;

export const ruleThreshold = z.strictObject({
  key: z.string(),
  unit: thresholdUnit,
  value: z.number(),
  defaultValue: z.number(),
  min: z.number(),
  max: z.number(),
  /** The severity an alert takes at this threshold (rules with two levels, e.g. filesystem-full). */
  severity: alertSeverity,
});

export const alertRule = z.strictObject({
  id: alertRuleId,
  severity: alertSeverity,
  thresholds: z.array(ruleThreshold),
  durationSeconds: z.number().int(),
  defaultDurationSeconds: z.number().int(),
  enabled: z.boolean(),
  /** Differs from the built-in default. */
  customised: z.boolean(),
});
export type AlertRule = z.infer<typeof alertRule>;

export const MAX_RULE_DURATION_SECONDS = 24 * 60 * 60;

export const alertSummary = z.strictObject({
  /** Firing, not acknowledged and not silenced: the number on the badge. */
  unacknowledged: z.number().int(),
  firing: z.strictObject({ critical: z.number().int(), warning: z.number().int() }),
  acknowledged: z.number().int(),
  pending: z.number().int(),
  silenced: z.number().int(),
});

const alertBrief = alert.pick({ id: true, ruleId: true, applianceId: true, applianceName: true, subject: true, severity: true, value: true, unit: true, params: true });

export const alertsMethods = {
  'alerts.list': defineMethod({
    summary: 'List alerts, newest first, a page at a time (active ones by default)',
    mutating: false,
    input: z.strictObject({
      states: z.array(alertState).min(1).max(4).default([...ACTIVE_ALERT_STATES]),
      applianceId: entityId.optional(),
      limit: z.number().int().min(1).max(500).default(100),
      /** Return alerts older than this (the previous page's `nextCursor`). */
      cursor: z.number().int().positive().optional(),
    }),
    output: z.strictObject({ alerts: z.array(alert), nextCursor: z.number().int().nullable() }),
  }),
  'alerts.summary': defineMethod({
    summary: 'Counts of active alerts by state and severity (the badge)',
    mutating: false,
    input: z.strictObject({}),
    output: alertSummary,
  }),
  'alerts.acknowledge': defineMethod({
    summary: 'Acknowledge a firing alert: someone is on it (it still resolves by itself)',
    mutating: true,
    events: ['alerts.changed'],
    input: z.strictObject({ id: entityId, note: multiLineText({ max: 500, trim: true }).default('') }),
    output: alert,
  }),
  'alerts.silence': defineMethod({
    summary: 'Silence alerts matching a rule and/or appliance (and optionally subject) for a period',
    mutating: true,
    events: ['alerts.changed'],
    input: z.strictObject({
      match: silenceMatch,
      durationMinutes: z.number().int().min(1).max(MAX_SILENCE_MINUTES),
      reason: singleLineText({ min: 1, max: 500 }),
    }),
    output: silence,
  }),
  'alerts.silences': defineMethod({
    summary: 'List silences, active ones first (ended ones when asked)',
    mutating: false,
    input: z.strictObject({ includeEnded: z.boolean().default(false) }),
    output: z.strictObject({ silences: z.array(silence) }),
  }),
  'alerts.unsilence': defineMethod({
    summary: 'Lift a silence before it expires',
    mutating: true,
    events: ['alerts.changed'],
    input: z.strictObject({ id: entityId }),
    output: silence,
  }),
  'alerts.rules': defineMethod({
    summary: 'The built-in alert rules with their thresholds, durations and whether they are on',
    mutating: false,
    input: z.strictObject({}),
    output: z.strictObject({ rules: z.array(alertRule) }),
  }),
  'alerts.updateRule': defineMethod({
    summary: 'Change a rule’s thresholds, duration or whether it is on',
    mutating: true,
    events: ['alerts.changed'],
    input: z.strictObject({
      id: alertRuleId,
      /** Threshold key → value in the threshold's unit; keys not given keep their value. */
      thresholds: z.record(z.string().max(64), z.number().finite()).optional(),
      durationSeconds: z.number().int().min(0).max(MAX_RULE_DURATION_SECONDS).optional(),
      enabled: z.boolean().optional(),
    }),
    output: alertRule,
  }),
  'alerts.resetRule': defineMethod({
    summary: 'Put a rule back to its built-in thresholds, duration and on/off',
    mutating: true,
    events: ['alerts.changed'],
    input: z.strictObject({ id: alertRuleId }),
    output: alertRule,
  }),
};

export const alertsEvents = {
  /** Alerts changed: refetch. `newlyFiring` lists alerts that started firing in this change (for notifications). */
  'alerts.changed': z.strictObject({
    newlyFiring: z.array(alertBrief.extend({ silenced: z.boolean() })),
  }),
};
export type AlertsChanged = z.infer<(typeof alertsEvents)['alerts.changed']>;
