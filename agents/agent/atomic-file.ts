import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/**
 * Replaces a file so that a reader — or the agent after a crash or a power cut — finds the old
 * content or the new one, never a mix: write a temp file in the same directory, fsync it, rename
 * it over the target (atomic on one file system), fsync the directory so the rename itself is on
 * disk. A crash before the rename leaves the target as it was and a temp file beside it, which
 * `removeStaleTempFiles` clears at the next start.
 */
export function writeFileAtomic(file: string, data: string, opts: { mode?: number; beforeRename?: () => void } = {}): void {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `${tempPrefix(file)}${process.pid}-${crypto.randomBytes(4).toString('hex')}`);
  const fd = fs.openSync(tmp, 'wx', opts.mode ?? 0o600);
  try {
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // A test seam: a crash injected here must leave the target untouched (tests/unit/agent-service-files.test.ts).
    opts.beforeRename?.();
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
  const dirFd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}

/** Temp files a crashed `writeFileAtomic` of `file` left behind. */
export function removeStaleTempFiles(file: string): number {
  const prefix = tempPrefix(file);
  let removed = 0;
  let names: string[];
  try {
    names = fs.readdirSync(path.dirname(file));
  } catch {
    return 0;
  }
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    fs.rmSync(path.join(path.dirname(file), name), { force: true });
    removed += 1;
  }
  return removed;
}

function tempPrefix(file: string): string {
  return `.${path.basename(file)}.tmp-`;
}
