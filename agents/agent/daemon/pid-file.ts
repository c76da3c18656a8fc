import fs from 'node:fs';
import { isProcessAlive, processCmdline } from '../supervisor/proc';

/**
 * One agent (and one watchdog) per run directory. The pid file is created exclusively (O_EXCL); if
 * it exists, the pid in it is checked: alive and an agent → refuse; dead, or a pid reused by some
 * other program → the file is stale (a crash, SIGKILL) and is taken over. /run is a tmpfs, so a
 * reboot clears it anyway.
 */
export class AlreadyRunningError extends Error {
  override name = 'AlreadyRunningError';
  constructor(
    readonly pid: number,
    readonly file: string,
  ) {
    super(`appliance-agent is already running (pid ${pid}, pid file ${file})`);
  }
}

export interface PidFileLock {
  release(): void;
}

function looksLikeAgent(pid: number): boolean {
  return processCmdline(pid).some((arg) => /agent/.test(arg));
}

export function acquirePidFile(file: string, pid = process.pid): PidFileLock {
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      fs.writeFileSync(file, `${pid}\n`, { flag: 'wx', mode: 0o644 });
      return {
        release() {
          try {
            if (fs.readFileSync(file, 'utf8').trim() === String(pid)) fs.unlinkSync(file);
          } catch {
            // Already gone: nothing to release.
          }
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const holder = runningHolder(file);
    if (holder !== null && holder !== pid) throw new AlreadyRunningError(holder, file);
    // Stale: remove it and race for it again (another starting agent may win; then we refuse).
    fs.rmSync(file, { force: true });
  }
  throw new Error(`could not take the pid file ${file}`);
}

/** The pid in the file if it names a live agent process, else null (no file, or stale). */
export function runningHolder(file: string): number | null {
  const holder = Number(readOrEmpty(file).trim());
  return Number.isInteger(holder) && holder > 0 && isProcessAlive(holder) && looksLikeAgent(holder) ? holder : null;
}

function readOrEmpty(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
