import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../main/contract/errors';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { APPLICATION_ID, databasePath, openDatabase, schemaVersion } from '../../main/store/database';
import { LATEST_SCHEMA_VERSION, MIGRATIONS } from '../../main/store/migrations';
import { makeTempDir } from '../helpers/temp-dir';

const clock = manualClock('2026-02-01T10:00:00.000Z');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

function tempDir(): string {
  const t = makeTempDir('migrate');
  cleanups.push(t.cleanup);
  return t.dir;
}

/** Data a user could have had at each schema version; checked again after upgrading. */
const SEED: Record<number, (db: Database.Database) => void> = {
  1: (db) => {
    db.prepare(`INSERT INTO appliances VALUES ('a1','edge-1','10.0.0.1',22,'root','server','["x"]','', '2026-01-01T00:00:00Z','2026-01-01T00:00:00Z')`).run();
    db.prepare(`INSERT INTO audit_log (at, host, actor, method, target, input, result) VALUES ('2026-01-01T00:00:00Z','cli','me','fleet.add','a1','{}','ok')`).run();
  },
  2: (db) => {
    db.prepare(`INSERT INTO settings VALUES ('console', '{"locale":"zh-CN","theme":"dark"}')`).run();
  },
};

describe('migrations', () => {
  it('numbers migrations 1..N without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('creates a fresh database at the latest version, in WAL mode, with foreign keys on', () => {
    const dir = tempDir();
    const db = openDatabase({ dataDir: dir, clock, log: silentLogger });
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    db.close();
    // A fresh database had nothing to lose, so no backup was written.
    expect(fs.existsSync(path.join(dir, 'backups'))).toBe(false);
  });

  for (let from = 1; from < LATEST_SCHEMA_VERSION; from++) {
    it(`upgrades from schema ${from}, keeping data and writing a backup first`, () => {
      const dir = tempDir();
      const old = openDatabase({ dataDir: dir, clock, log: silentLogger, targetVersion: from });
      for (let v = 1; v <= from; v++) SEED[v]?.(old);
      old.close();

      const db = openDatabase({ dataDir: dir, clock, log: silentLogger });
      expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
      expect(db.prepare('SELECT name FROM appliances').pluck().all()).toEqual(['edge-1']);
      expect(db.prepare('SELECT count(*) FROM audit_log').pluck().get()).toBe(1);
      db.close();

      const backups = fs.readdirSync(path.join(dir, 'backups'));
      expect(backups.length).toBe(LATEST_SCHEMA_VERSION - from);
      const first = new Database(path.join(dir, 'backups', backups.sort()[0]!), { readonly: true });
      expect(first.pragma('user_version', { simple: true })).toBe(from);
      expect(first.prepare('SELECT name FROM appliances').pluck().all()).toEqual(['edge-1']);
      first.close();
    });
  }

  it('refuses a database written by a newer console and leaves it byte for byte unchanged', () => {
    const dir = tempDir();
    openDatabase({ dataDir: dir, clock, log: silentLogger }).close();
    const raw = new Database(databasePath(dir));
    raw.pragma(`user_version = ${LATEST_SCHEMA_VERSION + 3}`);
    raw.pragma('journal_mode = DELETE'); // fold the WAL in so the file alone is the whole database
    raw.close();
    const before = fs.readFileSync(databasePath(dir));

    let error: unknown;
    try {
      openDatabase({ dataDir: dir, clock, log: silentLogger });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('store-refused');
    expect((error as ApiError).message).toMatch(/newer Appliance Console.*Upgrade the console/);
    expect(fs.readFileSync(databasePath(dir)).equals(before)).toBe(true);
  });

  it("refuses another program's SQLite file", () => {
    const dir = tempDir();
    const raw = new Database(databasePath(dir));
    raw.pragma('application_id = 1234');
    raw.exec('CREATE TABLE theirs (x)');
    raw.close();
    expect(() => openDatabase({ dataDir: dir, clock, log: silentLogger })).toThrow(/not an Appliance Console database/);
  });

  it('refuses a file that is not SQLite at all, without changing it', () => {
    const dir = tempDir();
    fs.writeFileSync(databasePath(dir), 'these are my notes, not a database\n'.repeat(200));
    const before = fs.readFileSync(databasePath(dir));
    expect(() => openDatabase({ dataDir: dir, clock, log: silentLogger })).toThrow(/is not a SQLite database/);
    expect(fs.readFileSync(databasePath(dir)).equals(before)).toBe(true);
  });

  it('lets two processes open a new data directory at once: one migrates, the other waits and skips', async () => {
    const dir = tempDir();
    const { spawn } = await import('node:child_process');
    // migrate() takes the first migration from the list after the process has read user_version 0
    // and just before it asks for the write lock: the list announces that moment on stdout, so the
    // test knows each process is in the race instead of guessing how long start-up takes.
    const script = `
      const fs = require('node:fs');
      const { openDatabase } = require(${JSON.stringify(path.resolve(__dirname, '../../main/store/database.ts'))});
      const { MIGRATIONS } = require(${JSON.stringify(path.resolve(__dirname, '../../main/store/migrations/index.ts'))});
      const announcing = new Proxy(MIGRATIONS, { get(target, key, receiver) { if (key === '0') fs.writeSync(1, 'read version 0\\n'); return Reflect.get(target, key, receiver); } });
      const db = openDatabase({ dataDir: ${JSON.stringify(dir)}, clock: { now: () => new Date() }, log: { info() {}, warn() {}, error() {}, debug() {}, child() { return this; } }, migrations: announcing });
      console.log(db.pragma('user_version', { simple: true })); db.close();`;
    const run = () => {
      const child = spawn(process.execPath, ['--import', 'tsx', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (out += d.toString()));
      const exited = new Promise<{ code: number | null; out: string }>((resolve) => child.on('exit', (code) => resolve({ code, out })));
      const racing = new Promise<void>((resolve, reject) => {
        child.stdout.on('data', () => out.includes('read version 0') && resolve());
        void exited.then((r) => reject(new Error(`a process ended (${r.code}) before it read version 0:\n${r.out}`)));
      });
      return { exited, racing };
    };
    // Hold the write lock while the processes start, so each reads version 0 before any can migrate:
    // the race happens every time, not by luck.
    const holder = new Database(databasePath(dir));
    holder.pragma('journal_mode = WAL');
    holder.prepare('BEGIN IMMEDIATE').run();
    const children = [run(), run(), run()];
    try {
      await Promise.all(children.map((c) => c.racing));
    } finally {
      holder.prepare('ROLLBACK').run();
      holder.close();
    }
    const results = await Promise.all(children.map((c) => c.exited));
    for (const r of results) expect(r, r.out).toMatchObject({ code: 0, out: `read version 0\n${LATEST_SCHEMA_VERSION}\n` });
  });

  it('rolls a failing migration back completely', () => {
    const dir = tempDir();
    const broken = [...MIGRATIONS, { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE half (x); INSERT INTO nowhere VALUES (1);' }];
    openDatabase({ dataDir: dir, clock, log: silentLogger }).close();
    expect(() => openDatabase({ dataDir: dir, clock, log: silentLogger, migrations: broken })).toThrow(/no such table: nowhere/);
    const db = openDatabase({ dataDir: dir, clock, log: silentLogger });
    expect(schemaVersion(db)).toBe(LATEST_SCHEMA_VERSION);
    expect(db.prepare(`SELECT count(*) FROM sqlite_master WHERE name = 'half'`).pluck().get()).toBe(0);
    db.close();
  });
});
