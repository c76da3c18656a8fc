import { z } from 'zod';
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
  code: z.number().int().nullable(),
  signal: z.string().max(16).nullable(),
  at: IsoTimeSchema,
  /** How long that run lasted. */
  runtimeMs: z.number().int().nonnegative(),
  /** A non-zero exit, a signal, or a failed spawn. */
  crashed: z.boolean(),
});
export type ServiceExit = z.infer<typeof ServiceExitSchema>;

export const ServiceStatusSchema = z.object({
  name: z.string().max(64),
  state: z.enum(SERVICE_STATES),
  pid: z.number().int().positive().nullable(),
  /** Unix user the service runs as (null: the agent's own user). */
  user: z.string().max(64).nullable(),
  startedAt: IsoTimeSchema.nullable(),
  /** Times the agent started it again after an exit. */
  restarts: z.number().int().nonnegative(),
  /** Crashes since the agent started (never reset). */
  crashes: z.number().int().nonnegative(),
  /**
   * Exits since the last stable run that drive the backoff: crashes, and clean exits of runs
   * shorter than the stable period (so a service that exits 0 at once cannot restart in a hot loop).
   */
  consecutiveFailures: z.number().int().nonnegative(),
  flapping: z.boolean(),
  lastExit: ServiceExitSchema.nullable(),
  nextRestartAt: IsoTimeSchema.nullable(),
  /** Delay chosen for the pending (or last) restart. */
  backoffMs: z.number().int().nonnegative().nullable(),
  /** Why the last spawn failed (ENOENT, EACCES, cannot switch user), if it did. */
  lastError: z.string().max(1024).nullable(),
});
export type ServiceStatus = z.infer<typeof ServiceStatusSchema>;

export const ServicesResultSchema = z.object({ services: z.array(ServiceStatusSchema).max(64) });
export type ServicesResult = z.infer<typeof ServicesResultSchema>;
