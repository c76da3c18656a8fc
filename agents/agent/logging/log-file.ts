import fs from 'node:fs';

/**
 * agent.log with size-based rotation: when the next line would pass `maxBytes`, agent.log becomes
 * agent.log.1 (and .1 → .2 … up to `keep`; the oldest is overwritten). Writes are synchronous:
 * log lines are few and small, order is kept, and a crash never loses a line sitting in a buffer.
 * A failed write never throws — the agent must outlive a full log disk; `lastError` feeds health.
 */
export interface RotatingLogFile {
  readonly path: string;
  write(line: string): void;
  /** Null while writes succeed; the reason of the last failure otherwise. */
  lastError(): string | null;
  close(): void;
}

export function openRotatingLogFile(opts: { path: string; maxBytes: number; keep: number }): RotatingLogFile {
  const { path: file, maxBytes, keep } = opts;
  let fd: number | null = null;
  let size = 0;
  let error: string | null = null;

  function open(): number {
    const opened = fs.openSync(file, 'a', 0o640);
    fd = opened;
    size = fs.fstatSync(opened).size;
    return opened;
  }

  function closeFd(): void {
    if (fd === null) return;
    try {
      fs.closeSync(fd);
    } catch {
      // Already closed or the disk vanished: nothing left to release.
    }
    fd = null;
  }

  function rotate(): void {
    closeFd();
    for (let i = keep - 1; i >= 1; i--) renameIfPresent(`${file}.${i}`, `${file}.${i + 1}`);
    renameIfPresent(file, `${file}.1`);
  }

  return {
    path: file,
    write(line) {
      const bytes = Buffer.from(line, 'utf8');
      try {
        if (fd === null) open();
        if (size > 0 && size + bytes.length > maxBytes) {
          rotate();
          open();
        }
        fs.writeSync(fd as number, bytes);
        size += bytes.length;
        error = null;
      } catch (err) {
        error = (err as Error).message;
        closeFd(); // reopen on the next write: the directory may come back (remount, disk freed)
      }
    },
    lastError: () => error,
    close: closeFd,
  };
}

function renameIfPresent(from: string, to: string): void {
  try {
    fs.renameSync(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

/** The last `maxBytes` of a log file as whole lines (the first, possibly cut, line is dropped). */
export function readLogTail(file: string, maxBytes: number): string[] {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - maxBytes);
    const buf = Buffer.alloc(size - start);
    fs.readSync(fd, buf, 0, buf.length, start);
    const lines = buf.toString('utf8').split('\n');
    if (start > 0) lines.shift();
    return lines.filter((l) => l.length > 0);
  } finally {
    fs.closeSync(fd);
  }
}
