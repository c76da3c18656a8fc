import * as z from 'zod/mini';
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
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const ServicesResultSchema = z.object({ services: z.array(ServiceStatusSchema).check(z.maxLength(64)) });
export type ServicesResult = z.infer<typeof ServicesResultSchema>;
