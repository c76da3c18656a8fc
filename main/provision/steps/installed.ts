import { StepError, type Step } from '../plan';
import { CURRENT_LINK, INSTALL_ROOT, SOURCE_SHA_FILE } from '../layout';
import { shellQuote } from '../remote';

/**
 * First step of the upgrade plan after preflight: an upgrade replaces an agent, so a machine
 * without one is refused before anything is written (provisioning is the way to install).
 */
export const installedStep: Step = {
  id: 'installed',
  title: 'Check the agent is installed',
  async check(ctx) {
    const r = await ctx.remote.run(`v=$(readlink ${shellQuote(CURRENT_LINK)}) && [ -f ${shellQuote(INSTALL_ROOT)}/"$v"/${SOURCE_SHA_FILE} ] && echo "$v"`, {
      privileged: true,
      signal: ctx.signal,
      timeoutMs: 20_000,
    });
    const version = r.code === 0 ? r.stdout.trim() : '';
    if (!version) throw new StepError(`not installed: the agent is not installed on this machine (no ${CURRENT_LINK}); provision it first`, 'agent.not-installed');
    ctx.note(`agent ${version} is installed`);
    return { state: 'ok' };
  },
  async apply() {
    // Unreachable: check passes or throws; installing is provisioning's job.
  },
  async verify() {},
};
