import { z } from 'zod';
import { NoParamsSchema } from './common';

export const VersionParamsSchema = NoParamsSchema;

export const VersionResultSchema = z.object({
  agentVersion: z.string().max(64),
  /** Bundle target the agent was built for (`linux-x64`, `linux-arm64`, or `dev` when run from source). */
  target: z.string().max(32),
  /** Node.js running the agent (`process.version`). */
  node: z.string().max(32),
  platform: z.string().max(32),
  arch: z.string().max(32),
  protocol: z.number().int().positive(),
});
export type VersionResult = z.infer<typeof VersionResultSchema>;
