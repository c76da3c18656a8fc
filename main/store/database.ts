import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { ApiError } from '../contract/errors';
import type { Clock } from '../core/clock';
import { createPrivateFile, DataDirRefusedError, securePrivateDataDir } from '../core/data-dir';
import type { Logger } from '../core/log';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from './migrations';
import type { Migration } from './migrations/migration';

export type Db = Database.Database;

/** 'ACON' — marks the file as ours, so we never migrate some other program's SQLite file. */
export const APPLICATION_ID = 0x41434f4e;
export const DATABASE_FILE = 'console.sqlite';

export interface OpenStoreOptions {
  dataDir: string;
  clock: Clock;
  log: Logger;
  /** For tests of old schemas: stop after this many migrations. */
  targetVersion?: number;
  migrations?: readonly Migration[];
  /** Another database in the same data directory (the telemetry store), with its own migrations. */
  fileName?: string;
  /** Marks the file as that database's, so one is never migrated as the other. */
  applicationId?: number;
}

export function databasePath(dataDir: string): string {
  return path.join(dataDir, DATABASE_FILE);
}

/**
 * Opens (creating if needed) the console database: WAL, foreign keys, and every pending migration,
 * each preceded by a backup of the file as it was. A database from a newer console is refused
 * before anything is written to it.
 */
export function openDatabase(opts: OpenStoreOptions): Db {
  const migrations = opts.migrations ?? MIGRATIONS;
  const target = opts.targetVersion ?? migrations.length;
  const file = path.join(opts.dataDir, opts.fileName ?? DATABASE_FILE);
  const tightened = makePrivate(opts.dataDir);
  createPrivateFile(file);
  const appIdExpected = opts.applicationId ?? APPLICATION_ID;
  const db = new Database(file);
  try {
    let appId: number;
    let version: number;
    try {
      appId = db.pragma('application_id', { simple: true }) as number;
      version = db.pragma('user_version', { simple: true }) as number;
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_NOTADB') {
        throw new ApiError('store-refused', `${file} is not a SQLite database; move it aside or choose another --data-dir`, { params: { file } });
      }
      throw err;
    }
    if (appId !== 0 && appId !== appIdExpected) {
      throw new ApiError('store-refused', `${file} is not an Appliance Console database; move it aside or choose another --data-dir`, {
        params: { file },
      });
    }
    if (version > migrations.length) {
      throw new ApiError(
        'store-refused',
        `${file} was written by a newer Appliance Console (schema ${version}; this version knows up to ${migrations.length}). ` +
          `Upgrade the console, or start it with another --data-dir. The file has not been changed.`,
        { params: { file, found: version, supported: migrations.length } },
      );
    }
    db.pragma('journal_mode = WAL');
    // The -wal and -shm files exist from here on; they take the database's 0600, and this checks it.
    tightened.push(...makePrivate(opts.dataDir));
    if (tightened.length > 0) opts.log.warn('data directory was readable by other users; made it private to its owner', { tightened });
    db.pragma('synchronous = NORMAL'); // WAL + NORMAL: durable across application crashes, fast commits
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    if (version < target) migrate(db, file, version, target, migrations, opts, appIdExpected);
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

/** securePrivateDataDir, with its refusal as the store's typed error (the CLI's exit code 5). */
function makePrivate(dataDir: string): string[] {
  try {
    return securePrivateDataDir(dataDir);
  } catch (err) {
    if (err instanceof DataDirRefusedError) throw new ApiError('store-refused', err.message, { params: { dir: dataDir } });
    throw err;
  }
}

function migrate(db: Db, file: string, from: number, to: number, migrations: readonly Migration[], opts: OpenStoreOptions, applicationId: number): void {
  for (let v = from; v < to; v++) {
    const m = migrations[v];
    if (!m || m.version !== v + 1) throw new Error(`migration list is out of order at ${v + 1}`);
    // Back up only a database that existed before this open; a fresh one has nothing to lose.
    if (from > 0) {
      const backup = backupPath(file, v, opts.clock.now());
      // VACUUM INTO writes a consistent copy even with WAL pages not yet checkpointed.
      db.prepare('VACUUM INTO ?').run(backup);
      if (process.platform !== 'win32') fs.chmodSync(backup, 0o600); // VACUUM INTO creates it with SQLite's default 0644
      opts.log.info('database backed up before migration', { backup, from: v, to: m.version });
    }
    // IMMEDIATE takes the write lock before reading the version again: when two processes (the CLI
    // and a host) open a new data directory together, the second waits, sees the step done, and skips it.
    const applied = db
      .transaction(() => {
        if ((db.pragma('user_version', { simple: true }) as number) !== v) return false;
        db.exec(m.sql);
        db.pragma(`application_id = ${applicationId}`);
        db.pragma(`user_version = ${m.version}`);
        return true;
      })
      .immediate();
    if (applied) opts.log.info('database migrated', { version: m.version, name: m.name });
  }
}

export function backupPath(file: string, fromVersion: number, at: Date): string {
  const dir = path.join(path.dirname(file), 'backups');
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stamp = at.toISOString().replace(/[:.]/g, '-');
  // Zero-padded so a listing by name is in schema order past version 9 (schema010 after schema009).
  return path.join(dir, `${path.basename(file, '.sqlite')}-schema${String(fromVersion).padStart(3, '0')}-${stamp}.sqlite`);
}

export function schemaVersion(db: Db): number {
  return db.pragma('user_version', { simple: true }) as number;
}

export { LATEST_SCHEMA_VERSION };
