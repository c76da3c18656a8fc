import * as z from 'zod/mini';
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
});
export type VersionResult = z.infer<typeof VersionResultSchema>;
