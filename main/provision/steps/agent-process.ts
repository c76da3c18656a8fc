import type { StepContext } from '../plan';
import { CONFIG_FILE, LAUNCHER, RUN_DIR } from '../layout';
import { shellQuote } from '../remote';

/**
 * Starting the agent and waiting for it to answer: shared by the service step (after an install)
 * and the rollback (after switching back), so both restart it the same way.
 */
const q = shellQuote;
export const HEALTH_TIMEOUT_MS = 30_000;

/** null when the agent answers `health.v1` (ok or degraded), else why not. */
export async function healthProblem(ctx: StepContext): Promise<string | null> {
  try {
    const health = await ctx.agentHealth(5_000);
    return health === 'ok' || health === 'degraded' ? null : `the agent answered ${health}`;
  } catch (err) {
    return `the agent does not answer (${err instanceof Error ? err.message : String(err)})`;
  }
}

/** (Re)starts the agent from whatever `current` points at now: systemd's unit, or the watchdog. */
export async function restartAgent(ctx: StepContext, opts: { bootHookWritten: boolean }): Promise<void> {
  if (ctx.facts?.init === 'systemd') {
    await ctx.remote.check('systemctl daemon-reload && systemctl enable appliance-agent && systemctl restart appliance-agent', { privileged: true, signal: ctx.signal, timeoutMs: 60_000 });
    ctx.note('systemd unit enabled and (re)started');
    return;
  }
  if (!opts.bootHookWritten) ctx.note('no systemd and no /etc/cron.d: the agent will not start by itself after a reboot');
  // Stop a running watchdog (it stops its agent; an agent running without one is stopped
  // directly) and wait until both are gone: `--daemon` refuses to start while either pid file names
  // a live process. A pid file naming a pid reused by something else is ignored (it must run agent.js).
  await ctx.remote.check(
    [
      `agentpid() { p=$(cat "$1" 2>/dev/null | tr -dc 0-9); if [ -n "$p" ] && tr '\\0' ' ' < /proc/"$p"/cmdline 2>/dev/null | grep -q 'agent\\.js'; then echo "$p"; fi; }`,
      `wp=$(agentpid ${q(`${RUN_DIR}/watchdog.pid`)}); ap=$(agentpid ${q(`${RUN_DIR}/agent.pid`)})`,
      `if [ -n "$wp" ]; then kill -TERM "$wp" 2>/dev/null || true; elif [ -n "$ap" ]; then kill -TERM "$ap" 2>/dev/null || true; fi`,
      `alive() { [ -n "$1" ] && kill -0 "$1" 2>/dev/null; }`,
      `i=0; while alive "$wp" || alive "$ap"; do [ $i -lt 600 ] || break; sleep 0.1; i=$((i+1)); done`,
      `${q(LAUNCHER)} --daemon --config ${q(CONFIG_FILE)}`,
    ].join('\n'),
    { privileged: true, signal: ctx.signal, timeoutMs: 120_000 },
  );
  ctx.note('agent started with its watchdog (--daemon)');
}

/** Polls `health.v1` until it answers or `timeoutMs` passes; the last problem, or null. */
export async function waitHealthy(ctx: StepContext, timeoutMs = HEALTH_TIMEOUT_MS): Promise<string | null> {
  const deadline = Date.now() + timeoutMs;
  let problem = await healthProblem(ctx);
  while (problem && Date.now() < deadline && !ctx.signal.aborted) {
    await new Promise((r) => setTimeout(r, 250));
    problem = await healthProblem(ctx);
  }
  return problem;
}
