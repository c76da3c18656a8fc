import * as z from 'zod/mini';
import { DataDiskSchema } from '../data-disk';
import { NoParamsSchema } from './common';

export const VersionParamsSchema = NoParamsSchema;

export const VersionResultSchema = z.object({
  agentVersion: z.string().check(z.maxLength(64)),
  /** Bundle target the agent was built for (`linux-x64`, `linux-arm64`, or `dev` when run from source). */
  target: z.string().check(z.maxLength(32)),
  /** Node.js running the agent (`process.version`). */
  node: z.string().check(z.maxLength(32)),
  platform: z.string().check(z.maxLength(32)),
  arch: z.string().check(z.maxLength(32)),
  protocol: z.number().check(z.int(), z.positive()),
  /** From agent.json (absent from agents before 0.1.0's config carried them). */
  role: z.optional(z.enum(['server', 'smartbox'])),
  /** The disks the services store data on, as agent.json names them. */
  dataDisks: z.optional(z.array(DataDiskSchema).check(z.maxLength(256))),
  /** Each media service's TCP port, by port id. */
  ports: z.optional(z.record(z.string().check(z.maxLength(32)), z.number().check(z.int(), z.minimum(1), z.maximum(65535)))),
});
export type VersionResult = z.infer<typeof VersionResultSchema>;
