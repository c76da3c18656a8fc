import type { Step, StepContext } from '../plan';
import { NODE_LINK, runtimeDir } from '../layout';
import { shellQuote } from '../remote';
import { loadRuntimeArtifact, type Artifact } from '../resources';
import { installTarball, isInstalled, readLink, requireTarget, switchLink } from './install-tarball';
import { saveRollbackPoint } from './rollback';

/**
 * The Node.js runtime the agent runs on (a real appliance has none): the npm `node-linux-<arch>`
 * tarball from resources/runtimes, unpacked to /opt/appliance-agent/node-<version>/ and made
 * current through the `node` link, which the launcher finds beside the bundle.
 */
const artifact = (ctx: StepContext): Artifact => loadRuntimeArtifact(ctx.resources.runtimesDir, requireTarget(ctx), { zstd: ctx.facts?.zstd === true });
const linkTarget = (a: Artifact): string => `node-${a.version}`;

export const runtimeStep: Step = {
  id: 'runtime',
  title: 'Install the Node.js runtime',
  async check(ctx) {
    const a = artifact(ctx);
    if (!(await isInstalled(ctx, runtimeDir(a.version), a))) return { state: 'needed', reason: `Node.js ${a.version} is not installed` };
    if ((await readLink(ctx, NODE_LINK)) !== linkTarget(a)) return { state: 'needed', reason: `${NODE_LINK} does not point to Node.js ${a.version}` };
    return { state: 'ok' };
  },
  async apply(ctx, progress) {
    const a = artifact(ctx);
    if (!(await isInstalled(ctx, runtimeDir(a.version), a))) {
      // npm's tarball holds everything under package/: strip it, so bin/node is at the top.
      await installTarball(ctx, progress, { artifact: a, dest: runtimeDir(a.version), stripComponents: 1 });
    }
    if ((await readLink(ctx, NODE_LINK)) !== linkTarget(a)) {
      await saveRollbackPoint(ctx);
      await switchLink(ctx, NODE_LINK, linkTarget(a));
    }
  },
  async verify(ctx) {
    const a = artifact(ctx);
    // `--version` answers before V8 starts (ms, where `-e` costs ~70 ms of CPU per machine) and
    // still proves the binary loads with this machine's kernel and glibc; the agent step then runs JS.
    const r = await ctx.remote.check(`${shellQuote(`${NODE_LINK}/bin/node`)} --version`, { signal: ctx.signal, timeoutMs: 30_000 });
    if (r.stdout.trim() !== `v${a.version}`) throw new Error(`${NODE_LINK}/bin/node reports ${r.stdout.trim() || 'nothing'}, expected v${a.version}`);
    ctx.note(`node ${r.stdout.trim()} runs`);
  },
};
