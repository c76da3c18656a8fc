import { StepError, type Step, type StepContext } from '../plan';
import { CONFIG_DIR, CONFIG_FILE, CRON_FILE, INSTALL_ROOT, LOG_DIR, RUN_DIR, STATE_DIR, TOKEN_FILE, UNIT_FILE } from '../layout';
import { shellQuote } from '../remote';

/**
 * Uninstall: stop the agent, remove what provisioning laid down, and — only when asked to purge —
 * its data, logs and the settings a person made through it. Each step looks first, so uninstalling twice changes nothing the second time.
 * The scripts detect systemd themselves rather than relying on preflight: a machine that preflight
 * would refuse (a skewed clock, little free space) must still be uninstallable.
 */
const q = shellQuote;
const PID_FILES = [`${RUN_DIR}/watchdog.pid`, `${RUN_DIR}/agent.pid`];
/** The agent stops its services on SIGTERM; give them this long before killing what is left. */
const STOP_WAIT_S = 45;

/**
 * Prints the pids of agent processes named by the pid files (a stale file naming a reused pid is
 * ignored: the process must be running agent.js), and "unit=<state>" where systemd knows the unit.
 */
const LOOK = [
  `for f in ${PID_FILES.map(q).join(' ')}; do`,
  `  p=$(cat "$f" 2>/dev/null | tr -dc 0-9)`,
  `  if [ -n "$p" ] && kill -0 "$p" 2>/dev/null && tr '\\0' ' ' < /proc/"$p"/cmdline 2>/dev/null | grep -q 'agent\\.js'; then echo "pid=$p"; fi`,
  `done`,
  `if [ -d /run/systemd/system ] && systemctl cat appliance-agent >/dev/null 2>&1; then echo "unit=$(systemctl is-active appliance-agent 2>/dev/null)/$(systemctl is-enabled appliance-agent 2>/dev/null)"; fi`,
].join('\n');

async function look(ctx: StepContext): Promise<{ pids: string[]; unit: string | null }> {
  const r = await ctx.remote.run(LOOK, { privileged: true, signal: ctx.signal, timeoutMs: 20_000 });
  const lines = r.stdout.split('\n').map((l) => l.trim());
  const unit = lines.find((l) => l.startsWith('unit='))?.slice(5) ?? null;
  return { pids: lines.filter((l) => l.startsWith('pid=')).map((l) => l.slice(4)), unit };
}

const unitRunning = (unit: string | null) => unit !== null && !/^(inactive|failed|unknown)\/(disabled|masked|not-found|)$/.test(unit);

export const stopStep: Step = {
  id: 'stop',
  title: 'Stop the agent',
  async check(ctx) {
    const { pids, unit } = await look(ctx);
    if (unitRunning(unit)) return { state: 'needed', reason: `the appliance-agent unit is ${unit}` };
    if (pids.length > 0) return { state: 'needed', reason: `the agent runs (pid ${pids.join(', ')})` };
    return { state: 'ok' };
  },
  async apply(ctx) {
    await ctx.remote.check(
      [
        // systemd first: otherwise it would restart what we stop.
        `if [ -d /run/systemd/system ] && systemctl cat appliance-agent >/dev/null 2>&1; then systemctl disable --now appliance-agent; echo 'unit stopped and disabled'; fi`,
        // The watchdog passes SIGTERM on to the agent, which stops its services, then exits.
        `pids=$( (${LOOK}) | sed -n 's/^pid=//p')`,
        `[ -z "$pids" ] || kill -TERM $pids 2>/dev/null || true`,
        `i=0; while [ $i -lt ${STOP_WAIT_S * 10} ]; do alive=''; for p in $pids; do kill -0 "$p" 2>/dev/null && alive="$alive $p"; done; [ -z "$alive" ] && break; sleep 0.1; i=$((i+1)); done`,
        `if [ -n "$alive" ]; then kill -KILL $alive 2>/dev/null || true; echo "killed$alive: still running ${STOP_WAIT_S} s after SIGTERM"; fi`,
        `[ -z "$pids" ] || echo "stopped pid $(echo $pids)"`,
      ].join('\n'),
      { privileged: true, signal: ctx.signal, timeoutMs: (STOP_WAIT_S + 30) * 1000 },
    );
  },
  async verify(ctx) {
    const { pids, unit } = await look(ctx);
    if (unitRunning(unit) || pids.length > 0) throw new StepError(`the agent is still running (${unit ? `unit ${unit}, ` : ''}pid ${pids.join(', ') || 'none'}); stop it on the machine and run again`, 'uninstall.still-running', { pids: pids.join(', ') || '—' });
  },
};

