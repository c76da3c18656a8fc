/**
 * Fault injection on a running machine. Each fault is done with the real mechanism a real failure
 * would go through, so the console sees what it would see in the field:
 *   disk-fail     nbdkit's error filter fails every I/O of that disk with EIO (disks.ts)
 *   disk-full     the file system is filled to 0 bytes available with real files
 *   fs-readonly   the disk's file system is remounted read-only, as the kernel does after errors
 *   disk-restore  undoes them: device answers again, file system checked and remounted, fill removed, read-write again
 *   disk-replace  the disk is swapped for a blank one at the same mount point (disk-replace.ts)
 *   net-down/up   the machine's own eth0 goes down/up: SSH connections time out, as with a pulled cable
 *   agent-kill    SIGKILL to every process of the machine whose program or script is appliance-agent
 *   host-key-rotate  the machine's sshd gets a new host key (as after a reinstall, or what a
 *                 machine in the middle presents) and re-reads it on SIGHUP: connections already
 *                 open go on over their old session, new ones meet the new key
 *   clock-skew    the wall clock seen by every SSH session (and what it starts) jumps by ±N seconds,
 *                 through libfaketime preloaded by sshd (see sshd.ts). A real per-machine clock does
 *                 not exist: time namespaces only offset monotonic/boot clocks, not the wall clock.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { replaceDisk, type DiskPlaces } from './disk-replace';
import { failDisk, fillDisk, healDisk, remountDisk, unfillDisk } from './disks';
import { StateError, UsageError } from './errors';
import { isAlive } from './exec';
import { waitForSsh, writeMachineFiles } from './machine';
import { netnsInode, setMachineLink } from './network';
import { FAKETIME_FILE } from './paths';
import { kill, processesInNetns } from './procs';
import { fingerprint, generateKey, MACHINE_SSH_DIR } from './sshd';
import type { DiskState, MachineState } from './state';

export const FAULTS = ['disk-fail', 'disk-full', 'fs-readonly', 'disk-restore', 'disk-replace', 'net-down', 'net-up', 'agent-kill', 'host-key-rotate', 'clock-skew'] as const;
export type FaultName = (typeof FAULTS)[number];

export function isFaultName(s: string): s is FaultName {
  return (FAULTS as readonly string[]).includes(s);
}

/** Which faults need an argument, and what it is (for --help and validation). */
export const FAULT_ARG: Readonly<Partial<Record<FaultName, string>>> = {
  'disk-fail': 'dN',
  'disk-full': 'dN',
  'fs-readonly': 'dN',
  'disk-restore': 'dN',
  'disk-replace': 'dN',
  'clock-skew': '±seconds',
};

function diskOf(m: MachineState, arg: string | undefined): DiskState {
  const disk = m.disks.find((d) => d.name === arg);
  if (!disk) {
    const known = m.disks.map((d) => d.name).join(', ') || 'none';
    throw new StateError(`${m.name} has no disk "${arg ?? ''}" (its disks: ${known})`);
  }
  return disk;
}

function livePid(m: MachineState): number {
  if (m.pid === null || !isAlive(m.pid)) throw new StateError(`${m.name} is not running (its init process is gone); run down and up again`);
  return m.pid;
}

/**
 * Apply `fault` to machine `m`, mutating `m`'s recorded fault state; returns a one-line report.
 * The caller records `m` even when this throws: disk-replace may have changed the disk by then.
 */
