import type { Migration } from './migration';

/**
 * The agent settings a person set from the console, per appliance (`agentSettings.update`): the
 * console's intent, which it writes to the agent's settings.json and writes again after every
 * provisioning or upgrade run. A row exists only once the agent has taken the settings: an
 * appliance that could not be reached keeps what it had (nothing recorded as applied).
 * `applied_at` is the last time an agent took them (the update itself, or a later run's re-apply).
 */
export const m011AgentSettingsIntent: Migration = {
  version: 11,
  name: 'agent settings intended by the console',
  sql: `
    CREATE TABLE agent_settings_intent (
      appliance_id     TEXT PRIMARY KEY REFERENCES appliances (id) ON DELETE CASCADE,
      settings_json    TEXT NOT NULL,
      updated_at       TEXT NOT NULL,
      applied_at       TEXT NOT NULL
    );
  `,
};
