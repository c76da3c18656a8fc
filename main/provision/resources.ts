import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { AgentTarget } from './steps/preflight-facts';

/**
 * The artifacts a plan lays down, read from the directories the build scripts write
 * (scripts/build-agent.mjs, scripts/fetch-node-runtimes.mjs). Read through schemas: a stale or
 * hand-edited manifest is an error that names the file, not a half-installed machine.
 */
const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const fileName = z.string().regex(/^[A-Za-z0-9._-]+$/);
const version = z.string().regex(/^[0-9A-Za-z.+-]{1,64}$/);

const AgentManifestSchema = z.object({ version, target: z.string(), file: fileName, sha256, size: z.number().int().positive() });
const RuntimeManifestSchema = z.object({ version, target: z.string(), file: fileName, sha256, size: z.number().int().positive(), nodeBinary: z.string() });

export interface Artifact {
  version: string;
  target: AgentTarget;
  /** Absolute local path of the tarball. */
  file: string;
  sha256: string;
  size: number;
}

function load<T extends z.ZodType<{ version: string; target: string; file: string; sha256: string; size: number }>>(dir: string, target: AgentTarget, manifestName: string, schema: T, what: string): Artifact {
  const manifest = path.join(dir, target, manifestName);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(manifest, 'utf8'));
  } catch (err) {
    throw new Error(`the ${what} for ${target} is missing (${manifest}: ${(err as Error).message}); build the console's resources (npm run build:resources)`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`${manifest} is not a valid ${what} manifest: ${parsed.error.issues.map((i) => i.message).join('; ')}`);
  const m = parsed.data;
  if (m.target !== target) throw new Error(`${manifest} is for ${m.target}, expected ${target}`);
  const file = path.join(dir, target, m.file);
  const size = fs.statSync(file).size;
  if (size !== m.size) throw new Error(`${file} is ${size} bytes but its manifest says ${m.size}; rebuild the console's resources`);
  return { version: m.version, target, file, sha256: m.sha256, size: m.size };
}

export const loadAgentArtifact = (agentsDir: string, target: AgentTarget): Artifact => load(agentsDir, target, 'manifest.json', AgentManifestSchema, 'agent bundle');
export const loadRuntimeArtifact = (runtimesDir: string, target: AgentTarget): Artifact => load(runtimesDir, target, 'runtime.json', RuntimeManifestSchema, 'Node.js runtime');
