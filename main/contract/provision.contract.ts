import { z } from 'zod';
import { defineMethod } from './define';
import { entityId } from './common.schemas';

const stepOutcome = z.enum(['done', 'unchanged', 'failed', 'cancelled']);
const runStatus = z.enum(['succeeded', 'failed', 'cancelled']);

/** What one provisioning run did, step by step (mirrors main/provision/plan.ts RunResult). */
export const provisionRun = z.strictObject({
  runId: z.string(),
  status: runStatus,
  steps: z.array(z.strictObject({ id: z.string(), status: stepOutcome, durationMs: z.number(), outputTail: z.string() })),
  error: z.string().nullable(),
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
  }),
  z.strictObject({ type: z.literal('run-finished'), runId: z.string(), status: runStatus, durationMs: z.number(), error: z.string().nullable() }),
]);

export const provisionMethods = {
  'fleet.provision': defineMethod({
    summary: 'Install or repair the agent on an appliance: preflight, runtime, agent, config, service',
    mutating: true,
    events: ['provision.progress'],
    input: z.strictObject({ id: entityId }),
    output: provisionRun,
  }),
  'fleet.upgrade': defineMethod({
    summary: 'Upgrade the agent on an appliance that runs it: install the new version beside the old, switch, check health, roll back if unhealthy',
    mutating: true,
    events: ['provision.progress'],
    input: z.strictObject({ id: entityId }),
    output: provisionRun,
  }),
  'fleet.uninstall': defineMethod({
    summary: 'Stop and remove the agent from an appliance; its data and logs are kept unless purge is set',
    mutating: true,
    events: ['provision.progress'],
    input: z.strictObject({ id: entityId, purge: z.boolean().default(false) }),
    output: provisionRun,
  }),
  'fleet.cancelProvision': defineMethod({
    summary: 'Cancel the provisioning, upgrade or uninstall run in progress on an appliance (the next run repairs what it left)',
    mutating: true,
    input: z.strictObject({ id: entityId }),
    output: z.strictObject({ id: entityId, cancelled: z.boolean() }),
  }),
};

export const provisionEvents = {
  'provision.progress': z.strictObject({ applianceId: entityId, event: provisionEvent }),
};
