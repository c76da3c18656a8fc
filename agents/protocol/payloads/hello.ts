import { z } from 'zod';
import { IsoTimeSchema } from './common';

/**
 * `hello`: the first call of every session. It is the one method whose name and envelope never
 * change, so any console can learn which protocol versions and methods any agent speaks.
 */
export const HelloParamsSchema = z.strictObject({
  /** Who is calling, for the agent's log (e.g. "appliance-console 0.3.0"). */
  client: z.string().max(128).optional(),
});

export const HelloResultSchema = z.object({
  agent: z.literal('appliance-agent'),
  agentVersion: z.string().max(64),
  /** The protocol version this answer (and this session) uses. */
  protocol: z.number().int().positive(),
  /** Every protocol version the agent can speak. */
  protocols: z.array(z.number().int().positive()).max(16),
  capabilities: z.object({
    /** Versioned method names the agent implements, e.g. `inventory.v1`. */
    methods: z.array(z.string().max(64)).max(256),
    /** Optional features: `supervisor`, `tcp-fallback`, `service-users`, ... */
    features: z.array(z.string().max(64)).max(64),
  }),
  limits: z.object({ maxRequestBytes: z.number().int().positive() }),
  hostname: z.string().max(255),
  startedAt: IsoTimeSchema,
});
export type HelloResult = z.infer<typeof HelloResultSchema>;
