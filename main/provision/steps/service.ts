import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Step, StepContext } from '../plan';
import { CONFIG_FILE, CRON_FILE, DEPLOYED_FILE, LAUNCHER, RUN_DIR, UNIT_FILE } from '../layout';
import { shellQuote } from '../remote';
import { loadAgentArtifact, loadRuntimeArtifact } from '../resources';
import { renderConfig } from './config';
import { requireTarget } from './install-tarball';

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
const HEALTH_TIMEOUT_MS = 30_000;

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

async function healthy(ctx: StepContext): Promise<string | null> {
  try {
    const health = await ctx.agentHealth(5_000);
    return health === 'ok' || health === 'degraded' ? null : `the agent answered ${health}`;
  } catch (err) {
    return `the agent does not answer (${err instanceof Error ? err.message : String(err)})`;
  }
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
    const problem = await healthy(ctx);
    return problem ? { state: 'needed', reason: problem } : { state: 'ok' };
  },
  async apply(ctx) {
    const hook = bootHook(ctx);
    // Written before the start, so a crash between the two still starts the agent at boot.
    if (hook) await writeFile(ctx, hook.path, hook.content, '644');
    if (ctx.facts?.init === 'systemd') {
      await ctx.remote.check('systemctl daemon-reload && systemctl enable appliance-agent && systemctl restart appliance-agent', { privileged: true, signal: ctx.signal, timeoutMs: 60_000 });
      ctx.note('systemd unit enabled and (re)started');
    } else {
      if (!hook) ctx.note('no systemd and no /etc/cron.d: the agent will not start by itself after a reboot');
      // Stop a running watchdog (it stops its agent), wait for the agent's pid file to go, start again.
      await ctx.remote.check(
        [
          `w=${q(`${RUN_DIR}/watchdog.pid`)}`,
          `if [ -f "$w" ]; then kill -TERM "$(cat "$w")" 2>/dev/null || true; fi`,
          `i=0; while [ -e ${q(`${RUN_DIR}/agent.pid`)} ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i+1)); done`,
          `${q(LAUNCHER)} --daemon --config ${q(CONFIG_FILE)}`,
        ].join('\n'),
        { privileged: true, signal: ctx.signal, timeoutMs: 60_000 },
      );
      ctx.note('agent started with its watchdog (--daemon)');
    }
    const deadline = Date.now() + HEALTH_TIMEOUT_MS;
    let problem = await healthy(ctx);
    while (problem && Date.now() < deadline && !ctx.signal.aborted) {
      await new Promise((r) => setTimeout(r, 250));
      problem = await healthy(ctx);
    }
    if (problem) throw new Error(`${problem}; see /var/log/appliance-agent/agent.log on the machine`);
    await writeFile(ctx, DEPLOYED_FILE, `${fingerprint(ctx)}\n`, '600');
  },
  async verify(ctx) {
    const problem = await healthy(ctx);
    if (problem) throw new Error(problem);
    ctx.note('the agent answers health.v1 through the bridge');
  },
};
