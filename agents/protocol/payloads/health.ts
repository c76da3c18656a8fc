import * as z from 'zod/mini';
import { IsoTimeSchema, NoParamsSchema } from './common';

export const HealthParamsSchema = NoParamsSchema;

export const HEALTH_REASON_CODES = [
  'service-backoff', // a service crashed and waits to be restarted
  'service-flapping', // a service crashes again and again; restarts are slowed to the cap
  'service-failed', // a service stopped for good (restart "never", or it cannot be spawned)
  'log-write-failed', // the agent cannot write its log file (disk full, permissions)
  'service-unready', // a service module runs but its readiness probe fails (its port does not answer); subject: the module id
] as const;

export type HealthReasonCode = (typeof HEALTH_REASON_CODES)[number];

export const HealthReasonSchema = z.object({
  /**
   * One of HEALTH_REASON_CODES from this build, but read as any code of that shape: a newer agent
   * adds codes (service-unready came with service modules), and a console that does not know one
   * must still read the rest of the answer — it shows the agent's English `message` for it. A
   * closed enum here made an older console refuse the whole health.v1 (and watch.v1) answer.
   */
  code: z.string().check(z.regex(/^[a-z][a-z0-9-]{0,63}$/)),
  /** What the reason is about, e.g. a service name. */
  subject: z.optional(z.string().check(z.maxLength(128))),
  message: z.string().check(z.maxLength(1024)),
});
export type HealthReason = z.infer<typeof HealthReasonSchema>;

export const HealthResultSchema = z.object({
  status: z.enum(['ok', 'degraded']),
  /** Empty when `ok`; one entry per problem when `degraded`. */
  reasons: z.array(HealthReasonSchema).check(z.maxLength(256)),
  startedAt: IsoTimeSchema,
  uptimeSeconds: z.number().check(z.nonnegative()),
  /** The agent's clock when it answered: lets the console spot clock skew. */
  now: IsoTimeSchema,
  pid: z.number().check(z.int(), z.positive()),
});
export type HealthResult = z.infer<typeof HealthResultSchema>;
