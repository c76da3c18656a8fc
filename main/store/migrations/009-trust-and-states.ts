import type { Migration } from './migration';

/**
 * 1. `host_key_changes`: an endpoint where a connection of this console — any process, the CLI
 *    included — saw a host key other than the accepted one. While a row exists every connection to
 *    that endpoint is refused (the pooled one is closed, the watch stops dialling it) until a person
 *    accepts the new fingerprint (`onboarding.acceptHostKey`), which deletes the row. In the store,
 *    not in memory, so a change the CLI saw stops a running `serve` too.
 * 2. appliance_status.state gains `not-provisioned` (no agent installed yet: not an alarm); rows
 *    the watch had marked degraded for that reason move to it. Rebuilt: a CHECK cannot be altered.
 * 3. agent_tokens.installed_at: when a run first left a working agent there. The token is made
 *    before the first run, so a first run that failed (unreachable, refused) leaves a token but no
 *    agent: such a machine is not provisioned, not an alarm. Tokens from before are taken as
 *    installed (they were made by runs that, before this, only the agent's answers could tell).
 * 4. audit_log.result gains `failed`: the call was taken but the operation it started failed (a
 *    provisioning run refused because the host key changed, or the machine was unreachable), as
 *    against `error` (the call itself was refused). SQLite cannot change a CHECK constraint in
 *    place, so the table is rebuilt with its rows and ids.
 */
export const m009TrustAndStates: Migration = {
  version: 9,
  name: 'host key changes, not-provisioned state, failed runs in the audit log',
  sql: `
    CREATE TABLE host_key_changes (
      address               TEXT NOT NULL COLLATE NOCASE,
      port                  INTEGER NOT NULL,
      key_type              TEXT NOT NULL,
      presented_fingerprint TEXT NOT NULL,   -- the key the machine presents now
      known_fingerprint     TEXT NOT NULL,   -- the key a person had accepted
      seen_at               TEXT NOT NULL,
      PRIMARY KEY (address, port)
    );

    CREATE TABLE appliance_status_v9 (
      appliance_id        TEXT PRIMARY KEY REFERENCES appliances (id) ON DELETE CASCADE,
      state               TEXT NOT NULL CHECK (state IN ('unknown', 'online', 'degraded', 'offline', 'not-provisioned')),
      since               TEXT NOT NULL,
      reason              TEXT,
      checked_at          TEXT NOT NULL,
      last_seen_at        TEXT,
      agent_version       TEXT,
      agent_pid           INTEGER,
      agent_started_at    TEXT,
      clock_skew_ms       INTEGER,
      health_json         TEXT,
      services_json       TEXT,
      inventory_json      TEXT,
      inventory_at        TEXT,
      metrics_cursor      TEXT,
      agent_seen_at       TEXT,
      reason_code         TEXT,
      reason_params_json  TEXT
    );
    INSERT INTO appliance_status_v9
      SELECT appliance_id,
             CASE WHEN state = 'degraded' AND reason_code = 'agent.not-installed' THEN 'not-provisioned' ELSE state END,
             since, reason, checked_at, last_seen_at, agent_version, agent_pid, agent_started_at, clock_skew_ms,
             health_json, services_json, inventory_json, inventory_at, metrics_cursor, agent_seen_at, reason_code, reason_params_json
        FROM appliance_status;
    DROP TABLE appliance_status;
    ALTER TABLE appliance_status_v9 RENAME TO appliance_status;

    ALTER TABLE agent_tokens ADD COLUMN installed_at TEXT;
    UPDATE agent_tokens SET installed_at = created_at;

    CREATE TABLE audit_log_v9 (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      at          TEXT NOT NULL,
      host        TEXT NOT NULL,
      actor       TEXT NOT NULL,
      method      TEXT NOT NULL,
      target      TEXT,
      input       TEXT NOT NULL,
      result      TEXT NOT NULL CHECK (result IN ('ok', 'error', 'failed')),
      error_code  TEXT
    );
    INSERT INTO audit_log_v9 (id, at, host, actor, method, target, input, result, error_code)
      SELECT id, at, host, actor, method, target, input, result, error_code FROM audit_log;
    DROP TABLE audit_log;
    ALTER TABLE audit_log_v9 RENAME TO audit_log;
    CREATE INDEX audit_log_target ON audit_log (target, id);
  `,
};
