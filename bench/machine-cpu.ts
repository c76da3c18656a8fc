import fs from 'node:fs';
import type { MachineState } from '../appliance/testbed/state';

/** /proc/<pid>/stat counts CPU in USER_HZ: 100 per second on Linux. */
const TICKS_PER_SECOND = 100;

/**
 * CPU ticks of every process inside the given testbed machines, by pid: utime + stime, plus
 * cutime + cstime (the children it has reaped, which no longer show in /proc). A machine's
 * processes are those in its network namespace (appliance/testbed/procs.ts: that holds for what
 * sshd starts and for daemons that double-fork). Zombies still count: their ticks are final.
 */
export function machineTicks(machines: readonly MachineState[]): Map<number, number> {
  const namespaces = new Set<string>();
  for (const m of machines) namespaces.add(`net:[${fs.statSync(`/run/netns/${m.netns}`).ino}]`);
  const ticks = new Map<number, number>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (!namespaces.has(fs.readlinkSync(`/proc/${entry}/ns/net`))) continue;
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command (which may hold spaces): state is field 3, utime field 14.
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(entry), Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]));
    } catch {
      // exited while we looked, or a kernel thread without a namespace link
    }
  }
  return ticks;
}

/**
 * CPU-seconds the machines used between two `machineTicks` readings: a process seen at both counts
 * its difference, one that appeared counts whole. One that started and ended in between counts
 * through the parent that reaped it (its cutime/cstime), as long as that parent is still there.
 */
export function machineCpuSeconds(before: Map<number, number>, after: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of after) ticks += t - (before.get(pid) ?? 0);
  return ticks / TICKS_PER_SECOND;
}
