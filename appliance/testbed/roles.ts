/**
 * What differs between an appliance and a 5G smart box in the testbed. Everything else (network,
 * sshd, users, private file system, faults) is the same machine.
 */
import type { Role } from './paths';
import type { MachineFile } from './smart-double';
import type { MachineState } from './state';

export interface RoleSpec {
  role: Role;
  /** Machine n of this role gets host address firstHost + n - 1 in the instance's /24. */
  firstHost: number;
  maxCount: number;
  /** Most data disks one machine of this role may ask for (`up --disks`). */
  maxDisks: number;
  /** Data disks of one machine of this role. */
  disks: (requested: { count: number; sizeBytes: number }) => { count: number; sizeBytes: number };
  /**
   * Hardware doubles beyond smartctl, installed into the machine after it booted (files under
   * /usr/local, which is private to the machine). EXTENSION POINT for the smart box: the 5G modem
   * double (an `mmcli`/`qmicli` on PATH replaying recorded modem status, under shared/fixtures/) and
   * the camera (an ffmpeg lavfi test source publishing to the box's ingest) belong here. Long-running
   * doubles can be started with machineExec (machine.ts) after writing their files.
   */
  doubles: (machine: MachineState) => MachineFile[];
}

/**
 * 32 data disks per appliance: room for Kodo's widest layout (20 + 2 on 22 disks) and spares. What
 * each disk costs (measured, see README "Speed"): one loop device (made on demand through
 * /dev/loop-control, so `max_loop` does not cap it), an nbdfuse and an nbdkit (about 4 MiB of
 * proportional memory and some 30 threads, i.e. pids, together), one mount inside the machine (the
 * FUSE mount lives in a private namespace), and only the blocks written on the host's disk (sparse
 * image, lazily initialised ext4: about 1 MB per fresh 2 GB disk). Beyond 32 nothing breaks
 * abruptly; the cap keeps a typo (--disks 320) from eating the host's pids (pid_max is 32768 here).
 */
export const MAX_APPLIANCE_DISKS = 32;

/** A smart box has one small data disk (recording buffer), whatever --disks says. */
export const SMARTBOX_DISK = { count: 1, sizeBytes: 512 * 1024 * 1024 } as const;

export const ROLES: Readonly<Record<Role, RoleSpec>> = {
  appliance: {
    role: 'appliance',
    firstHost: 10,
    maxCount: 150,
    maxDisks: MAX_APPLIANCE_DISKS,
    disks: (requested) => requested,
    doubles: () => [],
  },
  smartbox: {
    role: 'smartbox',
    firstHost: 170,
    maxCount: 80,
    maxDisks: SMARTBOX_DISK.count,
    disks: () => SMARTBOX_DISK,
    doubles: () => [],
  },
};
