import type { Migration } from './migration';

export const m001Initial: Migration = {
  version: 1,
  name: 'appliances, credentials, known host keys, audit log',
  sql: `
    CREATE TABLE appliances (
      id          TEXT PRIMARY KEY,
      name        TEXT NOT NULL,
      address     TEXT NOT NULL,
      port        INTEGER NOT NULL CHECK (port BETWEEN 1 AND 65535),
      user        TEXT NOT NULL,
      role        TEXT NOT NULL CHECK (role IN ('server', 'smartbox')),
      tags        TEXT NOT NULL DEFAULT '[]',  -- JSON array of strings
      notes       TEXT NOT NULL DEFAULT '',
      created_at  TEXT NOT NULL,
      updated_at  TEXT NOT NULL
    );
    CREATE UNIQUE INDEX appliances_name ON appliances (name COLLATE NOCASE);
    CREATE UNIQUE INDEX appliances_endpoint ON appliances (address COLLATE NOCASE, port);

    -- Secrets are encrypted by the host's SecretBox before they reach this table.
    CREATE TABLE credentials (
      appliance_id  TEXT PRIMARY KEY REFERENCES appliances (id) ON DELETE CASCADE,
      kind          TEXT CHECK (kind IN ('password', 'private-key')),
      secret        BLOB,            -- encrypted JSON: { password } or { privateKey, passphrase? }
      has_passphrase INTEGER NOT NULL DEFAULT 0,
      sudo_secret   BLOB,            -- encrypted sudo password, if any
      updated_at    TEXT NOT NULL
    );

    -- Trust on first use: one accepted key per endpoint and key type.
    CREATE TABLE known_host_keys (
      address       TEXT NOT NULL COLLATE NOCASE,
      port          INTEGER NOT NULL,
      key_type      TEXT NOT NULL,
      fingerprint   TEXT NOT NULL,   -- SHA256:… as ssh-keygen -l prints it
      public_key    BLOB NOT NULL,
      accepted_at   TEXT NOT NULL,
      accepted_by   TEXT NOT NULL,
      PRIMARY KEY (address, port, key_type)
    );

    CREATE TABLE audit_log (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      at          TEXT NOT NULL,
      host        TEXT NOT NULL,     -- desktop | serve | cli
      actor       TEXT NOT NULL,     -- OS user or session
      method      TEXT NOT NULL,
      target      TEXT,
      input       TEXT NOT NULL,     -- JSON, secrets redacted
      result      TEXT NOT NULL CHECK (result IN ('ok', 'error')),
      error_code  TEXT
    );
  `,
};
