import { StepError, type ProvisionResources, type Step } from '../plan';
import { preflightReport, type PreflightLimits, type PreflightRow } from '../preflight-report';
import type { Remote } from '../remote';
import { loadAgentArtifact, loadRuntimeArtifact } from '../resources';
import { servicePortsFor } from '../service-ports';
import { parsePreflight, PREFLIGHT_SCRIPT, type PreflightFacts } from './preflight-facts';

const MiB = 1024 * 1024;

/**
 * Free space /opt needs for this console's install: the upload and its unpacked copy side by side
 * (a Node tarball unpacks to ~4x). Throws when the console carries no agent or runtime for the
 * machine's architecture (the message names it).
 */
export function installBytes(resources: ProvisionResources, facts: PreflightFacts): number {
  if (!facts.target) return 0;
  return loadRuntimeArtifact(resources.runtimesDir, facts.target).size * 5 + loadAgentArtifact(resources.agentsDir, facts.target).size * 5;
}

/** What a machine needs to run the agent and this role's services. */
export function installLimits(optBytes: number, role: 'server' | 'smartbox'): PreflightLimits {
  return {
    minMemoryBytes: 256 * MiB,
    // The media services (transcoding, S3, cache) want room; a smart box only runs the agent.
    recommendedMemoryBytes: role === 'server' ? 2048 * MiB : 512 * MiB,
    recommendedCpus: role === 'server' ? 2 : 1,
    minFree: { '/opt': optBytes, '/var/lib': 64 * MiB },
    maxClockSkewSeconds: 300,
    warnClockSkewSeconds: 30,
    minKernelMajor: 4,
    minGlibc: '2.28',
    ports: servicePortsFor(role),
    needsDataDisks: role === 'server',
  };
}

/**
 * Runs the preflight script and, for a non-root login, proves sudo works (and the password, if it
 * asks) before anything is written. Shared by the step and `provision.preflight` (preflight-probe.ts).
 */
export async function lookAtMachine(remote: Remote, now: () => number, signal: AbortSignal | undefined): Promise<PreflightFacts> {
  const before = now();
  const r = await remote.check(PREFLIGHT_SCRIPT, { signal, timeoutMs: 20_000 });
  // The remote `date` ran somewhere between the two console readings: compare with the middle.
  const facts = parsePreflight(r.stdout, (before + now()) / 2);
  if (remote.user === 'root') facts.privilege = { mode: 'root', error: null };
  else {
    try {
      await remote.check('true', { privileged: true, signal, timeoutMs: 20_000 });
      facts.privilege = { mode: 'sudo', error: null };
    } catch (err) {
      if (signal?.aborted) throw err;
      facts.privilege = { mode: 'sudo', error: err instanceof Error ? err.message : String(err) };
    }
  }
  return facts;
}

function summary(rows: readonly PreflightRow[], status: PreflightRow['status']): string[] {
  return rows.filter((r) => r.status === status).map((r) => r.remedy?.text ?? r.id);
}

/**
 * Looks at the machine and refuses early, with a remedy per problem, rather than failing halfway
 * through an install. Warnings (a missing ffmpeg, a port in use) go in the step's log and do not
 * stop the run. It changes nothing, so it is always "unchanged" when it passes.
 */
export const preflightStep: Step = {
  id: 'preflight',
  title: 'Check the machine',
  async check(ctx) {
    const facts = await lookAtMachine(ctx.remote, () => ctx.clock.now().getTime(), ctx.signal);
    ctx.note(
      `${facts.os} (${facts.osId} ${facts.osVersion}), kernel ${facts.kernel}, ${facts.machine}, ${facts.cpus} CPU, ${Math.round(facts.memoryBytes / MiB)} MiB, init ${facts.init}, clock skew ${facts.clockSkewSeconds} s`,
    );
    const rows = preflightReport(facts, installLimits(installBytes(ctx.resources, facts), ctx.input.role));
    for (const warning of summary(rows, 'warning')) ctx.note(`warning: ${warning}`);
    const problems = summary(rows, 'fail');
    // The report names each problem with its remedy (the wizard's preflight table); the run says how many.
    if (problems.length > 0) throw new StepError(`the machine is not ready:\n- ${problems.join('\n- ')}`, 'preflight.not-ready', { count: problems.length });
    ctx.facts = facts;
    return { state: 'ok' };
  },
  async apply() {
    // Unreachable: check either passes or throws, there is nothing preflight could fix itself.
  },
  async verify() {},
};
