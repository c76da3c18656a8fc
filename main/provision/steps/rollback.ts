import type { RollbackStep, StepContext } from '../plan';
import { CONFIG_DIR, CURRENT_LINK, DEPLOYED_FILE, INSTALL_ROOT, KEEP_OLDER_AGENT_VERSIONS, NODE_LINK, ROLLBACK_DIR } from '../layout';
import { shellQuote } from '../remote';
import { restartAgent, waitHealthy } from './agent-process';
import { LOCKED } from './install-tarball';

/**
 * Upgrade safety. Before a run makes its first visible change (switching the `node` or `current`
 * link, rewriting the config), it saves what the machine ran when it was last confirmed healthy
 * into /opt/appliance-agent/.rollback: the two link targets, agent.json, the token and the
 * `.deployed` fingerprint. The service step removes it once the new agent answers. If a step fails
 * in between, the runner calls `rollbackStep`: links and config go back, the agent restarts, and
 * the run reports what happened.
 *
 * The point lives on the machine, not in the console's memory, so a run cancelled after the switch
 * leaves it behind: the next run either confirms the new agent or rolls back to the same healthy
 * state. A point is never overwritten while one exists (it is the last *confirmed* state), and is
 * only made where a confirmed deployment exists (`.deployed`): a first install has nothing to go
 * back to, and its failure is reported as it is.
 */
const q = shellQuote;
const R = ROLLBACK_DIR;
const CONFIG_NAMES = ['agent.json', 'token'] as const;

/** Call right before the first change a rollback would have to undo. Idempotent. */
export async function saveRollbackPoint(ctx: StepContext): Promise<void> {
  await ctx.remote.check(
    [
      'set -e',
      ...LOCKED,
      `if [ -d ${q(R)} ]; then echo "rollback point kept: agent $(cat ${q(`${R}/agent`)}), from a change not yet confirmed"; exit 0; fi`,
      `if [ ! -f ${q(DEPLOYED_FILE)} ]; then echo "no confirmed deployment: nothing to roll back to"; exit 0; fi`,
      `cur=$(readlink ${q(CURRENT_LINK)} || true)`,
      `if [ -z "$cur" ] || [ ! -f ${q(INSTALL_ROOT)}/"$cur"/.source-sha256 ]; then echo "no whole agent installed: nothing to roll back to"; exit 0; fi`,
      `rm -rf ${q(`${R}.new`)}`,
      `mkdir -m 700 ${q(`${R}.new`)}`,
      `printf '%s\\n' "$cur" > ${q(`${R}.new/agent`)}`,
      `readlink ${q(NODE_LINK)} > ${q(`${R}.new/node`)} || true`,
      ...CONFIG_NAMES.map((f) => `if [ -f ${q(`${CONFIG_DIR}/${f}`)} ]; then cp -p ${q(`${CONFIG_DIR}/${f}`)} ${q(`${R}.new/${f}`)}; fi`),
      `cp -p ${q(DEPLOYED_FILE)} ${q(`${R}.new/deployed`)}`,
      // Whole or absent: a run cancelled while copying leaves only `.rollback.new`, redone next time.
      `mv -T ${q(`${R}.new`)} ${q(R)}`,
      `echo "rollback point saved: agent $cur"`,
    ].join('\n'),
    { privileged: true, signal: ctx.signal, timeoutMs: 20_000 },
  );
}

interface Comparison {
  /** The version the point goes back to. */
  from: string;
  /** What is there now. */
  current: string;
  node: string;
  savedNode: string;
  configChanged: boolean;
}

/** The saved point against what is on the machine now; null when there is no point. */
async function compare(ctx: StepContext): Promise<Comparison | null> {
  const r = await ctx.remote.run(
    [
      `[ -f ${q(`${R}/agent`)} ] || exit 0`,
      `echo "from=$(cat ${q(`${R}/agent`)})"`,
      `echo "current=$(readlink ${q(CURRENT_LINK)})"`,
      `echo "node=$(readlink ${q(NODE_LINK)})"`,
      `echo "saved_node=$(cat ${q(`${R}/node`)} 2>/dev/null)"`,
      ...CONFIG_NAMES.map((f) => `if [ -f ${q(`${R}/${f}`)} ] && ! cmp -s ${q(`${R}/${f}`)} ${q(`${CONFIG_DIR}/${f}`)}; then echo config=changed; fi`),
    ].join('\n'),
    { privileged: true, signal: ctx.signal, timeoutMs: 20_000 },
  );
  const lines = r.stdout.split('\n');
  const value = (key: string) => lines.find((l) => l.startsWith(`${key}=`))?.slice(key.length + 1).trim() ?? '';
  if (!value('from')) return null;
  return { from: value('from'), current: value('current'), node: value('node'), savedNode: value('saved_node'), configChanged: lines.includes('config=changed') };
}

const differs = (c: Comparison) => c.from !== c.current || (c.savedNode !== '' && c.savedNode !== c.node) || c.configChanged;

function describeChange(c: Comparison): string {
  if (c.from !== c.current) return `version ${c.current}`;
  if (c.savedNode !== '' && c.savedNode !== c.node) return `the agent on Node.js ${c.node.replace(/^node-/, '')}`;
  return 'the agent with the new configuration';
}

