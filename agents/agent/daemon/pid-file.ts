import fs from 'node:fs';
import { isProcessAlive, processCmdline } from '../supervisor/proc';
import { tryExclusiveFlock } from './flock';

/**
 * One agent (and one watchdog) per run directory. The lock is an flock on `<pid file>.lock`
 * (flock.ts): the kernel drops it when its holder dies, however it dies, so a crashed agent never
 * leaves a lock to take over. An earlier version removed a stale pid file and raced to create it
 * again, and a second starting agent could delete the file the first had just created: both ran.
 * The lock file is never removed (removing a lock file lets two processes lock two different
 * inodes); /run is a tmpfs, so a reboot clears it.
 *
 * The pid file itself is information for people and scripts (`kill $(cat agent.pid)`), written by
 * the lock holder through a temp file and rename, so it is never seen half-written, and removed on
 * a clean stop.
 */
export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
  constructor(
    readonly pid: number,
    readonly file: string,
  ) {
    super(`appliance-agent is already running (${pid > 0 ? `pid ${pid}, ` : ''}pid file ${file})`);
  }
}

export interface PidFileLock {
  release(): void;
}

function looksLikeAgent(pid: number): boolean {
  return processCmdline(pid).some((arg) => /agent/.test(arg));
}

export function acquirePidFile(file: string, pid = process.pid): PidFileLock {
  const lockFd = fs.openSync(`${file}.lock`, 'a', 0o600);
  let locked = false;
  try {
    locked = tryExclusiveFlock(lockFd);
    // The holder writes its pid just after it locks; this only names it in the message.
    if (!locked) throw new AlreadyRunningError(readPid(file) ?? 0, file);
    // An agent of a version before the lock holds no flock, only its pid file: respect it (upgrades).
    const legacy = runningHolder(file);
    if (legacy !== null && legacy !== pid) throw new AlreadyRunningError(legacy, file);
    const temp = `${file}.${pid}.tmp`;
    fs.writeFileSync(temp, `${pid}\n`, { mode: 0o644 });
    fs.renameSync(temp, file);
  } catch (err) {
    fs.closeSync(lockFd); // also drops the lock if we had it
    throw err;
  }
  return {
    release() {
      try {
        if (readPid(file) === pid) fs.unlinkSync(file);
      } catch {
        // Already gone: nothing to remove.
      }
      fs.closeSync(lockFd);
    },
  };
}

/**
 * The pid in the file if it names a live agent process, else null (no file, or stale). Advisory:
 * `--daemon` uses it for a friendly message before it starts anything; the lock decides.
 */
export function runningHolder(file: string): number | null {
  const holder = readPid(file);
  return holder !== null && isProcessAlive(holder) && looksLikeAgent(holder) ? holder : null;
}

function readPid(file: string): number | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}
