import type { Step, StepContext } from '../plan';
import { agentDir, CURRENT_LINK, LAUNCHER } from '../layout';
import { loadAgentArtifact, type Artifact } from '../resources';
import { installTarball, isInstalled, readLink, requireTarget, switchLink } from './install-tarball';
import { saveRollbackPoint } from './rollback';

/**
 * The agent bundle: one transfer, checksum on the machine, unpacked beside other versions in
 * /opt/appliance-agent/<version>/, then `current` switched with one rename. The old version stays:
 * a rollback point is saved before the switch (steps/rollback.ts), and old versions are pruned
 * only once the new one answers (the service step).
 */
const artifact = (ctx: StepContext): Artifact => loadAgentArtifact(ctx.resources.agentsDir, requireTarget(ctx));

export const agentStep: Step = {
  id: 'agent',
  title: 'Install the agent',
  async check(ctx) {
    const a = artifact(ctx);
    if (!(await isInstalled(ctx, agentDir(a.version), a))) return { state: 'needed', reason: `agent ${a.version} is not installed` };
    if ((await readLink(ctx, CURRENT_LINK)) !== a.version) return { state: 'needed', reason: `${CURRENT_LINK} does not point to ${a.version}` };
    return { state: 'ok' };
  },
  async apply(ctx, progress) {
    const a = artifact(ctx);
    if (!(await isInstalled(ctx, agentDir(a.version), a))) {
      await installTarball(ctx, progress, { artifact: a, dest: agentDir(a.version), stripComponents: 0 });
    }
    if ((await readLink(ctx, CURRENT_LINK)) !== a.version) {
      // The running agent keeps its files (the old directory stays); the point lets a failed start go back.
      await saveRollbackPoint(ctx);
      await switchLink(ctx, CURRENT_LINK, a.version);
    }
  },
  async verify(ctx) {
    const a = artifact(ctx);
    // Runs the launcher on the installed runtime: proves both fit together.
    const r = await ctx.remote.check(`${LAUNCHER} --version`, { signal: ctx.signal, timeoutMs: 30_000 });
    if (!r.stdout.includes(a.version)) throw new Error(`${LAUNCHER} --version printed "${r.stdout.trim()}", expected ${a.version}`);
    ctx.note(`appliance-agent ${a.version} runs`);
  },
};
