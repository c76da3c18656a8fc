import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One process at a time writes a data directory's telemetry. The store keeps the open minute's
 * rollups, the series registry and its frontiers in memory; a second writer (the CLI beside a
 * running console, a desktop and a headless host on one data directory) would close the same
 * minutes from a different picture and leave rollups that no longer equal their raw samples.
 *
 * The lock is a file created with O_EXCL holding the owner's pid, host and start time. It is
 * removed on release; one left by a process that died (its pid no longer runs on this machine) is
 * taken over. Others read the store but do not collect.
 */
export const WRITER_LOCK_FILE = 'telemetry.lock';

export interface WriterLockOwner {
  pid: number;
  hostname: string;
  role: string;
  since: string;
}

export type WriterLock = { held: true; release(): void } | { held: false; owner: WriterLockOwner };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'; // exists, owned by someone else
  }
}

function readOwner(file: string): WriterLockOwner | null {
  try {
    const o = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<WriterLockOwner>;
    return typeof o.pid === 'number' && typeof o.hostname === 'string' ? { pid: o.pid, hostname: o.hostname, role: String(o.role ?? '?'), since: String(o.since ?? '?') } : null;
  } catch {
    return null; // unreadable or half-written: treated as stale below
  }
}

export function acquireWriterLock(dataDir: string, role: string, now: Date = new Date()): WriterLock {
  const file = path.join(dataDir, WRITER_LOCK_FILE);
  const me: WriterLockOwner = { pid: process.pid, hostname: os.hostname(), role, since: now.toISOString() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = fs.openSync(file, 'wx', 0o600);
      try {
        fs.writeSync(fd, JSON.stringify(me));
      } finally {
        fs.closeSync(fd);
      }
      let released = false;
      return {
        held: true,
        release() {
          if (released) return;
          released = true;
          // Only our own lock: a later owner's file must not be removed by a late release.
          if (readOwner(file)?.pid === process.pid) fs.rmSync(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner(file);
    // Another machine sharing the directory (NFS) cannot be checked: its lock stands.
    // Our own pid counts as alive: a second console in this process must not write beside the first.
    if (owner && (owner.hostname !== me.hostname || alive(owner.pid))) return { held: false, owner };
    fs.rmSync(file, { force: true }); // stale: its process is gone
  }
  // Lost three races in a row: someone else is taking it right now.
  return { held: false, owner: readOwner(file) ?? { pid: 0, hostname: '?', role: 'unknown', since: '?' } };
}
