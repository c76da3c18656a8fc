import type { Db } from './database';

/** The agent's own settings as the console intends them; what `agent-settings.v1`'s `set` takes. */
export interface IntendedAgentSettings {
  prometheus: { enabled: boolean; host: string; port: number; requireToken: boolean };
}

export interface AgentSettingsIntentRecord {
  settings: IntendedAgentSettings;
  /** When a person last changed them. */
  updatedAt: string;
  /** When an agent last took them (the change itself, or a provisioning run's re-apply). */
  appliedAt: string;
}

/**
 * The console's intended agent settings per appliance (migration 011). Nothing secret is kept here:
 * `/metrics` with `requireToken` uses the agent's control token, which stays in agent_tokens.
 */
export function createAgentSettingsStore(db: Db) {
  const get = db.prepare<[string], { settings_json: string; updated_at: string; applied_at: string }>(
    'SELECT settings_json, updated_at, applied_at FROM agent_settings_intent WHERE appliance_id = ?',
  );
  const put = db.prepare(
    `INSERT INTO agent_settings_intent (appliance_id, settings_json, updated_at, applied_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (appliance_id) DO UPDATE SET settings_json = excluded.settings_json, updated_at = excluded.updated_at, applied_at = excluded.applied_at`,
  );
  const applied = db.prepare('UPDATE agent_settings_intent SET applied_at = ? WHERE appliance_id = ?');
  return {
    get(applianceId: string): AgentSettingsIntentRecord | null {
      const row = get.get(applianceId);
      return row ? { settings: JSON.parse(row.settings_json) as IntendedAgentSettings, updatedAt: row.updated_at, appliedAt: row.applied_at } : null;
    },
    /** A person's change, recorded once the agent took it. */
    set(applianceId: string, settings: IntendedAgentSettings, at: string): void {
      put.run(applianceId, JSON.stringify(settings), at, at);
    },
    /** A provisioning run wrote the intent to the agent again. */
    markApplied(applianceId: string, at: string): void {
      applied.run(at, applianceId);
    },
  };
}
export type AgentSettingsStore = ReturnType<typeof createAgentSettingsStore>;
