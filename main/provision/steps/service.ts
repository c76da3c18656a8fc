import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StepError, type Step, type StepContext } from '../plan';
import { CONFIG_FILE, CRON_FILE, DEPLOYED_FILE, LAUNCHER, UNIT_FILE } from '../layout';
import { shellQuote } from '../remote';
import { loadAgentArtifact, loadRuntimeArtifact } from '../resources';
import { HEALTH_TIMEOUT_MS, healthProblem, restartAgent, waitHealthy } from './agent-process';
import { renderConfig } from './config';
import { requireTarget } from './install-tarball';
import { confirmDeployment } from './rollback';

/**
 * Runs the agent and waits until it answers `health.v1` through the bridge. Under systemd: a
 * hardened unit (appliance/install/appliance-agent.service). Without: the agent's own watchdog
 * (`--daemon`) plus an @reboot cron entry where /etc/cron.d exists.
 *
 * "Up to date" means: the agent answers, and it was started from exactly what is installed now.
 * The second half is a fingerprint of bundle, runtime, config, token and unit, written to
 * /opt/appliance-agent/.deployed after a healthy start. A run cancelled after the agent step, or
 * an edited config, therefore still restarts the agent on the next run.
 */
const q = shellQuote;

/** Fills appliance/install templates; exported so tests can check the unit with systemd's own parser. */
export function renderTemplate(text: string, paths: { launcher: string; configFile: string } = { launcher: LAUNCHER, configFile: CONFIG_FILE }): string {
  return text.replace(/@LAUNCHER@/g, paths.launcher).replace(/@CONFIG_FILE@/g, paths.configFile);
}

function template(ctx: StepContext, name: string): string {
  return renderTemplate(fs.readFileSync(path.join(ctx.resources.installDir, name), 'utf8'));
}

/** The hook that brings the agent back after a reboot, or null where there is none to write. */
function bootHook(ctx: StepContext): { path: string; content: string } | null {
  if (ctx.facts?.init === 'systemd') return { path: UNIT_FILE, content: template(ctx, 'appliance-agent.service') };
  if (ctx.facts?.cronDir) return { path: CRON_FILE, content: template(ctx, 'appliance-agent.cron') };
  return null;
}

function fingerprint(ctx: StepContext): string {
  const target = requireTarget(ctx);
  const h = crypto.createHash('sha256');
  h.update(loadAgentArtifact(ctx.resources.agentsDir, target).sha256);
  h.update(loadRuntimeArtifact(ctx.resources.runtimesDir, target).sha256);
  for (const f of renderConfig(ctx)) h.update(f.content);
  h.update(bootHook(ctx)?.content ?? '');
  return h.digest('hex');
}

async function writeFile(ctx: StepContext, file: string, content: string, mode: string): Promise<void> {
  await ctx.remote.check(`set -e; mkdir -p ${q(path.posix.dirname(file))}; cat > ${q(`${file}.new`)}; chmod ${mode} ${q(`${file}.new`)}; mv -f ${q(`${file}.new`)} ${q(file)}`, {
    privileged: true,
    stdin: content,
    signal: ctx.signal,
    timeoutMs: 20_000,
  });
}

export const serviceStep: Step = {
  id: 'service',
  title: 'Start the agent',
  async check(ctx) {
    const deployed = await ctx.remote.run(`cat ${q(DEPLOYED_FILE)} 2>/dev/null`, { privileged: true, signal: ctx.signal, timeoutMs: 20_000 });
    if (deployed.stdout.trim() !== fingerprint(ctx)) return { state: 'needed', reason: 'the agent was not started from what is installed now' };
    if (ctx.facts?.init === 'systemd') {
      const enabled = await ctx.remote.run('systemctl is-enabled appliance-agent', { signal: ctx.signal, timeoutMs: 20_000 });
      if (enabled.stdout.trim() !== 'enabled') return { state: 'needed', reason: 'the appliance-agent unit is not enabled' };
    }
    const problem = await healthProblem(ctx);
    return problem ? { state: 'needed', reason: problem } : { state: 'ok' };
  },
  async apply(ctx) {
    const hook = bootHook(ctx);
    // Written before the start, so a crash between the two still starts the agent at boot.
    if (hook) await writeFile(ctx, hook.path, hook.content, '644');
    await restartAgent(ctx, { bootHookWritten: hook !== null });
    const problem = await waitHealthy(ctx, HEALTH_TIMEOUT_MS);
    // The runner then rolls back to the last healthy version, if this run switched from one.
    if (problem) throw new StepError(`${problem}; see /var/log/appliance-agent/agent.log on the machine`, 'agent.unhealthy');
    await writeFile(ctx, DEPLOYED_FILE, `${fingerprint(ctx)}\n`, '600');
    await confirmDeployment(ctx);
  },
  async verify(ctx) {
    const problem = await healthProblem(ctx);
    if (problem) throw new Error(problem);
    ctx.note('the agent answers health.v1 through the bridge');
  },
};
