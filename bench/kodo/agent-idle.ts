import { spawn } from 'node:child_process';
import path from 'node:path';
import { prepareAgentHome, socketAnswers, waitFor, type AgentBundle } from '../../tests/helpers/agent-harness';
import { rssBytes } from '../proc-tree';

/**
 * The agent's resident memory when idle, as the launcher runs it (`sh appliance-agent`, its Node
 * flags and malloc settings; the launcher execs Node, so the child's pid is the agent's), measured
 * `settleMs` after its control socket answers: the agent half of "agent + Kodo RSS idle".
 */
export async function agentIdleRss(bundle: AgentBundle, node: string, homeDir: string, settleMs = 5000): Promise<number> {
  const home = prepareAgentHome(homeDir);
  const child = spawn('sh', [path.join(bundle.dir, 'appliance-agent'), '--config', home.configPath], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, APPLIANCE_AGENT_NODE: node } });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  child.stderr.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await waitFor(
      "the agent's control socket",
      async () => {
        if (child.exitCode !== null) throw new Error(`the agent exited (${child.exitCode}) before it was ready:\n${out}`);
        return (await socketAnswers(home.socketPath)) ? true : undefined;
      },
      30_000,
    );
    await new Promise((r) => setTimeout(r, settleMs));
    return rssBytes(child.pid!);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  }
}
