import fs from 'node:fs';

/**
 * What /proc says about a process. The start time (field 22 of /proc/<pid>/stat, in clock ticks
 * since boot) tells a process from a later one that reuses its pid, so the agent never signals a
 * stranger when it cleans up after a crashed predecessor.
 */
export function processStartTime(pid: number, procRoot = '/proc'): string | null {
  try {
    const stat = fs.readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    // comm (field 2) is in parentheses and may contain spaces or ')': split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return rest[19] ?? null; // fields 3.. → index 0 is field 3, so field 22 is index 19
  } catch {
    return null;
  }
}

export function processCmdline(pid: number, procRoot = '/proc'): string[] {
  try {
    return fs.readFileSync(`${procRoot}/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * True while a live process of the group is left (the leader may be gone, its children not).
 * Zombies do not count: they are dead, waiting for their parent — often pid 1, which in a container
 * may reap late or never — and no signal can make them go faster.
 */
export function isGroupAlive(pgid: number, procRoot = '/proc'): boolean {
  if (!isProcessAlive(-pgid)) return false;
  let pids: string[];
  try {
    pids = fs.readdirSync(procRoot).filter((name) => /^[0-9]+$/.test(name));
  } catch {
    return true; // no /proc to tell zombies apart: trust kill(2)
  }
  for (const pid of pids) {
    let stat: string;
    try {
      stat = fs.readFileSync(`${procRoot}/${pid}/stat`, 'utf8');
    } catch {
      continue; // exited while we looked
    }
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is the state (field 3), fields[2] the process group (field 5).
    if (fields[2] === String(pgid) && fields[0] !== 'Z' && fields[0] !== 'X') return true;
  }
  return false;
}

/** Signal a whole process group; false if it is already gone. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
