import type { Migration } from './migration';

/**
 * Diagnose runs (issue 10 §1): each run of the check suite on an appliance, with its checks,
 * findings and the previous run's findings it resolved, as JSON (read whole, never queried
 * inside). `previous_run_id` is the completed run it was compared with.
 */
export const m012DiagnoseRuns: Migration = {
  version: 12,
  name: 'diagnose runs',
  sql: `
    CREATE TABLE diagnose_runs (
      id               INTEGER PRIMARY KEY,
      appliance_id     TEXT NOT NULL REFERENCES appliances (id) ON DELETE CASCADE,
      started_at       TEXT NOT NULL,
      finished_at      TEXT NOT NULL,
      outcome          TEXT NOT NULL,
      worst            TEXT,
      checks_json      TEXT NOT NULL,
      findings_json    TEXT NOT NULL,
      resolved_json    TEXT NOT NULL,
      previous_run_id  INTEGER
    );
    CREATE INDEX diagnose_runs_by_appliance ON diagnose_runs (appliance_id, id);
  `,
};
