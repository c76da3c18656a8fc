import { z } from 'zod';
import { HealthResultSchema } from '../../agents/protocol/payloads/health';
import { InventoryResultSchema } from '../../agents/protocol/payloads/inventory';
import { ServiceStatusSchema } from '../../agents/protocol/payloads/services';
import { entityId, isoTime } from './common.schemas';
import { defineMethod } from './define';

/**
 * How each appliance is doing, as the fleet watch (main/connectivity) last saw it:
 * - online: reached over SSH, and its agent answers healthy;
 * - degraded: reached over SSH, but the agent is missing, does not answer, or reports problems;
 * - offline: not reachable over SSH (the reason says why: refused, timeout, host key changed…);
 * - not-provisioned: no agent installed by this console yet: not an alarm, and no disks to count.
 *   The reason still says whether SSH reaches it (`agent.not-installed`) or why not (`ssh.*`);
 * - unknown: not checked yet.
 * Agent answers (health, services, inventory) use the agent protocol's own schemas.
 */
export const CONNECTIVITY_STATES = ['unknown', 'online', 'degraded', 'offline', 'not-provisioned'] as const;
export type ConnectivityState = (typeof CONNECTIVITY_STATES)[number];

export const applianceStatus = z.strictObject({
  applianceId: entityId,
  state: z.enum(CONNECTIVITY_STATES),
  since: isoTime,
  /** English, for logs and the CLI. */
  reason: z.string().nullable(),
  /** The reason as a code the UI translates (`ssh.<failure code>`, `agent.not-installed`, `agent.silent`, `agent.reports`) and its parameters. */
  reasonCode: z.string().nullable(),
  reasonParams: z.record(z.string(), z.union([z.string(), z.number()])),
  checkedAt: isoTime,
  /** Last time SSH reached it. */
  lastSeenAt: isoTime.nullable(),
  /** Last time its agent answered. */
  agentSeenAt: isoTime.nullable(),
  agent: z.strictObject({ version: z.string(), pid: z.number().int().nullable(), startedAt: isoTime.nullable() }).nullable(),
  /** Appliance clock minus console clock, in milliseconds. */
  clockSkewMs: z.number().int().nullable(),
  health: z.nullable(HealthResultSchema),
  services: z.array(ServiceStatusSchema).nullable(),
});
export type ApplianceStatus = z.infer<typeof applianceStatus>;

export const APPLIANCE_EVENT_KINDS = ['state-changed', 'agent-restarted', 'service-restarted', 'agent-version-changed'] as const;

export const applianceEvent = z.strictObject({
  id: z.number().int(),
  applianceId: entityId,
  at: isoTime,
  kind: z.enum(APPLIANCE_EVENT_KINDS),
  /** English, for logs and the CLI; the UI words it from `kind` and `params`. */
  message: z.string(),
  params: z.record(z.string(), z.union([z.string(), z.number(), z.null()])),
});
export type ApplianceEvent = z.infer<typeof applianceEvent>;

export const statusMethods = {
  'status.list': defineMethod({
    summary: 'Last-known status of every appliance (or of the ones named): online, degraded or offline since when',
    mutating: false,
    input: z.strictObject({ ids: z.array(entityId).max(10_000).optional() }),
    output: z.strictObject({ statuses: z.array(applianceStatus) }),
  }),
  'status.checkNow': defineMethod({
    summary: 'Check one appliance now (SSH and agent) instead of waiting for the next round',
    mutating: false,
    /** Also pushed by the watch's own rounds, every 10 s, when something changed. */
    events: ['status.changed', 'status.applianceEvent'],
    input: z.strictObject({ id: entityId }),
    output: applianceStatus,
  }),
  'status.inventory': defineMethod({
    summary: "An appliance's inventory (system, CPU, memory, disks, file systems, network) from its agent, or the last one kept",
    mutating: false,
    input: z.strictObject({ id: entityId, refresh: z.boolean().default(false) }),
    output: z.strictObject({
      inventory: z.nullable(InventoryResultSchema),
      /** When the inventory was taken (null: never). */
      at: isoTime.nullable(),
      /** Why a refresh did not happen, when one was asked for and the appliance could not answer (English, for logs and the CLI). */
      staleReason: z.string().nullable(),
      /** The same as a code the UI words (`ssh.<failure>`, `agent.not-installed`, `agent.silent`, as status reasons) and its parameters. */
      staleReasonCode: z.string().nullable(),
      staleReasonParams: z.record(z.string(), z.union([z.string(), z.number()])),
    }),
  }),
  'status.events': defineMethod({
    summary: 'What happened to appliances (state changes, agent and service restarts), newest first, by cursor',
    mutating: false,
    input: z.strictObject({ id: entityId.optional(), before: z.number().int().positive().optional(), limit: z.number().int().min(1).max(500).default(100) }),
    output: z.strictObject({ events: z.array(applianceEvent), next: z.number().int().nullable() }),
  }),
};

export const statusEvents = {
  'status.changed': applianceStatus,
  'status.applianceEvent': applianceEvent,
};
