import { z } from 'zod';
import { defineMethod } from './define';
import { entityId, isoTime } from './common.schemas';
import { SSH_FAILURE_CODES } from './onboarding.contract';

const stepOutcome = z.enum(['done', 'unchanged', 'failed', 'cancelled']);
const runStatus = z.enum(['succeeded', 'failed', 'cancelled']);
const errorParams = z.record(z.string(), z.union([z.string(), z.number()]));

/** What one provisioning run did, step by step (mirrors main/provision/plan.ts RunResult). */
export const provisionRun = z.strictObject({
  runId: z.string(),
  status: runStatus,
  steps: z.array(z.strictObject({ id: z.string(), status: stepOutcome, durationMs: z.number(), outputTail: z.string() })),
  error: z.string().nullable(),
  /** Why it did not succeed, as a code the UI words (`ssh.<failure>`, `step-failed` {step}, `cancelled`, …); null when it succeeded. */
  errorCode: z.string().nullable(),
  errorParams: errorParams,
  durationMs: z.number(),
});
export type ProvisionRunResult = z.infer<typeof provisionRun>;

/** Live progress of a run (mirrors main/provision/plan.ts ProvisionEvent). */
export const provisionEvent = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('run-started'), runId: z.string(), plan: z.string(), steps: z.array(z.strictObject({ id: z.string(), title: z.string() })) }),
  z.strictObject({ type: z.literal('step-started'), runId: z.string(), stepId: z.string(), title: z.string() }),
  z.strictObject({ type: z.literal('step-progress'), runId: z.string(), stepId: z.string(), bytes: z.number(), total: z.number() }),
  z.strictObject({
    type: z.literal('step-finished'),
    runId: z.string(),
    stepId: z.string(),
    status: stepOutcome,
    durationMs: z.number(),
    outputTail: z.string(),
    error: z.string().nullable(),
    errorCode: z.string().nullable(),
    errorParams,
  }),
  z.strictObject({ type: z.literal('run-finished'), runId: z.string(), status: runStatus, durationMs: z.number(), error: z.string().nullable(), errorCode: z.string().nullable(), errorParams }),
]);

/** A text in two forms: a translation key with params (the UI) and English (CLI, logs). */
const preflightText = z.strictObject({ key: z.string(), params: z.record(z.string(), z.union([z.string(), z.number()])), text: z.string() });

/** One row of the preflight table (mirrors main/provision/preflight-report.ts PreflightRow). */
export const preflightRow = z.strictObject({
  id: z.string(),
  label: z.string(),
  labelParams: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  value: z.union([z.string(), z.number()]).nullable(),
  unit: z.enum(['bytes', 'seconds', 'count']).optional(),
  detail: preflightText.optional(),
  status: z.enum(['ok', 'warning', 'fail']),
  remedy: preflightText.optional(),
});
export type PreflightRowOutput = z.infer<typeof preflightRow>;

/** `provision.preflight`: the table, or why the console could not look (an SSH failure, or the script's). */
export const preflightResult = z.strictObject({
  ok: z.boolean(),
  checkedAt: isoTime,
  rows: z.array(preflightRow),
  facts: z
    .strictObject({
      os: z.string(),
      osId: z.string(),
      osVersion: z.string(),
      kernel: z.string(),
      machine: z.string(),
      target: z.enum(['linux-x64', 'linux-arm64']).nullable(),
      cpus: z.number(),
      memoryBytes: z.number(),
      init: z.enum(['systemd', 'none']),
      clockSkewSeconds: z.number().nullable(),
    })
    .nullable(),
  failure: z
    .strictObject({
      code: z.enum([...SSH_FAILURE_CODES, 'preflight-error']),
      message: z.string(),
      params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .nullable(),
});
export type PreflightResult = z.infer<typeof preflightResult>;

/** A run that did not succeed is audited as `failed` with its reason (`ssh.host-key-changed`, `cancelled`, …). */
const runFailure = (run: ProvisionRunResult): string | null => (run.status === 'succeeded' ? null : (run.errorCode ?? `run-${run.status}`));

export const provisionMethods = {
  'provision.install': defineMethod({
    summary: 'Install or repair the agent on an appliance: preflight, runtime, agent, config, service',
    mutating: true,
    events: ['provision.progress'],
    input: z.strictObject({ id: entityId }),
    output: provisionRun,
    failureOf: runFailure,
  }),
  'provision.upgrade': defineMethod({
    summary: 'Upgrade the agent on an appliance that runs it: install the new version beside the old, switch, check health, roll back if unhealthy',
    mutating: true,
    events: ['provision.progress'],
    input: z.strictObject({ id: entityId }),
    output: provisionRun,
    failureOf: runFailure,
  }),
  'provision.uninstall': defineMethod({
    summary: 'Stop and remove the agent from an appliance; its data, logs and settings are kept unless purge is set',
    mutating: true,
    events: ['provision.progress'],
    input: z.strictObject({ id: entityId, purge: z.boolean().default(false) }),
    output: provisionRun,
    failureOf: runFailure,
  }),
  'provision.preflight': defineMethod({
    summary: 'Look at an appliance without changing it: OS, architecture, resources, disks, ports, clock, init, sudo and tools, each ok, warning or fail with a remedy',
    mutating: false,
    input: z.strictObject({ id: entityId }),
    output: preflightResult,
  }),
  'provision.cancel': defineMethod({
    summary: 'Cancel the provisioning, upgrade or uninstall run in progress on an appliance (the next run repairs what it left)',
    mutating: true,
    input: z.strictObject({ id: entityId }),
    output: z.strictObject({ id: entityId, cancelled: z.boolean() }),
  }),
};

export const provisionEvents = {
  'provision.progress': z.strictObject({ applianceId: entityId, event: provisionEvent }),
};
