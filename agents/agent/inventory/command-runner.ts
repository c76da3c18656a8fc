import { execFile } from 'node:child_process';

/**
 * The adapter for the system tools the inventory falls back to (lsblk, blkid, df). No shell: the
 * arguments are fixed by the agent, never taken from a request. Output and time are bounded.
 */
export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Spawn failure or timeout (ENOENT when the tool is not installed). */
  error: string | null;
}

export type CommandRunner = (command: string, args: readonly string[], opts?: { timeoutMs?: number }) => Promise<CommandResult>;

export function createCommandRunner(): CommandRunner {
  return (command, args, opts = {}) =>
    new Promise((resolve) => {
      execFile(
        command,
        [...args],
        { timeout: opts.timeoutMs ?? 5000, maxBuffer: 8 * 1024 * 1024, encoding: 'utf8', env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' } },
        (err, stdout, stderr) => {
          const e = err as (NodeJS.ErrnoException & { code?: number | string; killed?: boolean }) | null;
          const code = e ? (typeof e.code === 'number' ? e.code : null) : 0;
          const spawnError = e && typeof e.code !== 'number' ? (e.killed ? 'timed out' : (e.code ?? e.message)) : null;
          resolve({ code, stdout, stderr, error: spawnError === null ? null : String(spawnError) });
        },
      );
    });
}

/** Resolve within `ms` or reject, so one hung probe cannot hold an inventory answer forever. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
