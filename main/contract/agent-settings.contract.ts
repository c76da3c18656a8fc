import { z } from 'zod';
import { entityId, isoTime } from './common.schemas';
import { defineMethod } from './define';

/**
 * The agent's own settings (today: Prometheus `/metrics`), set from the console. Three places hold
 * them on the machine — agent.json (the provisioner's, rewritten by every upgrade), settings.json
 * beside it (written by `agent-settings.v1`, never rewritten by provisioning; it wins over
 * agent.json) and the running agent (which keeps what it uses until it applies a change or
 * restarts) — and the console holds a fourth: what a person intends. `agentSettings.update` writes
 * the intent to settings.json and records it; every successful provisioning or upgrade run writes
 * it again. `drift` lists each field where these disagree, with which one wins.
 */

export const prometheusSettings = z.strictObject({
  enabled: z.boolean(),
  /** The address `/metrics` listens on; anything but loopback requires the token. */
  host: z.string().trim().min(1).max(255),
  port: z.number().int().min(1).max(65535),
  /** Require `Authorization: Bearer <the agent's control token>`. */
  requireToken: z.boolean(),
});
export const agentSettingsValues = z.strictObject({ prometheus: prometheusSettings });
export type AgentSettingsValues = z.infer<typeof agentSettingsValues>;

export const DRIFT_FIELDS = ['prometheus.enabled', 'prometheus.host', 'prometheus.port', 'prometheus.requireToken'] as const;
const fieldValue = z.union([z.string(), z.number(), z.boolean()]);

/**
 * One field where the machine's layers or the console's intent disagree. `wins` is the file whose
 * value the agent takes when it (re)starts: settings.json when there is one, else agent.json.
 * `restartPending`: the running agent uses another value until it restarts (its `applyError` says
 * why it could not switch). `intentPending`: the console intends another value, which wins once it
 * is applied (Apply, or the next provisioning or upgrade run).
 */
export const agentSettingsDrift = z.strictObject({
  field: z.enum(DRIFT_FIELDS),
  agentJson: fieldValue,
  file: fieldValue.nullable(),
  running: fieldValue,
  intent: fieldValue.nullable(),
  wins: z.enum(['settings-file', 'agent-json']),
  restartPending: z.boolean(),
  intentPending: z.boolean(),
  /** agent.json says otherwise, and settings.json overrides it (a hand edit of agent.json does not take effect). */
  agentJsonOverridden: z.boolean(),
});
export type AgentSettingsDrift = z.infer<typeof agentSettingsDrift>;

/** What `agent-settings.v1` reports: each layer on the machine. */
export const agentSettingsOnMachine = z.strictObject({
  agentJson: agentSettingsValues,
  /** settings.json; null when the machine has none (agent.json's values apply). */
  file: agentSettingsValues.nullable(),
  running: agentSettingsValues,
  restartPending: z.boolean(),
  applyError: z.string().nullable(),
  /** settings.json's path on the machine. */
  path: z.string(),
});
export type AgentSettingsOnMachine = z.infer<typeof agentSettingsOnMachine>;

export const agentSettingsView = z.strictObject({
  applianceId: entityId,
  /** The console's intent; null until a person sets it (then the machine's files decide alone). */
  intent: z.strictObject({ settings: agentSettingsValues, updatedAt: isoTime, appliedAt: isoTime }).nullable(),
  /** The machine's layers as its agent answered now; null when it could not be asked (`reasonCode` says why). */
  machine: agentSettingsOnMachine.nullable(),
  drift: z.array(agentSettingsDrift),
  /** A status reason code (`ssh.timeout`, `agent.too-old`, …) when `machine` is null. */
  reasonCode: z.string().nullable(),
  reasonParams: z.record(z.string(), z.union([z.string(), z.number()])),
  /** `agentSettings.update`: the agent wrote settings.json (false when it already held these values). */
  changed: z.boolean(),
  asOf: isoTime,
});
export type AgentSettingsView = z.infer<typeof agentSettingsView>;

export const agentSettingsMethods = {
  'agentSettings.get': defineMethod({
    summary: "An appliance's agent settings: the console's intent, and from the agent now what agent.json and settings.json say and what runs, with each disagreement and which value wins",
    mutating: false,
    input: z.strictObject({ applianceId: entityId }),
    output: agentSettingsView,
  }),
  'agentSettings.update': defineMethod({
    summary: "Set an appliance's agent settings (Prometheus /metrics): written to the agent's settings.json and applied at once, kept as the console's intent and written again after every provisioning or upgrade run",
    mutating: true,
    input: z.strictObject({
      applianceId: entityId,
      /** Fields left out keep the intended value (or, before any intent, the machine's). */
      prometheus: prometheusSettings.partial().default({}),
    }),
    output: agentSettingsView,
  }),
};
