import crypto from 'node:crypto';
import { AgentConfigSchema, type DataDisk } from '../../../agents/protocol/agent-config';
import type { ProvisionInput, Step, StepContext } from '../plan';
import { AGENT_LOOPBACK_PORT, servicePortsFor } from '../service-ports';
import { isDataDiskCandidate } from './preflight-disks';
import type { PreflightFacts } from './preflight-facts';
import { CONFIG_DIR, CONFIG_FILE, TOKEN_FILE } from '../layout';
import { shellQuote } from '../remote';
import { saveRollbackPoint } from './rollback';

/**
 * /etc/appliance-agent/agent.json and its token file, both root's and 0600. The config is checked
 * with the agent's own schema before it leaves the console (the agent would refuse it at start
 * otherwise, after the old one was overwritten). Files are compared by checksum and mode, and
 * replaced by rename, so the agent never reads half a file. The token travels on stdin only.
 */
interface Desired {
  path: string;
  content: string;
}

const sha = (text: string): string => crypto.createHash('sha256').update(text).digest('hex');

/**
 * The disks preflight saw that the services may store data on: mounted, writable, not removable,
 * not holding the system (the same test as the preflight table's "data disks" row), one entry per
 * disk at its first mount point, in name order so the same machine always yields the same file.
 * Unmounted disks are not listed: formatting one is the storage set-up's decision, not the installer's.
 */
export function dataDisksOf(facts: Pick<PreflightFacts, 'disks'>): DataDisk[] {
  return facts.disks
    .filter(isDataDiskCandidate)
    .map((d) => ({ d, mounts: d.mounts.filter((m) => m.startsWith('/')).sort() }))
    .filter(({ mounts }) => mounts.length > 0)
    .sort((a, b) => (a.d.name < b.d.name ? -1 : a.d.name > b.d.name ? 1 : 0))
    .map(({ d, mounts }) => ({ device: d.name, mountpoint: mounts[0]!, sizeBytes: d.sizeBytes }));
}

/** The media services' ports for a role (the agent's own loopback fallback is `control.tcp`, not here). */
export function servicePortMap(role: ProvisionInput['role']): Record<string, number> {
  return Object.fromEntries(servicePortsFor(role).filter((p) => p.port !== AGENT_LOOPBACK_PORT).map((p) => [p.id, p.port]));
}

/**
 * agent.json: role, the services' ports and data disks (from preflight's facts), then whatever the
 * caller adds (`input.agentConfig`, which wins), and the token file.
 */
export function renderConfig(ctx: Pick<StepContext, 'input' | 'facts'>): Desired[] {
  if (!ctx.facts) throw new Error('preflight did not run: the configuration needs its view of the disks');
  const config = { configVersion: 1, role: ctx.input.role, ports: servicePortMap(ctx.input.role), dataDisks: dataDisksOf(ctx.facts), ...ctx.input.agentConfig };
  const parsed = AgentConfigSchema.safeParse(config);
  if (!parsed.success) {
    throw new Error(`the agent configuration is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`).join('; ')}`);
  }
  if (!/^[\x21-\x7e]{32,512}$/.test(ctx.input.token)) throw new Error('the control token must be 32 to 512 printable characters without spaces');
  // What we write is the input, not the parsed output: defaults stay the agent's to choose.
  return [
    { path: CONFIG_FILE, content: `${JSON.stringify(config, null, 2)}\n` },
    { path: TOKEN_FILE, content: `${ctx.input.token}\n` },
  ];
}

async function differing(ctx: StepContext, files: Desired[]): Promise<Desired[]> {
  const paths = files.map((f) => shellQuote(f.path)).join(' ');
  // One line per file: "<sha> <mode> <owner>"; a missing file prints "- - -".
  const r = await ctx.remote.run(`for f in ${paths}; do if [ -f "$f" ]; then echo "$(sha256sum < "$f" | cut -d ' ' -f 1) $(stat -c '%a %u' "$f")"; else echo '- - -'; fi; done`, {
    privileged: true,
    signal: ctx.signal,
    timeoutMs: 20_000,
  });
  const lines = r.stdout.trim().split('\n');
  return files.filter((f, i) => lines[i] !== `${sha(f.content)} 600 0`);
}

export const configStep: Step = {
  id: 'config',
  title: 'Write the agent configuration',
  async check(ctx) {
    const stale = await differing(ctx, renderConfig(ctx));
    return stale.length === 0 ? { state: 'ok' } : { state: 'needed', reason: `${stale.map((f) => f.path).join(' and ')} ${stale.length > 1 ? 'differ' : 'differs'} from what the console wants` };
  },
  async apply(ctx) {
    const files = await differing(ctx, renderConfig(ctx));
    // The running agent read the old files; a rollback puts them back if the new ones fail.
    if (files.length > 0) await saveRollbackPoint(ctx);
    for (const f of files) {
      const tmp = `${f.path}.new`;
      await ctx.remote.check(
        `set -e; umask 077; mkdir -p ${shellQuote(CONFIG_DIR)}; chmod 755 ${shellQuote(CONFIG_DIR)}; cat > ${shellQuote(tmp)}; chown 0:0 ${shellQuote(tmp)}; chmod 600 ${shellQuote(tmp)}; mv -f ${shellQuote(tmp)} ${shellQuote(f.path)}`,
        { privileged: true, stdin: f.content, signal: ctx.signal, timeoutMs: 20_000 },
      );
      ctx.note(`wrote ${f.path}`);
    }
  },
  async verify(ctx) {
    const stale = await differing(ctx, renderConfig(ctx));
    if (stale.length > 0) throw new Error(`${stale.map((f) => f.path).join(', ')} did not read back as written`);
  },
};
