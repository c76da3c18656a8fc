import * as z from 'zod/mini';
import { PrometheusConfigSchema } from '../prometheus-config';

/**
 * `agent-settings.v1`: the agent's own settings a console may change, read and written by the
 * agent itself. Today: the Prometheus `/metrics` endpoint (before, only a hand edit of agent.json
 * could turn it on, and the next upgrade's agent.json silently undid it).
 *
 * Three layers, the later winning: agent.json (written by the provisioner), the settings file
 * (`settings.json` beside it, written by this method: temp file + fsync + rename), and what the
 * running agent actually uses. A change is applied at once where the agent can (the endpoint is
 * closed and opened again); `restartPending` says the running agent does not yet use what the
 * files say (the apply failed, or someone edited the file by hand), `applyError` why.
 */
export const AgentSettingsSchema = z.strictObject({
  prometheus: PrometheusConfigSchema,
});
export type AgentSettings = z.output<typeof AgentSettingsSchema>;

export const AgentSettingsParamsSchema = z.strictObject({
  /** Settings to change (fields left out keep their value); omitted: only read them. */
  set: z.optional(
    z.strictObject({
      prometheus: z.optional(
        z.strictObject({
          enabled: z.optional(z.boolean()),
          host: z.optional(z.string().check(z.minLength(1), z.maxLength(255))),
          port: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(65535))),
          requireToken: z.optional(z.boolean()),
        }),
      ),
    }),
  ),
});

const SettingsOutSchema = z.object({
  prometheus: z.object({ enabled: z.boolean(), host: z.string().check(z.maxLength(255)), port: z.number().check(z.int()), requireToken: z.boolean() }),
});

export const AgentSettingsResultSchema = z.object({
  /** agent.json's values (the provisioner's). */
  agentJson: SettingsOutSchema,
  /** What the settings file holds, null when there is none: then agent.json's values apply. */
  file: z.nullable(SettingsOutSchema),
  /** What the agent uses now. */
  running: SettingsOutSchema,
  /** The running agent differs from what the files say: a restart of the agent would change it. */
  restartPending: z.boolean(),
  /** Why the last change could not be applied while running (e.g. the port is taken). */
  applyError: z.nullable(z.string().check(z.maxLength(1024))),
  /** The settings file's path. */
  path: z.string().check(z.maxLength(4096)),
  /** Set when this call changed the settings. */
  changed: z.boolean(),
});
export type AgentSettingsResult = z.infer<typeof AgentSettingsResultSchema>;
