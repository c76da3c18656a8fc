import type { Migration } from './migration';

/**
 * Monitoring state kept beside the appliance status:
 * - `appliance_status.metrics_cursor`: where the console is in each agent's metrics history
 *   (`<historyId>.<seq>`), saved after the samples are committed to telemetry.sqlite, so a console
 *   restart or a disconnection backfills from exactly there (a re-sent sample is a duplicate, ignored).
 * - `appliance_status.agent_seen_at`: when the agent last answered (last_seen_at is SSH's).
 * - `disk_health`: the console's verdict on each disk from its last SMART reading, with the reasons,
 *   the drive's identity and key attributes (what the disk table and the alert rules read), and the
 *   smartctl JSON it was judged from (so a trend can be judged against the previous reading).
 */
export const m007Monitoring: Migration = {
  version: 7,
  name: 'metrics cursors and disk health',
  sql: `
    ALTER TABLE appliance_status ADD COLUMN metrics_cursor TEXT;
    -- Last time the agent itself answered (lastSeenAt is SSH): "reachable but the agent is down".
    ALTER TABLE appliance_status ADD COLUMN agent_seen_at TEXT;
    CREATE TABLE disk_health (
      appliance_id   TEXT NOT NULL REFERENCES appliances (id) ON DELETE CASCADE,
      device         TEXT NOT NULL,
      verdict        TEXT NOT NULL CHECK (verdict IN ('healthy', 'warning', 'failing', 'failed', 'unknown')),
      reasons_json   TEXT NOT NULL,
      identity_json  TEXT NOT NULL,
      metrics_json   TEXT NOT NULL,
      self_tests_json TEXT NOT NULL,
      history_json   TEXT NOT NULL,
      smartctl_json  TEXT,
      error          TEXT,
      read_at        TEXT,
      judged_at      TEXT NOT NULL,
      PRIMARY KEY (appliance_id, device)
    );
  `,
};
