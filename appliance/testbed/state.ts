/**
 * The instance's state file: what `up` made, what faults are on, and what `status --json` prints.
 * It is a boundary (written by one CLI process, read by another, and by tests and the console's
 * integration suites), so it is read through a schema, never trusted as-is. It is NOT the only source
 * for cleanup: `down` also discovers leftovers by name (see cleanup.ts), because a crash can leave
 * objects the file never recorded.
 */
import fs from 'node:fs';
import { z } from 'zod';
import { EnvironmentError } from './errors';

const int = z.number().int();

export const SmartDiskSchema = z.object({
  /** Fixture file name under shared/fixtures/smart, replayed for this disk. */
  fixture: z.string(),
  /** smartctl's device type and protocol from the fixture (sat/ATA, nvme/NVMe, scsi/SCSI). */
  type: z.string(),
  protocol: z.string(),
  /** smartctl's exit status bit mask as recorded; the double exits with it. */
  exitStatus: int,
});

export const DiskStateSchema = z.object({
  name: z.string(),
  index: int,
  /** Loop device the machine sees, e.g. /dev/loop3; null until attached. */
  device: z.string().nullable(),
  /** Where the disk is mounted inside the machine. */
  mount: z.string(),
  sizeBytes: int,
  smart: SmartDiskSchema,
  /** readOnly: remounted read-only (state files older than it: false). */
  faults: z.object({ failed: z.boolean(), full: z.boolean(), readOnly: z.boolean().default(false) }),
  /** UUID of the ext4 file system on it; null until formatted (and in state files older than it). */
  fsUuid: z.string().nullable().default(null),
  /** How many times `disk-replace` swapped this disk for a blank one (0: the disk `up` made). */
  replacements: int.default(0),
  /** Host-side parts of the disk chain (see disks.ts). */
  image: z.string(),
  devFile: z.string(),
  failFile: z.string(),
  pidFile: z.string(),
  fusePid: int.nullable(),
});

export const MachineStateSchema = z.object({
  name: z.string(),
  role: z.enum(['appliance', 'smartbox']),
  index: int,
  hostname: z.string(),
  address: z.string(),
  sshPort: int,
  netns: z.string(),
  hostVeth: z.string(),
  /** Host pid of the machine's init (pid 1 in its pid namespace); null until booted. */
  pid: int.nullable(),
  rootUser: z.literal('root'),
  rootKeyPath: z.string(),
  sudoUser: z.string(),
  sudoPassword: z.string(),
  hostKey: z.object({ publicKey: z.string(), fingerprint: z.string() }),
  disks: z.array(DiskStateSchema),
  faults: z.object({ net: z.enum(['up', 'down']), clockSkewSeconds: int }),
});

export const TestbedStateSchema = z.object({
  version: z.literal(1),
  prefix: z.string(),
  phase: z.enum(['starting', 'up', 'failed']),
  createdAt: z.string(),
  stateDir: z.string(),
  bridge: z.string(),
  subnet: z.object({ cidr: z.string(), gateway: z.string() }),
  clientKey: z.object({ privateKeyPath: z.string(), publicKeyPath: z.string() }),
  options: z.object({
    appliances: int,
    smartboxes: int,
    disks: int,
    diskSize: z.string(),
    smartProfile: z.enum(['healthy', 'mixed', 'worn']),
  }),
  machines: z.array(MachineStateSchema),
});

/** What `status --json` prints: the state plus what was observed just now. */
export const TestbedStatusSchema = z.object({
  prefix: z.string(),
  /** up: every machine's init is alive; degraded: some are not; down: nothing recorded. */
  state: z.enum(['up', 'starting', 'degraded', 'failed', 'down']),
  stateDir: z.string(),
  bridge: z.string().nullable(),
  subnet: z.object({ cidr: z.string(), gateway: z.string() }).nullable(),
  clientKey: z.object({ privateKeyPath: z.string(), publicKeyPath: z.string() }).nullable(),
  machines: z.array(MachineStateSchema.extend({ alive: z.boolean() })),
});

export type SmartDisk = z.infer<typeof SmartDiskSchema>;
export type DiskState = z.infer<typeof DiskStateSchema>;
export type MachineState = z.infer<typeof MachineStateSchema>;
export type TestbedState = z.infer<typeof TestbedStateSchema>;
export type TestbedStatus = z.infer<typeof TestbedStatusSchema>;
export type SmartProfile = TestbedState['options']['smartProfile'];

export function readState(file: string): TestbedState | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    if ((err as NodeJS.ErrnoException).code === 'EACCES') {
      throw new EnvironmentError(`${file} is readable by root only (it holds passwords): run as root`);
    }
    throw err;
  }
  const parsed = TestbedStateSchema.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${file} is not a testbed state file: ${parsed.error.message}`);
  return parsed.data;
}

/** Atomic replace, so a reader (or a crash) never sees half a file. Mode 0600: it holds passwords. */
export function writeState(file: string, state: TestbedState): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(TestbedStateSchema.parse(state), null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}
