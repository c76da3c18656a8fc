/**
 * A small cross-process lock: an O_EXCL file holding the owner's pid. Node has no flock(2), and the
 * CLI runs as separate processes (`up` in one shell, `fault` in another), so they coordinate through
 * the file system. A lock whose owner died (SIGKILL during `up`) is taken over, which is what makes
 * `down` usable after a crash.
 */
import fs from 'node:fs';
import path from 'node:path';
import { isAlive, sleep } from './exec';

export async function withLock<T>(lockFile: string, fn: () => Promise<T>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(lockFile, String(process.pid), { flag: 'wx', mode: 0o600 });
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
        // The directory was removed by a concurrent `down` of the last other instance: recreate it.
        fs.mkdirSync(path.dirname(lockFile), { recursive: true, mode: 0o700 });
        continue;
      }
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number.parseInt(readOr(lockFile, ''), 10);
      // An empty file may be one being written right now; only an old one is abandoned.
      const abandoned = Number.isInteger(owner) ? !isAlive(owner) : ageMs(lockFile) > 2_000;
      if (abandoned) {
        fs.rmSync(lockFile, { force: true });
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lockFile} is held by pid ${owner}; is another testbed command running?`);
      await sleep(50);
    }
  }
  try {
    return await fn();
  } finally {
    fs.rmSync(lockFile, { force: true });
  }
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function ageMs(file: string): number {
  try {
    return Date.now() - fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
