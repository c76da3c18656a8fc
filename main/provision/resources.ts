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
const EncodedFileSchema = z.object({ file: fileName, sha256, size: z.number().int().positive() });
/** `file` is gzip (every machine can unpack it); `zstd`, when present, is the same tar compressed with zstd. */
const RuntimeManifestSchema = z.object({ version, target: z.string(), file: fileName, sha256, size: z.number().int().positive(), nodeBinary: z.string(), zstd: EncodedFileSchema.optional() });

export type Encoding = 'gzip' | 'zstd';

export interface Artifact {
  version: string;
  target: AgentTarget;
  /** Absolute local path of the tarball. */
  file: string;
  sha256: string;
  size: number;
  /** How the tar is compressed: the machine must have the matching decompressor. */
  encoding: Encoding;
  /**
   * sha256 of every encoding of the same tar, this one first: a directory unpacked from any of
   * them is this artifact installed (a machine that gains zstd later does not reinstall).
   */
  sameContent: string[];
}

type Manifest = { version: string; target: string; file: string; sha256: string; size: number; zstd?: { file: string; sha256: string; size: number } };

function readManifest<T extends z.ZodType<Manifest>>(dir: string, target: AgentTarget, manifestName: string, schema: T, what: string): Manifest {
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
  return m;
}

function artifact(dir: string, target: AgentTarget, m: Manifest, entry: { file: string; sha256: string; size: number }, encoding: Encoding): Artifact {
  const file = path.join(dir, target, entry.file);
  const size = fs.statSync(file).size;
  if (size !== entry.size) throw new Error(`${file} is ${size} bytes but its manifest says ${entry.size}; rebuild the console's resources`);
  const all = [m.sha256, ...(m.zstd ? [m.zstd.sha256] : [])];
  return { version: m.version, target, file, sha256: entry.sha256, size: entry.size, encoding, sameContent: [entry.sha256, ...all.filter((s) => s !== entry.sha256)] };
}

export function loadAgentArtifact(agentsDir: string, target: AgentTarget): Artifact {
  const m = readManifest(agentsDir, target, 'manifest.json', AgentManifestSchema, 'agent bundle');
  return artifact(agentsDir, target, m, m, 'gzip');
}

/**
 * The runtime tarball for a machine: the zstd one when the machine can unpack it (`zstd: true`)
 * and the console carries it, else the gzip one. Without options, the gzip one: its sha256 is the
 * runtime's identity wherever one is needed regardless of how it travels (the service fingerprint).
 */
export function loadRuntimeArtifact(runtimesDir: string, target: AgentTarget, opts: { zstd?: boolean } = {}): Artifact {
  const m = readManifest(runtimesDir, target, 'runtime.json', RuntimeManifestSchema, 'Node.js runtime');
  if (opts.zstd && m.zstd) return artifact(runtimesDir, target, m, m.zstd, 'zstd');
  return artifact(runtimesDir, target, m, m, 'gzip');
}
