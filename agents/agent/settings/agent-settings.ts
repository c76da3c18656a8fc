import fs from 'node:fs';
import * as z from 'zod/mini';
import { AgentError, toAgentIssues } from '../../protocol/errors';
import { AgentSettingsSchema, type AgentSettings, type AgentSettingsResult } from '../../protocol/payloads/agent-settings';
import { removeStaleTempFiles, writeFileAtomic } from '../atomic-file';
import type { Logger } from '../logging/logger';

/**
 * The settings a console may change (`agent-settings.v1`), kept in their own file (settings.json)
 * so the provisioner, which rewrites agent.json on every upgrade, never undoes them: what the file
 * holds wins over agent.json. A change is validated, written atomically, then applied to the
 * running agent by `apply` (the Prometheus endpoint is closed and opened again); the answer says
 * what each layer holds and whether the running agent lags behind the files.
 */
export interface AgentSettingsControl {
  /** Reads the file and applies what it says (at start). */
  load(): Promise<void>;
  get(): AgentSettingsResult;
  set(change: { prometheus?: Partial<AgentSettings['prometheus']> }): Promise<AgentSettingsResult>;
  running(): AgentSettings;
}

export interface AgentSettingsDeps {
  file: string;
  /** agent.json's values. */
  agentJson: AgentSettings;
  /** Makes the running agent use these settings; resolves to what it then uses and, on failure, why. */
  apply(settings: AgentSettings): Promise<{ running: AgentSettings; error: string | null }>;
  log: Logger;
}

export function createAgentSettings(deps: AgentSettingsDeps): AgentSettingsControl {
  let fromFile: AgentSettings | null = null;
  let running: AgentSettings = deps.agentJson;
  let applyError: string | null = null;

  function readFile(): AgentSettings | null {
    let text: string;
    try {
      text = fs.readFileSync(deps.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw err;
    }
    const parsed = AgentSettingsSchema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new Error(z.prettifyError(parsed.error).replace(/\n/g, ' '));
    return parsed.data;
  }

  const effective = () => fromFile ?? deps.agentJson;
  const same = (a: AgentSettings, b: AgentSettings) => JSON.stringify(a) === JSON.stringify(b);

  async function applyNow(): Promise<void> {
    const outcome = await deps.apply(effective());
    running = outcome.running;
    applyError = outcome.error;
    if (outcome.error) deps.log.error('settings.apply-failed', { msg: outcome.error });
  }

  function result(changed: boolean): AgentSettingsResult {
    return { agentJson: deps.agentJson, file: fromFile, running, restartPending: !same(effective(), running), applyError, path: deps.file, changed };
  }

  return {
    async load() {
      removeStaleTempFiles(deps.file);
      try {
        fromFile = readFile();
      } catch (err) {
        // A hand edit gone wrong must not keep the agent from starting: agent.json's values apply.
        fromFile = null;
        deps.log.error('settings.file-invalid', { msg: `${deps.file} is not valid settings (${(err as Error).message}); using agent.json's. Fix the file or send the settings again with agent-settings.v1` });
      }
      await applyNow();
    },
    get: () => result(false),
    async set(change) {
      const base = effective();
      const next = AgentSettingsSchema.safeParse({ prometheus: { ...base.prometheus, ...change.prometheus } });
      if (!next.success) {
        throw new AgentError('invalid-input', 'These settings are not valid; nothing was written or changed', { issues: toAgentIssues(next.error).map((i) => ({ ...i, path: `set.${i.path}` })) });
      }
      const changed = fromFile === null || !same(fromFile, next.data);
      if (changed) {
        writeFileAtomic(deps.file, `${JSON.stringify(next.data, null, 2)}\n`);
        fromFile = next.data;
        deps.log.info('settings.changed', { prometheus: `${next.data.prometheus.enabled ? 'on' : 'off'} ${next.data.prometheus.host}:${next.data.prometheus.port}` });
      }
      if (changed || !same(effective(), running)) await applyNow();
      return result(changed);
    },
    running: () => running,
  };
}
