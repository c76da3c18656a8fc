import type { Step } from '../plan';
import { loadAgentArtifact, loadRuntimeArtifact } from '../resources';
import { parsePreflight, PREFLIGHT_SCRIPT, preflightProblems } from './preflight-facts';

const MiB = 1024 * 1024;

/**
 * Looks at the machine and refuses early, with a remedy per problem, rather than failing halfway
 * through an install. It changes nothing, so it is always "unchanged" when it passes.
 */
export const preflightStep: Step = {
  id: 'preflight',
  title: 'Check the machine',
  async check(ctx) {
    const before = ctx.clock.now().getTime();
    const r = await ctx.remote.check(PREFLIGHT_SCRIPT, { signal: ctx.signal, timeoutMs: 20_000 });
    // The remote `date` ran somewhere between the two console readings: compare with the middle.
    const middle = (before + ctx.clock.now().getTime()) / 2;
    const facts = parsePreflight(r.stdout, middle);
    ctx.note(`${facts.os} (${facts.osId} ${facts.osVersion}), kernel ${facts.kernel}, ${facts.machine}, ${facts.cpus} CPU, ${Math.round(facts.memoryBytes / MiB)} MiB, init ${facts.init}, clock skew ${facts.clockSkewSeconds} s`);
    // Room to hold the upload and its unpacked copy side by side (a Node tarball unpacks to ~4x).
    const need = facts.target
      ? loadRuntimeArtifact(ctx.resources.runtimesDir, facts.target).size * 5 + loadAgentArtifact(ctx.resources.agentsDir, facts.target).size * 5
      : 0;
    const problems = preflightProblems(facts, {
      minMemoryBytes: 256 * MiB,
      minFree: { '/opt': need, '/var/lib': 64 * MiB },
      maxClockSkewSeconds: 300,
      minKernelMajor: 4,
    });
    if (ctx.remote.user !== 'root') {
      // Proves sudo works (and the password, if it asks) before anything is written.
      await ctx.remote.check('true', { privileged: true, signal: ctx.signal, timeoutMs: 20_000 });
    }
    if (problems.length > 0) throw new Error(`the machine is not ready:\n- ${problems.join('\n- ')}`);
    ctx.facts = facts;
    return { state: 'ok' };
  },
  async apply() {
    // Unreachable: check either passes or throws, there is nothing preflight could fix itself.
  },
  async verify() {},
};
