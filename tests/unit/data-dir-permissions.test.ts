import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../main/contract/errors';
import { manualClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { databasePath, openDatabase } from '../../main/store/database';
import { openTelemetryStore } from '../../main/telemetry/telemetry-store';
import { createCapturingLogger } from '../helpers/capturing-logger';
import { makeTempDir } from '../helpers/temp-dir';

const clock = manualClock('2026-02-01T10:00:00.000Z');
const cleanups: Array<() => void> = [];
afterEach(() => cleanups.splice(0).forEach((c) => c()));

const mode = (p: string) => (fs.statSync(p).mode & 0o777).toString(8);
const isRoot = process.getuid?.() === 0;
/** nobody: a user other than the one running the tests, as root can make it own a directory. */
const OTHER_UID = 65534;

function looseDataDir(): string {
  const t = makeTempDir('perm');
  cleanups.push(t.cleanup);
  const dir = path.join(t.dir, 'data');
  // What a console before this fix, or `mkdir -p` and the usual umask, left behind.
  openDatabase({ dataDir: dir, clock, log: silentLogger, targetVersion: 1 }).close();
  openTelemetryStore({ dataDir: dir, clock, log: silentLogger }).close();
  createKeyFileSecretBox(dir);
  fs.mkdirSync(path.join(dir, 'backups'));
  fs.writeFileSync(path.join(dir, 'backups', 'console-schema1-old.sqlite'), 'copy');
  for (const p of [dir, path.join(dir, 'backups')]) fs.chmodSync(p, 0o755);
  for (const f of ['console.sqlite', 'telemetry.sqlite', 'secret.key', 'backups/console-schema1-old.sqlite']) fs.chmodSync(path.join(dir, f), 0o644);
  return dir;
}

describe.skipIf(process.platform === 'win32')('data directory permissions', () => {
  it('tightens a 0755 directory and 0644 files the console owns, says so in the log, and keeps -wal/-shm 0600 while open', () => {
    const dir = looseDataDir();
    const capture = createCapturingLogger();
    const db = openDatabase({ dataDir: dir, clock, log: capture.log });
    try {
      db.prepare(`INSERT INTO settings VALUES ('probe', '{}')`).run(); // something in the WAL
      expect(mode(dir)).toBe('700');
      expect(mode(path.join(dir, 'backups'))).toBe('700');
      for (const f of ['console.sqlite', 'console.sqlite-wal', 'console.sqlite-shm', 'telemetry.sqlite', 'secret.key', 'backups/console-schema1-old.sqlite']) {
        expect(mode(path.join(dir, f)), f).toBe('600');
      }
      // The migration from schema 1 wrote backups with VACUUM INTO, which creates files 0644.
      const backups = fs.readdirSync(path.join(dir, 'backups'));
      expect(backups.length).toBeGreaterThan(1);
      for (const b of backups) expect(mode(path.join(dir, 'backups', b)), b).toBe('600');
      const warning = capture.records().find((r) => r.msg.startsWith('data directory was readable by other users'));
      expect(warning?.level).toBe('warn');
      expect(JSON.stringify(warning)).toContain(`${databasePath(dir)} 644 → 600`);
    } finally {
      db.close();
    }
  });

  it('creates a new data directory private from the start, telemetry included', () => {
    const t = makeTempDir('perm-new');
    cleanups.push(t.cleanup);
    const dir = path.join(t.dir, 'a', 'b');
    const db = openDatabase({ dataDir: dir, clock, log: silentLogger });
    const telemetry = openTelemetryStore({ dataDir: dir, clock, log: silentLogger });
    try {
      expect(mode(dir)).toBe('700');
      for (const f of fs.readdirSync(dir).filter((f) => f.includes('.sqlite'))) expect(mode(path.join(dir, f)), f).toBe('600');
      expect(fs.readdirSync(dir)).toEqual(expect.arrayContaining(['console.sqlite-wal', 'telemetry.sqlite-wal']));
    } finally {
      telemetry.close();
      db.close();
    }
  });

  it.skipIf(!isRoot)('refuses a data directory that belongs to another user, saying what to do, without writing to it', () => {
    const dir = looseDataDir();
    fs.chownSync(dir, OTHER_UID, OTHER_UID);
    const before = fs.readFileSync(databasePath(dir));
    let error: unknown;
    try {
      openDatabase({ dataDir: dir, clock, log: silentLogger }).close();
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'store-refused', message: expect.stringMatching(/belongs to another user \(uid 65534; the console runs as uid 0\).*Run the console as that user, or choose another --data-dir/) });
    expect(mode(dir)).toBe('755');
    expect(mode(databasePath(dir))).toBe('644');
    expect(fs.readFileSync(databasePath(dir)).equals(before)).toBe(true);
  });

  it.skipIf(!isRoot)('refuses a database file that belongs to another user inside a directory the console owns', () => {
    const dir = looseDataDir();
    fs.chownSync(path.join(dir, 'telemetry.sqlite'), OTHER_UID, OTHER_UID);
    expect(() => openDatabase({ dataDir: dir, clock, log: silentLogger })).toThrow(/telemetry\.sqlite belongs to another user/);
    expect(mode(path.join(dir, 'telemetry.sqlite'))).toBe('644');
  });
});