/**
 * A directory that is a mount point (a dedicated /var/lib partition; the testbed's tmpfs) cannot be
 * removed, only emptied: an empty mount point counts as removed.
 */
const MOUNTED = `awk -v p="$p" '$5 == p {f = 1} END {exit !f}' /proc/self/mountinfo`;

/** Paths among `paths` that are still there, as the machine sees them. */
async function existing(ctx: StepContext, paths: readonly string[]): Promise<string[]> {
  const r = await ctx.remote.run(
    `for p in ${paths.map(q).join(' ')}; do if [ -L "$p" ] || { [ -e "$p" ] && ! { [ -d "$p" ] && ${MOUNTED} && [ -z "$(ls -A "$p")" ]; }; }; then echo "$p"; fi; done`,
    { privileged: true, signal: ctx.signal, timeoutMs: 20_000 },
  );
  return r.stdout.split('\n').map((l) => l.trim()).filter(Boolean);
}

function removalStep(opts: { id: string; title: string; paths: readonly string[]; after?: string }): Step {
  return {
    id: opts.id,
    title: opts.title,
    async check(ctx) {
      const left = await existing(ctx, opts.paths);
      return left.length === 0 ? { state: 'ok' } : { state: 'needed', reason: `${left.join(', ')} ${left.length > 1 ? 'are' : 'is'} still there` };
    },
    async apply(ctx) {
      const left = await existing(ctx, opts.paths);
      await ctx.remote.check(
        [
          'set -e',
          // A cancelled install may still be unpacking under the lock: let it finish before removing.
          `if [ -d ${q(INSTALL_ROOT)} ]; then exec 9> ${q(`${INSTALL_ROOT}/.provision.lock`)}; flock -w 120 9 || { echo 'another provisioning run is installing on this machine' >&2; exit 75; }; fi`,
          `for p in ${left.map(q).join(' ')}; do if [ -d "$p" ] && [ ! -L "$p" ] && ${MOUNTED}; then find "$p" -mindepth 1 -delete; else rm -rf -- "$p"; fi; done`,
          ...(opts.after ? [opts.after] : []),
          `echo 'removed ${left.join(', ')}'`,
        ].join('\n'),
        { privileged: true, signal: ctx.signal, timeoutMs: 5 * 60_000 },
      );
    },
    async verify(ctx) {
      const left = await existing(ctx, opts.paths);
      if (left.length > 0) throw new StepError(`could not remove ${left.join(', ')}`, 'uninstall.remove-failed', { paths: left.join(', ') });
    },
  };
}

/**
 * What provisioning wrote goes (agent.json and the token are the console's and come back with the
 * next install); what a person set through the agent stays, as `apt remove` keeps a package's
 * configuration: services.json (each service's config, an S3 store's layout among it) and
 * settings.json beside them in CONFIG_DIR, which only a purge removes.
 */
export const removeStep = removalStep({
  id: 'remove',
  title: 'Remove the agent',
  paths: [UNIT_FILE, CRON_FILE, INSTALL_ROOT, CONFIG_FILE, TOKEN_FILE, RUN_DIR],
  after: 'if [ -d /run/systemd/system ]; then systemctl daemon-reload; fi',
});

export const purgeStep = removalStep({ id: 'purge', title: 'Remove the agent’s data, logs and settings', paths: [STATE_DIR, LOG_DIR, CONFIG_DIR] });
