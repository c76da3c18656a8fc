import * as z from 'zod/mini';
import { IsoTimeSchema } from './common';

/**
 * `hello`: the first call of every session. It is the one method whose name and envelope never
 * change, so any console can learn which protocol versions and methods any agent speaks.
 */
export const HelloParamsSchema = z.strictObject({
  /** Who is calling, for the agent's log (e.g. "appliance-console 0.3.0"). */
  client: z.optional(z.string().check(z.maxLength(128))),
});

export const HelloResultSchema = z.object({
  agent: z.literal('appliance-agent'),
  agentVersion: z.string().check(z.maxLength(64)),
  /** The protocol version this answer (and this session) uses. */
  protocol: z.number().check(z.int(), z.positive()),
  /** Every protocol version the agent can speak. */
  protocols: z.array(z.number().check(z.int(), z.positive())).check(z.maxLength(16)),
  capabilities: z.object({
    /** Versioned method names the agent implements, e.g. `inventory.v1`. */
    methods: z.array(z.string().check(z.maxLength(64))).check(z.maxLength(256)),
    /** Optional features: `supervisor`, `tcp-fallback`, `service-users`, ... */
    features: z.array(z.string().check(z.maxLength(64))).check(z.maxLength(64)),
  }),
  limits: z.object({ maxRequestBytes: z.number().check(z.int(), z.positive()) }),
  hostname: z.string().check(z.maxLength(255)),
  startedAt: IsoTimeSchema,
});
export type HelloResult = z.infer<typeof HelloResultSchema>;