export async function applyFault(m: MachineState, fault: FaultName, arg: string | undefined, places: DiskPlaces): Promise<string> {
  const pid = livePid(m);
  switch (fault) {
    case 'disk-fail': {
      const d = diskOf(m, arg);
      failDisk(d.failFile);
      d.faults.failed = true;
      return `${m.name} ${d.name} (${d.device ?? '?'}) now fails every read and write with EIO`;
    }
    case 'disk-full': {
      const d = diskOf(m, arg);
      if (d.faults.failed) throw new StateError(`${m.name} ${d.name} is failed; disk-restore it before filling it`);
      const avail = await fillDisk(pid, d.mount);
      d.faults.full = true;
      return `${m.name} ${d.name} filled: ${avail} bytes available on ${d.mount}`;
    }
    case 'fs-readonly': {
      const d = diskOf(m, arg);
      if (d.faults.failed) throw new StateError(`${m.name} ${d.name} is failed; disk-restore it first`);
      await remountDisk(pid, d.mount, 'ro');
      d.faults.readOnly = true;
      return `${m.name} ${d.name}: ${d.mount} remounted read-only`;
    }
    case 'disk-restore': {
      const d = diskOf(m, arg);
      const done: string[] = [];
      if (d.faults.readOnly && !d.faults.failed) {
        await remountDisk(pid, d.mount, 'rw');
        d.faults.readOnly = false;
        done.push('read-write again');
      }
      if (d.faults.failed || d.device === null) {
        if (d.device === null) throw new StateError(`${m.name} ${d.name} has no device (a disk-replace did not finish): run disk-replace ${d.name}`);
        await healDisk(pid, d.failFile, d.device, d.mount);
        d.faults.failed = false;
        d.faults.readOnly = false;
        done.push('I/O restored, file system checked and remounted');
      }
      if (d.faults.full) {
        await unfillDisk(pid, d.mount);
        d.faults.full = false;
        done.push('fill removed');
      }
      // After disk-replace the disk is a healthy blank one: the old disk and its data are not coming back.
      const replaced = d.replacements > 0 ? ` (it is the blank disk of disk-replace; the data of the disk before is gone)` : '';
      return `${m.name} ${d.name}: ${done.join('; ') || `nothing to restore${replaced}`}`;
    }
    case 'disk-replace':
      return replaceDisk(pid, m, diskOf(m, arg), places);
    case 'net-down':
    case 'net-up': {
      const state = fault === 'net-down' ? 'down' : 'up';
      await setMachineLink(m.netns, state);
      m.faults.net = state;
      return `${m.name} eth0 is ${state}`;
    }
    case 'agent-kill': {
      const inode = netnsInode(m.netns);
      if (inode === undefined) throw new StateError(`${m.name}'s network namespace is gone`);
      // The agent is the program or the script it runs (argv[0] or argv[1]: `node /opt/appliance-agent/…`),
      // not any command that merely mentions it (`tail -f /var/log/appliance-agent/…`, a shell -c).
      // Its watchdog (`sh …/appliance-agent-watchdog`, or `… agent.js --watchdog` of older agents: the
      // agent's supervisor where there is no systemd) is spared, as systemd would be:
      // the fault is the agent crashing or being OOM-killed, which its supervisor must notice and
      // repair. (Killing the supervisor too is what `down` does.)
      const isWatchdog = (argv: string[]) => argv.includes('--watchdog') || argv.slice(0, 2).some((a) => a.endsWith('/appliance-agent-watchdog'));
      const agents = processesInNetns(inode).filter((p) => p.argv.slice(0, 2).some((a) => a.includes('appliance-agent')) && !isWatchdog(p.argv));
      if (agents.length === 0) return `${m.name}: no agent running`;
      const killed = agents.filter((p) => kill(p.pid, 'SIGKILL')).map((p) => p.pid);
      return `${m.name}: killed agent process${killed.length === 1 ? '' : 'es'} ${killed.join(', ')} (SIGKILL)`;
    }
    case 'host-key-rotate': {
      const work = fs.mkdtempSync(path.join(os.tmpdir(), 'testbed-rekey-'));
      try {
        const key = path.join(work, 'ssh_host_ed25519_key');
        await generateKey(key, `root@${m.hostname}`);
        writeMachineFiles(pid, [
          { path: `${MACHINE_SSH_DIR}/ssh_host_ed25519_key`, content: fs.readFileSync(key, 'utf8'), mode: 0o600 },
          { path: `${MACHINE_SSH_DIR}/ssh_host_ed25519_key.pub`, content: fs.readFileSync(`${key}.pub`, 'utf8'), mode: 0o644 },
        ]);
        m.hostKey = { publicKey: fs.readFileSync(`${key}.pub`, 'utf8').trim(), fingerprint: await fingerprint(`${key}.pub`) };
      } finally {
        fs.rmSync(work, { recursive: true, force: true });
      }
      // The machine's init is its sshd (boot-script.ts): SIGHUP makes it re-execute and read the key.
      if (!kill(pid, 'SIGHUP')) throw new StateError(`${m.name}'s sshd (pid ${pid}) could not be signalled`);
      await waitForSsh(m.address, m.sshPort);
      return `${m.name}: new SSH host key ${m.hostKey.fingerprint}; open connections keep their old session`;
    }
    case 'clock-skew': {
      if (arg === undefined || !/^[+-]?\d+$/.test(arg)) throw new UsageError('clock-skew needs an offset in seconds, e.g. +3600 or -120 (0 to clear)');
      const seconds = Number.parseInt(arg, 10);
      // libfaketime's relative format: "+3600" / "-120" seconds from the real clock.
      writeMachineFiles(pid, [{ path: FAKETIME_FILE, content: `${seconds < 0 ? '-' : '+'}${Math.abs(seconds)}\n`, mode: 0o644 }]);
      m.faults.clockSkewSeconds = seconds;
      return `${m.name}: wall clock of SSH sessions is ${seconds === 0 ? 'back to real time' : `skewed by ${seconds > 0 ? '+' : ''}${seconds} s`}`;
    }
  }
}
