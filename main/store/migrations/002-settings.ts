import type { Migration } from './migration';

export const m002Settings: Migration = {
  version: 2,
  name: 'console settings; audit lookups by target',
  sql: `
    CREATE TABLE settings (
      key    TEXT PRIMARY KEY,
      value  TEXT NOT NULL           -- JSON
    );
    CREATE INDEX audit_log_target ON audit_log (target, id);
  `,
};
