import * as z from 'zod/mini';
import { ServiceIdSchema } from '../services/services-file';
import { IsoTimeSchema, NoParamsSchema } from './common';

export const ServicesParamsSchema = NoParamsSchema;

export const SERVICE_STATES = [
  'starting', // spawn requested, no pid yet
  'running', // the process is up
  'backoff', // it crashed; a restart is scheduled at `nextRestartAt`
  'stopping', // SIGTERM sent (agent shutdown), SIGKILL follows after the stop timeout
  'stopped', // stopped by the agent
  'exited', // exited cleanly and its restart policy does not restart clean exits
  'failed', // crashed and will not be restarted (restart "never", or it cannot be spawned at all)
] as const;
export type ServiceState = (typeof SERVICE_STATES)[number];

export const ServiceExitSchema = z.object({
  code: z.nullable(z.number().check(z.int())),
  signal: z.nullable(z.string().check(z.maxLength(16))),
  at: IsoTimeSchema,
  /** How long that run lasted. */
  runtimeMs: z.number().check(z.int(), z.nonnegative()),
  /** A non-zero exit, a signal, or a failed spawn. */
  crashed: z.boolean(),
});
export type ServiceExit = z.infer<typeof ServiceExitSchema>;

export const READINESS_STATES = [
  'pending', // running, its probe has not passed yet, still within the module's start-up grace
  'ready', // the probe passed (its port answers)
  'unready', // running, but the probe failed (after the grace, or after it had passed): health.v1 is degraded
  'not-running', // the process is not running, so there is nothing to probe
] as const;

/** What a module's readiness probe last found: more than "process alive". */
export const ServiceReadinessSchema = z.object({
  state: z.enum(READINESS_STATES),
  /** What was probed: `tcp:9000`, `http:9000/ready`. */
  probe: z.string().check(z.maxLength(256)),
  /** When the state last changed. */
  since: z.nullable(IsoTimeSchema),
  checkedAt: z.nullable(IsoTimeSchema),
  /** Why the last probe failed (refused, timed out, HTTP 503); null after a success. */
  message: z.nullable(z.string().check(z.maxLength(512))),
  consecutiveFailures: z.number().check(z.int(), z.nonnegative()),
});
export type ServiceReadiness = z.infer<typeof ServiceReadinessSchema>;

