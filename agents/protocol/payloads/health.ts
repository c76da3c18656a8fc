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

export const HealthReasonSchema = z.object({
  code: z.enum(HEALTH_REASON_CODES),
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