export const rollbackStep: RollbackStep = {
  id: 'rollback',
  title: 'Roll back to the last healthy version',
  async check(ctx) {
    const c = await compare(ctx);
    if (!c) return { state: 'ok' };
    if (!differs(c)) return { state: 'ok' };
    return { state: 'needed', reason: `${describeChange(c)} is not confirmed healthy; going back to ${c.from}` };
  },
  async apply(ctx, failure) {
    const c = await compare(ctx);
    if (!c) throw new Error(`${failure.error}; there was nothing to roll back to`);
    const what = `${describeChange(c)} ${failure.stepId === 'service' ? 'did not become healthy' : 'could not be installed'}: ${failure.error}`;
    try {
      await ctx.remote.check(
        [
          'set -e',
          ...LOCKED,
          `cd ${q(INSTALL_ROOT)}`,
          `ln -sfn "$(cat ${q(`${R}/agent`)})" current.new && mv -T current.new current`,
          `if [ -s ${q(`${R}/node`)} ]; then ln -sfn "$(cat ${q(`${R}/node`)})" node.new && mv -T node.new node; fi`,
          ...CONFIG_NAMES.map(
            (f) => `if [ -f ${q(`${R}/${f}`)} ]; then cp -p ${q(`${R}/${f}`)} ${q(`${CONFIG_DIR}/${f}.new`)} && mv -f ${q(`${CONFIG_DIR}/${f}.new`)} ${q(`${CONFIG_DIR}/${f}`)}; fi`,
          ),
          `echo "switched back to agent ${c.from}"`,
        ].join('\n'),
        { privileged: true, signal: ctx.signal, timeoutMs: 20_000 },
      );
      await restartAgent(ctx, { bootHookWritten: true });
      const problem = await waitHealthy(ctx);
      if (problem) throw new Error(`${problem}; see /var/log/appliance-agent/agent.log on the machine`);
      // Confirmed: the old fingerprint is true again, and there is nothing left to undo.
      // The version that failed is removed (unless it is also `previous`): it is not one to go back
      // to, and it must not take the place of a good older version when versions are pruned.
      const dropFailed = c.current !== c.from && /^[0-9A-Za-z.+-]{1,64}$/.test(c.current);
      await ctx.remote.check(
        [
          'set -e',
          ...LOCKED,
          `cd ${q(INSTALL_ROOT)}`,
          `cp -p ${q(`${R}/deployed`)} .deployed.new && mv -f .deployed.new ${q(DEPLOYED_FILE)}`,
          `rm -rf ${q(R)}`,
          ...(dropFailed ? [`if [ "$(readlink previous || true)" != ${q(c.current)} ]; then rm -rf -- ${q(c.current)}; echo "removed ${c.current}, which did not become healthy"; fi`] : []),
        ].join('\n'),
        { privileged: true, signal: ctx.signal, timeoutMs: 60_000 },
      );
    } catch (err) {
      // The point stays on the machine: the next run tries again from the same healthy state.
      throw new Error(`${what}; rolling back to ${c.from} failed too: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    }
    ctx.note(`agent ${c.from} answers health.v1 again`);
    return `${what}; rolled back to ${c.from}, which is healthy`;
  },
};

/**
 * After the service step confirmed the agent healthy: the change is kept, so the rollback point
 * goes; the version it held becomes `previous`; agent versions beyond `current`, `previous` and
 * the newest KEEP_OLDER_AGENT_VERSIONS others are removed, and Node runtimes beyond the one in use
 * and the newest other one.
 */
export async function confirmDeployment(ctx: StepContext): Promise<void> {
  await ctx.remote.check(
    [
      'set -e',
      ...LOCKED,
      `cd ${q(INSTALL_ROOT)}`,
      `cur=$(readlink current)`,
      `if [ -f .rollback/agent ] && [ "$(cat .rollback/agent)" != "$cur" ]; then ln -sfn "$(cat .rollback/agent)" previous.new && mv -T previous.new previous; echo "previous: $(cat .rollback/agent)"; fi`,
      `rm -rf .rollback .rollback.new`,
      `prev=$(readlink previous || true)`,
      `node=$(readlink node || true)`,
      // Newest first by install time (.source-sha256 is written last when a directory is unpacked).
      `agents=0; runtimes=0`,
      `for m in $(ls -1t -- */.source-sha256 2>/dev/null); do`,
      `  d=\${m%/.source-sha256}`,
      `  if [ -L "$d" ] || [ "$d" = "$cur" ] || [ "$d" = "$prev" ] || [ "$d" = "$node" ]; then continue; fi`,
      `  case "$d" in`,
      `    node-*) runtimes=$((runtimes+1)); keep=1; n=$runtimes ;;`,
      `    *) agents=$((agents+1)); keep=${KEEP_OLDER_AGENT_VERSIONS}; n=$agents ;;`,
      `  esac`,
      `  if [ "$n" -gt "$keep" ]; then rm -rf -- "$d"; echo "pruned $d"; fi`,
      `done`,
    ].join('\n'),
    { privileged: true, signal: ctx.signal, timeoutMs: 60_000 },
  );
}
