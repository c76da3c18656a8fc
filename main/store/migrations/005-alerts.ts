import type { Migration } from './migration';

/**
 * Alerts: every instance (pending, firing, acknowledged, resolved), one rule override per changed
 * built-in rule, and silences. Alerts keep the appliance id and name as text, not a foreign key:
 * the history of an appliance that was removed is still what happened.
 */
export const m005Alerts: Migration = {
  version: 5,
  name: 'alerts, alert rule overrides, silences',
  sql: `
    CREATE TABLE alerts (
      seq             INTEGER PRIMARY KEY AUTOINCREMENT,  -- paging cursor, newest first
      id              TEXT NOT NULL UNIQUE,
      dedup_key       TEXT NOT NULL,     -- rule|appliance|subject
      rule_id         TEXT NOT NULL,
      appliance_id    TEXT NOT NULL,
      appliance_name  TEXT NOT NULL,
      subject         TEXT NOT NULL,     -- mount point, disk, service, sensor; '' for the whole appliance
      state           TEXT NOT NULL CHECK (state IN ('pending', 'firing', 'acknowledged', 'resolved')),
      severity        TEXT NOT NULL CHECK (severity IN ('critical', 'warning')),
      rank            INTEGER NOT NULL,
      value           REAL,
      unit            TEXT,
      params          TEXT NOT NULL DEFAULT '{}',  -- JSON, for the translated detail text
      started_at      INTEGER NOT NULL,  -- ms since epoch, console clock
      fired_at        INTEGER,
      resolved_at     INTEGER,
      resolution      TEXT,
      last_seen_at    INTEGER NOT NULL,
      escalating_since INTEGER,
      ack_by          TEXT,
      ack_at          INTEGER,
      ack_note        TEXT
    );
    -- Deduplication: at most one open alert per rule, appliance and subject.
    CREATE UNIQUE INDEX alerts_open_key ON alerts (dedup_key) WHERE state <> 'resolved';
    CREATE INDEX alerts_state ON alerts (state, seq);
    CREATE INDEX alerts_appliance ON alerts (appliance_id, seq);

    CREATE TABLE alert_rule_overrides (
      rule_id     TEXT PRIMARY KEY,
      override    TEXT NOT NULL,       -- JSON: { thresholds?, durationSeconds?, enabled? }
      updated_at  TEXT NOT NULL
    );

    CREATE TABLE alert_silences (
      id            TEXT PRIMARY KEY,
      rule_id       TEXT,
      appliance_id  TEXT,
      subject       TEXT,
      starts_at     INTEGER NOT NULL,
      ends_at       INTEGER NOT NULL,
      reason        TEXT NOT NULL,
      created_by    TEXT NOT NULL,
      lifted_at     INTEGER,
      lifted_by     TEXT,
      CHECK (rule_id IS NOT NULL OR appliance_id IS NOT NULL),
      CHECK (ends_at > starts_at)
    );
    CREATE INDEX alert_silences_ends ON alert_silences (ends_at);
  `,
};
