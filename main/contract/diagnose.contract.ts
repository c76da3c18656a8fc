import { z } from 'zod';
import { entityId, isoTime } from './common.schemas';
import { defineMethod } from './define';

/**
 * Diagnose (issue 10 §1): a suite of read-only checks run on an appliance over plain SSH — one
 * connection, no agent needed — that lists findings with their evidence, what they mean and a
 * remedy (texts: diagnose-findings.ts, by code), stores each run, and says what changed since the
 * previous run of the same appliance.
 */

export const DIAGNOSE_SEVERITIES = ['critical', 'warning', 'info'] as const;
export type DiagnoseSeverity = (typeof DIAGNOSE_SEVERITIES)[number];

export const diagnoseFinding = z.strictObject({
  /** The check that raised it (`disks.filesystems`). */
  check: z.string(),
  /** The catalogue's code (`disk.fs-full`): title, meaning and remedy in each language. */
  code: z.string(),
  severity: z.enum(DIAGNOSE_SEVERITIES),
  /** What it is about when a check can raise it more than once (a mount point, a device, an interface); '' otherwise. */
  subject: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number()])),
  /** The command run and its output, trimmed to the lines that matter. */
  evidence: z.strictObject({ command: z.string(), output: z.string() }),
  /** Against the previous run: first seen now, or seen then too. */
  change: z.enum(['new', 'unchanged']),
});
export type DiagnoseFinding = z.infer<typeof diagnoseFinding>;

export const diagnoseCheckResult = z.strictObject({
  id: z.string(),
  title: z.string(),
  outcome: z.enum(['passed', 'findings', 'failed', 'timed-out', 'skipped']),
  ms: z.number(),
});

export const diagnoseRun = z.strictObject({
  id: z.number().int(),
  applianceId: entityId,
  startedAt: isoTime,
  finishedAt: isoTime,
  outcome: z.enum(['completed', 'cancelled', 'unreachable']),
  /** The worst severity found; null when nothing was found. */
  worst: z.enum(DIAGNOSE_SEVERITIES).nullable(),
  checks: z.array(diagnoseCheckResult),
  findings: z.array(diagnoseFinding),
  /** Findings of the previous run that this one no longer raises. */
  resolved: z.array(diagnoseFinding.omit({ change: true })),
  previousRunId: z.number().int().nullable(),
});
export type DiagnoseRun = z.infer<typeof diagnoseRun>;

export const diagnoseMethods = {
  'diagnose.run': defineMethod({
    summary: 'Run the read-only check suite on an appliance over SSH (no agent needed); progress as diagnose.progress events; stored, with what changed since the previous run',
    mutating: true,
    events: ['diagnose.progress'],
    input: z.strictObject({ applianceId: entityId, runToken: z.string().uuid().optional() }),
    output: diagnoseRun,
  }),
  'diagnose.cancel': defineMethod({
    summary: 'Cancel a diagnose run in progress (by the runToken it was started with)',
    mutating: false,
    input: z.strictObject({ runToken: z.string().uuid() }),
    output: z.strictObject({ cancelled: z.boolean() }),
  }),
  'diagnose.latest': defineMethod({
    summary: "An appliance's latest stored diagnose run, or null",
    mutating: false,
    input: z.strictObject({ applianceId: entityId }),
    output: diagnoseRun.nullable(),
  }),
  'diagnose.history': defineMethod({
    summary: "An appliance's stored diagnose runs, newest first (without their findings)",
    mutating: false,
    input: z.strictObject({ applianceId: entityId, limit: z.number().int().min(1).max(200).default(20), beforeId: z.number().int().optional() }),
    output: z.array(diagnoseRun.pick({ id: true, startedAt: true, finishedAt: true, outcome: true, worst: true }).extend({ findings: z.number().int() })),
  }),
};

export const diagnoseEvents = {
  'diagnose.progress': z.strictObject({
    applianceId: entityId,
    runToken: z.string().nullable(),
    done: z.number().int(),
    total: z.number().int(),
    /** The check that just ended. */
    check: z.string(),
  }),
};