export const ServiceStatusSchema = z.object({
  name: z.string().check(z.maxLength(64)),
  state: z.enum(SERVICE_STATES),
  pid: z.nullable(z.number().check(z.int(), z.positive())),
  /** Unix user the service runs as (null: the agent's own user). */
  user: z.nullable(z.string().check(z.maxLength(64))),
  startedAt: z.nullable(IsoTimeSchema),
  /** Times the agent started it again after an exit. */
  restarts: z.number().check(z.int(), z.nonnegative()),
  /** Crashes since the agent started (never reset). */
  crashes: z.number().check(z.int(), z.nonnegative()),
  /**
   * Exits since the last stable run that drive the backoff: crashes, and clean exits of runs
   * shorter than the stable period (so a service that exits 0 at once cannot restart in a hot loop).
   */
  consecutiveFailures: z.number().check(z.int(), z.nonnegative()),
  flapping: z.boolean(),
  lastExit: z.nullable(ServiceExitSchema),
  nextRestartAt: z.nullable(IsoTimeSchema),
  /** Delay chosen for the pending (or last) restart. */
  backoffMs: z.nullable(z.number().check(z.int(), z.nonnegative())),
  /** Why the last spawn failed (ENOENT, EACCES, cannot switch user), if it did. */
  lastError: z.nullable(z.string().check(z.maxLength(1024))),
  // Added with service modules. Optional, so a console reads an older agent's answer, and an older
  // console (whose schema strips fields it does not know) still reads this one.
  /** The service module this service is (`kodo`), or null for a plain `services` entry of agent.json. */
  module: z.optional(z.nullable(z.string().check(z.maxLength(32)))),
  /** Whether it runs when the agent starts (agent.json `enabled`, or services.json for a module). */
  enabled: z.optional(z.boolean()),
  /**
   * A module with an entry in services.json: someone (a person, or the provisioner enabling the
   * role's services) chose whether it runs. False: never configured, so provisioning may enable it.
   */
  configured: z.optional(z.boolean()),
  /** A module's readiness probe; absent for plain services (for them only the process state tells). */
  readiness: z.optional(ServiceReadinessSchema),
  /** The TCP ports it listens on, by port id (agent.json `ports`, else the module's default). */
  ports: z.optional(z.array(z.object({ id: z.string().check(z.maxLength(32)), port: z.number().check(z.int(), z.minimum(1), z.maximum(65535)) })).check(z.maxLength(16))),
  /** The module's version; null for plain services. */
  version: z.optional(z.nullable(z.string().check(z.maxLength(64)))),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const ServicesResultSchema = z.object({ services: z.array(ServiceStatusSchema).check(z.maxLength(64)) });
export type ServicesResult = z.infer<typeof ServicesResultSchema>;

/** `service-start.v1`, `service-stop.v1`, `service-restart.v1`: one service, by module id or plain service name. */
export const ServiceActionParamsSchema = z.strictObject({ id: ServiceIdSchema });

/** What the action did, and the service's status after it. */
export const ServiceActionResultSchema = z.object({
  /**
   * started / stopped / restarted; reloaded (a config change the module applies without a restart,
   * by a signal); unchanged (already in the asked state, or a configure that changed nothing).
   */
  outcome: z.enum(['started', 'stopped', 'restarted', 'reloaded', 'unchanged']),
  service: ServiceStatusSchema,
});
export type ServiceActionResult = z.infer<typeof ServiceActionResultSchema>;

/**
 * `service-configure.v1`: enable or disable a service module and set its config. The config is
 * checked against the module's schema first: a refusal is `invalid-input` with one issue per field
 * (`config.port`), and nothing is written. Accepted, it is written to services.json (temp file,
 * fsync, rename) and that service alone is restarted, reloaded, started or stopped.
 */
export const ServiceConfigureParamsSchema = z.strictObject({
  id: ServiceIdSchema,
  enabled: z.boolean(),
  /** The module's config (its defaults fill what is left out); omitted: keep the config the file has. */
  config: z.optional(z.record(z.string(), z.unknown())),
});

export const ServiceConfigureResultSchema = z.object({
  outcome: ServiceActionResultSchema.shape.outcome,
  service: ServiceStatusSchema,
  /** The config as the module runs it: what was sent, with the module's defaults filled in. */
  config: z.record(z.string(), z.unknown()),
  /** The services file written. */
  file: z.string().check(z.maxLength(4096)),
});
export type ServiceConfigureResult = z.infer<typeof ServiceConfigureResultSchema>;

/**
 * `service-call.v1`: one of a module's own control methods (`kodo` + `keys-create.v1`), forwarded
 * to the running service. Params and result are checked against the module's schemas
 * (agents/protocol/services/<id>.ts) on the agent, and again by the console. A refusal by the
 * service is an answer, not a protocol error: `{ ok: false, error: { code, message } }` with the
 * service's own open code (`kodo.not-initialized`) or the agent's: `service.not-running`,
 * `service.unanswered` (no answer within the limit), `service.bad-answer` (broke its schema).
 */
export const SERVICE_CONTROL_METHOD_PATTERN = /^[a-z][a-z0-9-]{0,47}\.v[1-9][0-9]?$/;

export const ServiceCallParamsSchema = z.strictObject({
  service: ServiceIdSchema,
  method: z.string().check(z.regex(SERVICE_CONTROL_METHOD_PATTERN)),
  params: z._default(z.record(z.string(), z.unknown()), {}),
});

export const ServiceCallErrorSchema = z.object({
  code: z.string().check(z.regex(/^[a-z][a-z0-9-]*(\.[a-z0-9-]+)+$/), z.maxLength(64)),
  message: z.string().check(z.maxLength(2048)),
});

export const ServiceCallResultSchema = z.union([
  z.object({ ok: z.literal(true), result: z.unknown() }),
  z.object({ ok: z.literal(false), error: ServiceCallErrorSchema }),
]);
export type ServiceCallResult = z.infer<typeof ServiceCallResultSchema>;
