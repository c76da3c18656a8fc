import type { Migration } from './migration';

/**
 * What the console last knew about each appliance, so a restarted console (or an appliance that
 * went away) still shows the last-known state with "as of" times instead of a blank:
 * - `appliance_status`: connectivity (online / degraded / offline since when, and why), the last
 *   successful contact, the agent's identity (version, pid, start time — a change of pid is how a
 *   restart is noticed) and the last health, services and inventory answers as JSON, each with its time.
 * - `appliance_events`: things that happened to an appliance (state changes, agent restarted,
 *   service restarted), newest first by id, paged; rows cascade with their appliance.
 */
export const m006ApplianceStatus: Migration = {
  version: 6,
  name: 'appliance status and events',
  sql: `
    CREATE TABLE appliance_status (
      appliance_id      TEXT PRIMARY KEY REFERENCES appliances (id) ON DELETE CASCADE,
      state             TEXT NOT NULL CHECK (state IN ('unknown', 'online', 'degraded', 'offline')),
      since             TEXT NOT NULL,
      reason            TEXT,
      checked_at        TEXT NOT NULL,
      last_seen_at      TEXT,
      agent_version     TEXT,
      agent_pid         INTEGER,
      agent_started_at  TEXT,
      clock_skew_ms     INTEGER,
      health_json       TEXT,
      services_json     TEXT,
      inventory_json    TEXT,
      inventory_at      TEXT
    );
    CREATE TABLE appliance_events (
      id            INTEGER PRIMARY KEY AUTOINCREMENT,
      appliance_id  TEXT NOT NULL REFERENCES appliances (id) ON DELETE CASCADE,
      at            TEXT NOT NULL,
      kind          TEXT NOT NULL,
      message       TEXT NOT NULL,
      details_json  TEXT
    );
    CREATE INDEX appliance_events_by_appliance ON appliance_events (appliance_id, id);
  `,
};
