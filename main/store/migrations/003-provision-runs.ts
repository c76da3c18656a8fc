import type { Migration } from './migration';

/**
 * Provisioning history: one row per run of a plan, one per step. A run keeps its target even when
 * the appliance row is deleted (the history is what an operator reads after the fact), so the
 * reference is nulled, not cascaded. Output tails are capped at 4 KiB by the store module.
 */
export const m003ProvisionRuns: Migration = {
  version: 3,
  name: 'provisioning runs and steps',
  sql: `
    CREATE TABLE provision_runs (
      id            TEXT PRIMARY KEY,
      appliance_id  TEXT REFERENCES appliances (id) ON DELETE SET NULL,
      target        TEXT NOT NULL,     -- user@address:port
      plan          TEXT NOT NULL,     -- e.g. install
      status        TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
      started_at    TEXT NOT NULL,
      finished_at   TEXT,
      duration_ms   INTEGER,
      error         TEXT
    );
    CREATE INDEX provision_runs_appliance ON provision_runs (appliance_id, started_at);
    CREATE TABLE provision_steps (
      run_id        TEXT NOT NULL REFERENCES provision_runs (id) ON DELETE CASCADE,
      seq           INTEGER NOT NULL,
      step_id       TEXT NOT NULL,
      title         TEXT NOT NULL,
      status        TEXT NOT NULL CHECK (status IN ('running', 'done', 'unchanged', 'failed', 'cancelled')),
      started_at    TEXT NOT NULL,
      duration_ms   INTEGER,
      output_tail   TEXT NOT NULL DEFAULT '',
      PRIMARY KEY (run_id, seq)
    );
  `,
};
