/**
 * Names and places. Everything the testbed creates on the host is named from the instance prefix,
 * so that two testbeds (say, a test run and a demo) live side by side, and so that `down` can find
 * leftovers by name after a crash even when the state file is incomplete.
 */
import path from 'node:path';
import { UsageError } from './errors';

export const DEFAULT_PREFIX = 'actb';
/** Where every instance keeps its state. Each instance gets `<root>/<prefix>/`. */
export const DEFAULT_STATE_ROOT = '/var/lib/appliance-testbed';

/**
 * Lower-case letter then up to 7 letters/digits, no dash: interface names are limited to 15
 * characters (`<prefix>-a123` must fit) and the dash separates the prefix from the machine part, so
 * prefix `tb` can never match the objects of prefix `tb2` or `tb-x`.
 */
export const PREFIX_PATTERN = /^[a-z][a-z0-9]{0,7}$/;

export function checkPrefix(prefix: string): string {
  if (!PREFIX_PATTERN.test(prefix)) {
    throw new UsageError(`invalid prefix "${prefix}": use 1-8 lower-case letters or digits, starting with a letter`);
  }
  return prefix;
}

export type Role = 'appliance' | 'smartbox';

export const machineName = (prefix: string, role: Role, index: number): string =>
  `${prefix}-${role === 'appliance' ? 'a' : 's'}${index}`;
export const bridgeName = (prefix: string): string => `${prefix}-br`;
/** Every network namespace, veth and machine of an instance matches this; the bridge is separate. */
export const machinePattern = (prefix: string): RegExp => new RegExp(`^${prefix}-[as]\\d+$`);

/** The paths of one instance. Kept together so cleanup and setup cannot disagree. */
export interface InstancePaths {
  stateRoot: string;
  dir: string;
  stateFile: string;
  /** Beside, not inside, the instance directory: `down` deletes the directory while holding it. */
  lockFile: string;
  clientKey: string;
  machinesDir: string;
  disksDir: string;
  machineDir: (machine: string) => string;
}

export function instancePaths(stateRoot: string, prefix: string): InstancePaths {
  const dir = path.join(stateRoot, prefix);
  return {
    stateRoot,
    dir,
    stateFile: path.join(dir, 'state.json'),
    lockFile: path.join(stateRoot, `.${prefix}.lock`),
    clientKey: path.join(dir, 'client', 'id_ed25519'),
    machinesDir: path.join(dir, 'machines'),
    // Kept short: loop devices record at most 64 characters of their backing file's name, and
    // cleanup recognises our loop devices by that name.
    disksDir: path.join(dir, 'disks'),
    machineDir: (machine) => path.join(dir, 'machines', machine),
  };
}

/** Inside every machine: where data disks are mounted, as on a production appliance. */
export const DISK_MOUNT_ROOT = '/srv/disks';
/** Inside every machine: the file libfaketime reads the clock offset from (see faults.ts). */
export const FAKETIME_FILE = '/etc/appliance-testbed/faketime';
/** Inside every machine: the smartctl double's data (see smart-double.ts). */
export const SMART_DATA_DIR = '/usr/local/share/appliance-testbed/smart';
