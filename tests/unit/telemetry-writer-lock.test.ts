/**
 * The telemetry writer lock with real processes: a live holder (this process, or a child) keeps
 * it; a holder that died leaves a lock the next process takes over; release removes only one's own.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireWriterLock, WRITER_LOCK_FILE } from '../../main/telemetry/writer-lock';
import { makeTempDir } from '../helpers/temp-dir';

const dirs: ReturnType<typeof makeTempDir>[] = [];
afterEach(() => dirs.splice(0).forEach((d) => d.cleanup()));
const tmp = () => {
  const d = makeTempDir('writer-lock');
  dirs.push(d);
  return d.dir;
};

describe('telemetry writer lock', () => {
  it('lets one console in this process write, and the next one after the first released it', () => {
    const dir = tmp();
    const first = acquireWriterLock(dir, 'serve');
    expect(first.held).toBe(true);
    const second = acquireWriterLock(dir, 'desktop');
    expect(second).toMatchObject({ held: false, owner: { pid: process.pid, role: 'serve' } });
    if (first.held) first.release();
    const third = acquireWriterLock(dir, 'desktop');
    expect(third.held).toBe(true);
    if (third.held) third.release();
    expect(fs.existsSync(path.join(dir, WRITER_LOCK_FILE))).toBe(false);
  });

  it('keeps a lock whose owner runs, and takes over one whose owner died', async () => {
    const dir = tmp();
    const file = path.join(dir, WRITER_LOCK_FILE);
    const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      fs.writeFileSync(file, JSON.stringify({ pid: child.pid, hostname: (await import('node:os')).hostname(), role: 'serve', since: new Date().toISOString() }));
      expect(acquireWriterLock(dir, 'cli')).toMatchObject({ held: false, owner: { pid: child.pid } });
    } finally {
      child.kill('SIGKILL');
      await new Promise((r) => child.once('exit', r));
    }
    const taken = acquireWriterLock(dir, 'cli');
    expect(taken.held).toBe(true);
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toMatchObject({ pid: process.pid, role: 'cli' });
    if (taken.held) taken.release();
  });

  it('does not remove a lock that another process took after ours was released', () => {
    const dir = tmp();
    const mine = acquireWriterLock(dir, 'serve');
    if (!mine.held) throw new Error('expected the lock');
    mine.release();
    // Another process takes it (a real pid that stays alive: our parent's).
    const other = spawnSync(process.execPath, ['-e', `require('fs').writeFileSync(${JSON.stringify(path.join(dir, WRITER_LOCK_FILE))}, JSON.stringify({ pid: process.ppid, hostname: require('os').hostname(), role: 'desktop', since: 'x' }))`]);
    expect(other.status).toBe(0);
    mine.release(); // a late second release
    expect(JSON.parse(fs.readFileSync(path.join(dir, WRITER_LOCK_FILE), 'utf8'))).toMatchObject({ role: 'desktop' });
  });
});
