import { spawnSync } from 'node:child_process';

/**
 * An exclusive, non-blocking flock(2) on a file the agent holds open. Node has no flock binding,
 * so flock(1) (util-linux, and a BusyBox applet) takes it on a descriptor the agent passes as the
 * child's fd 3: a flock belongs to the open file description, which the agent and the child share,
 * so the lock outlives the helper and is held until the agent closes its descriptor — or dies, in
 * which case the kernel drops it. That is what makes single-instance safe: there is never a stale
 * lock to detect and remove, hence no window where two starting agents both "take over".
 * The descriptor is close-on-exec (libuv opens every file so), so services never inherit it.
 */
const CANDIDATES = ['flock', '/usr/bin/flock', '/bin/flock', '/usr/sbin/flock', '/sbin/flock'];

export class FlockUnavailableError extends Error {
  override name = 'FlockUnavailableError';
}

/** True when this process now holds the lock on `fd`, false when another process holds it. */
export function tryExclusiveFlock(fd: number): boolean {
  for (const command of CANDIDATES) {
    // Short options only: BusyBox's flock knows no long ones.
    const run = spawnSync(command, ['-x', '-n', '3'], { stdio: ['ignore', 'ignore', 'pipe', fd], encoding: 'utf8' });
    if (run.error && (run.error as NodeJS.ErrnoException).code === 'ENOENT') continue;
    if (run.error) throw run.error;
    if (run.status === 0) return true;
    if (run.status === 1) return false; // -n: the lock is held elsewhere
    throw new FlockUnavailableError(`${command} -x -n failed (exit ${run.status ?? run.signal}): ${run.stderr.trim()}`);
  }
  throw new FlockUnavailableError('flock(1) is needed for the single-instance lock (util-linux or BusyBox) and was not found');
}
