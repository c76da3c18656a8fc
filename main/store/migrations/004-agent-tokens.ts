import type { Migration } from './migration';

export const m004AgentTokens: Migration = {
  version: 4,
  name: "each appliance's agent control token",
  sql: `
    -- The bearer token the console gave the appliance's agent, encrypted by the SecretBox like the
    -- SSH credentials. Kept apart from them: removing a login must not forget the agent's token.
    CREATE TABLE agent_tokens (
      appliance_id  TEXT PRIMARY KEY REFERENCES appliances (id) ON DELETE CASCADE,
      token         BLOB NOT NULL,
      created_at    TEXT NOT NULL
    );
  `,
};
