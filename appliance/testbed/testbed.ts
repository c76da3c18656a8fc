/**
 * The testbed's programmatic API (the CLI, tests, benchmarks and demos all go through it):
 *
 *   const tb = createTestbed({ prefix: 'tbdemo' });
 *   await tb.up({ appliances: 2, smartboxes: 1, disks: 2, diskSize: '2G', smartProfile: 'mixed' });
 *   await tb.fault('tbdemo-a1', 'disk-fail', 'd1');
 *   console.log(await tb.status());
 *   await tb.down();
 *
 * This file only composes: validation, planning, and the order of steps. Each side effect lives in its
 * own module (network, machine, disks, sshd, smart double, faults, cleanup) with its reasons.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { discover, isEmpty, teardown, type Leftovers, type TeardownReport } from './cleanup';
import { attachDisk, diskFiles, hostSpaceWarning, mountDisks, parseSize } from './disks';
import { StateError, UsageError } from './errors';
import { isAlive } from './exec';
import { applyFault, FAULTS, isFaultName } from './faults';
import { withLock } from './lock';
import { bootMachine, waitForSsh, writeMachineFiles } from './machine';
import { createBridge, createMachineNetwork, netnsInode } from './network';
import { bridgeName, checkPrefix, DEFAULT_PREFIX, DEFAULT_STATE_ROOT, DISK_MOUNT_ROOT, instancePaths, machineName, type InstancePaths, type Role } from './paths';
import { checkHost, requireRoot } from './preflight';
import { ROLES } from './roles';
import { smartDoubleFilesFor } from './smart-double';
import { defaultFixturesDir, describeFixture, fixtureFor } from './smart-fixtures';
import { fingerprint, generateKey, renderSshdConfig } from './sshd';
import { readState, writeState, type MachineState, type SmartProfile, type TestbedState, type TestbedStatus } from './state';
import { allocateSubnet, type Subnet } from './subnet';

export interface TestbedOptions {
  /** Instance name prefix; default $TESTBED_PREFIX or "actb". */
  prefix?: string;
  stateRoot?: string;
  /** Directory of SMART recordings to replay; default the repository's (defaultFixturesDir()). */
  fixturesDir?: string;
  /** Progress lines (the CLI prints them to stderr). */
  log?: (line: string) => void;
}

export interface UpOptions {
  appliances?: number;
  smartboxes?: number;
  /** Data disks per appliance (smart boxes always get one small disk). */
  disks?: number;
  diskSize?: string;
  smartProfile?: SmartProfile;
  /** Leave a failed `up` in place for inspection instead of rolling it back. */
  keepOnFailure?: boolean;
}

export interface Testbed {
  readonly prefix: string;
  readonly paths: InstancePaths;
  up(opts?: UpOptions): Promise<TestbedStatus>;
  down(): Promise<TeardownReport>;
  status(): Promise<TestbedStatus>;
  /** Apply a fault (see faults.ts); `machine` is a full name (actb-a1) or short (a1). Returns a report line. */
  fault(machine: string, fault: string, arg?: string): Promise<string>;
  /** What of this instance exists on the host right now, by discovery (not from the state file). */
  leftovers(): Promise<Leftovers>;
}

export const SUDO_USER = 'operator';
export const SMART_PROFILES: readonly SmartProfile[] = ['healthy', 'mixed', 'worn'];

function count(name: string, value: number | undefined, fallback: number, max: number): number {
  const n = value ?? fallback;
  if (!Number.isInteger(n) || n < 0 || n > max) throw new UsageError(`${name} must be an integer from 0 to ${max} (got ${String(value)})`);
  return n;
}

function normalize(opts: UpOptions): TestbedState['options'] & { diskSizeBytes: number } {
  const diskSize = opts.diskSize ?? '2G';
  let diskSizeBytes: number;
  try {
    diskSizeBytes = parseSize(diskSize);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (diskSizeBytes < 64 * 1024 * 1024) throw new UsageError(`disk size ${diskSize} is too small (64M at least, for ext4 and its journal)`);
  const smartProfile = opts.smartProfile ?? 'healthy';
  if (!SMART_PROFILES.includes(smartProfile)) throw new UsageError(`unknown SMART profile "${String(smartProfile)}" (use ${SMART_PROFILES.join(', ')})`);
  const o = {
    appliances: count('appliances', opts.appliances, 1, ROLES.appliance.maxCount),
    smartboxes: count('smartboxes', opts.smartboxes, 0, ROLES.smartbox.maxCount),
    disks: count('disks', opts.disks, 2, ROLES.appliance.maxDisks),
    diskSize,
    diskSizeBytes,
    smartProfile,
  };
  if (o.appliances + o.smartboxes === 0) throw new UsageError('nothing to start: ask for at least one appliance or smart box');
  return o;
}

export function createTestbed(options: TestbedOptions = {}): Testbed {
  const prefix = checkPrefix(options.prefix ?? process.env.TESTBED_PREFIX ?? DEFAULT_PREFIX);
  const stateRoot = options.stateRoot ?? DEFAULT_STATE_ROOT;
  const paths = instancePaths(stateRoot, prefix);
  const fixturesDir = options.fixturesDir ?? defaultFixturesDir();
  const log = options.log ?? (() => undefined);

  function plan(o: ReturnType<typeof normalize>, subnet: Subnet): TestbedState {
    const machines: MachineState[] = [];
    let k = 0; // disk number across the testbed: picks the SMART fixture (smart-fixtures.ts)
    const roles: Array<[Role, number]> = [['appliance', o.appliances], ['smartbox', o.smartboxes]];
    for (const [role, n] of roles) {
      const spec = ROLES[role];
      const shape = spec.disks({ count: o.disks, sizeBytes: o.diskSizeBytes });
      for (let i = 1; i <= n; i++) {
        const name = machineName(prefix, role, i);
        machines.push({
          name,
          role,
          index: i,
          hostname: name,
          address: subnet.host(spec.firstHost + i - 1),
          sshPort: 22,
          netns: name,
          hostVeth: name,
          pid: null,
          rootUser: 'root',
          rootKeyPath: paths.clientKey,
          sudoUser: SUDO_USER,
          sudoPassword: randomPassword(),
          hostKey: { publicKey: '', fingerprint: '' },
          faults: { net: 'up', clockSkewSeconds: 0 },
          disks: Array.from({ length: shape.count }, (_, j) => {
            const disk = `d${j + 1}`;
            const files = diskFiles(paths.disksDir, name, disk);
            const { text: _text, ...smart } = describeFixture(fixturesDir, fixtureFor(o.smartProfile, k++));
            return {
              name: disk,
              index: j + 1,
              device: null,
              mount: `${DISK_MOUNT_ROOT}/${disk}`,
              sizeBytes: shape.sizeBytes,
              smart,
              faults: { failed: false, full: false, readOnly: false },
              fsUuid: null,
              replacements: 0,
              image: files.image,
              devFile: files.devFile,
              failFile: files.failFile,
              pidFile: files.pidFile,
              fusePid: null,
            };
          }),
        });
      }
    }
    const { diskSizeBytes: _bytes, ...recorded } = o;
    return {
      version: 1,
      prefix,
      phase: 'starting',
      createdAt: new Date().toISOString(),
      stateDir: paths.dir,
      bridge: bridgeName(prefix),
      subnet: { cidr: subnet.cidr, gateway: subnet.gateway },
      clientKey: { privateKeyPath: paths.clientKey, publicKeyPath: `${paths.clientKey}.pub` },
      options: recorded,
      machines,
    };
  }

  /** Network, keys, boot and disks of one machine; disks and boot run side by side. */
  async function startMachine(m: MachineState, bridge: string, libfaketime: string): Promise<void> {
    const started = Date.now();
    const dir = paths.machineDir(m.name);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    await createMachineNetwork({ netns: m.netns, hostVeth: m.hostVeth, bridge, address: m.address });
    const hostKey = path.join(dir, 'ssh_host_ed25519_key');
    await generateKey(hostKey, `root@${m.hostname}`);
    m.hostKey = { publicKey: fs.readFileSync(`${hostKey}.pub`, 'utf8').trim(), fingerprint: await fingerprint(`${hostKey}.pub`) };
    fs.writeFileSync(path.join(dir, 'sshd_config'), renderSshdConfig({ libfaketime }));
    fs.copyFileSync(`${paths.clientKey}.pub`, path.join(dir, 'authorized_keys'));
    fs.writeFileSync(path.join(dir, 'sudo-password'), `${m.sudoUser}:${m.sudoPassword}\n`, { mode: 0o600 });

    const [pid] = await Promise.all([
      bootMachine({ hostname: m.hostname, machineDir: dir, stateRoot, sudoUser: m.sudoUser, netns: m.netns }),
      Promise.all(
        m.disks.map(async (d) => {
          const chain = await attachDisk(diskFiles(paths.disksDir, m.name, d.name), d.sizeBytes, d.name);
          d.device = chain.device;
          d.fusePid = chain.fusePid;
          d.fsUuid = chain.fsUuid;
        }),
      ),
    ]);
    m.pid = pid;
    await mountDisks(pid, m.disks.map((d) => ({ device: d.device ?? '', mount: d.mount })));
    writeMachineFiles(pid, [...smartDoubleFilesFor(m.disks, fixturesDir), ...ROLES[m.role].doubles(m)]);
    await waitForSsh(m.address, m.sshPort);
    log(`${m.name} up at ${m.address} (${m.disks.length} disk${m.disks.length === 1 ? '' : 's'}) in ${Date.now() - started} ms`);
  }

  function machineAlive(m: MachineState): boolean {
    if (m.pid === null || !isAlive(m.pid)) return false;
    try {
      // Guards against pid reuse after a host reboot or crash: the pid must still be in our namespace.
      return fs.readlinkSync(`/proc/${m.pid}/ns/net`) === `net:[${netnsInode(m.netns) ?? -1}]`;
    } catch {
      return false;
    }
  }

  function statusOf(state: TestbedState | undefined): TestbedStatus {
    if (!state) return { prefix, state: 'down', stateDir: paths.dir, bridge: null, subnet: null, clientKey: null, machines: [] };
    const machines = state.machines.map((m) => ({ ...m, alive: machineAlive(m) }));
    const overall = state.phase === 'up' ? (machines.every((m) => m.alive) ? 'up' : 'degraded') : state.phase;
    return { prefix, state: overall, stateDir: state.stateDir, bridge: state.bridge, subnet: state.subnet, clientKey: state.clientKey, machines };
  }

  function ensureStateRoot(): void {
    fs.mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
  }

  return {
    prefix,
    paths,

    async up(opts = {}) {
      const o = normalize(opts);
      const host = checkHost();
      ensureStateRoot();
      return withLock(paths.lockFile, async () => {
        const existing = readState(paths.stateFile);
        if (existing) {
          const what = existing.phase === 'up' ? 'is already up' : `exists (${existing.phase})`;
          throw new StateError(`testbed "${prefix}" ${what}: run \`npm run testbed -- down --prefix ${prefix}\` first`);
        }
        const left = await discover(prefix, paths);
        if (!isEmpty(left)) {
          throw new StateError(`leftovers of testbed "${prefix}" exist (${describeLeftovers(left)}): run \`npm run testbed -- down --prefix ${prefix}\` first`);
        }
        const started = Date.now();
        fs.mkdirSync(paths.machinesDir, { recursive: true, mode: 0o700 });
        fs.mkdirSync(paths.disksDir, { recursive: true, mode: 0o700 });
        let state: TestbedState | undefined;
        try {
          const subnet = await allocateSubnet(stateRoot, prefix);
          state = plan(o, subnet);
          writeState(paths.stateFile, state); // before creating anything: down can always read what was meant
          const space = hostSpaceWarning(stateRoot, state.machines.reduce((sum, m) => sum + m.disks.reduce((s, d) => s + d.sizeBytes, 0), 0));
          if (space) log(`warning: ${space}`);
          await generateKey(paths.clientKey, `appliance-testbed-${prefix}`);
          await createBridge(state.bridge, subnet);
          const bridge = state.bridge;
          await Promise.all(state.machines.map((m) => startMachine(m, bridge, host.libfaketime)));
          state.phase = 'up';
          writeState(paths.stateFile, state);
          log(`testbed "${prefix}" up in ${Date.now() - started} ms`);
          return statusOf(state);
        } catch (err) {
          if (opts.keepOnFailure && state) {
            state.phase = 'failed';
            writeState(paths.stateFile, state);
            throw err;
          }
          log(`up failed, rolling back: ${(err as Error).message}`);
          await teardown(prefix, paths).catch((e: unknown) => log(`rollback incomplete: ${(e as Error).message}`));
          throw err;
        }
      });
    },

    async down() {
      requireRoot('testbed down');
      ensureStateRoot();
      const report = await withLock(paths.lockFile, () => teardown(prefix, paths));
      try {
        fs.rmdirSync(stateRoot); // only succeeds when no other instance is left
      } catch {
        /* other instances (or their registry) still there */
      }
      return report;
    },

    async status() {
      return statusOf(readState(paths.stateFile));
    },

    async fault(machine, fault, arg) {
      if (!isFaultName(fault)) throw new UsageError(`unknown fault "${fault}" (known: ${FAULTS.join(', ')})`);
      requireRoot('testbed fault');
      return withLock(paths.lockFile, async () => {
        const state = readState(paths.stateFile);
        if (!state) throw new StateError(`testbed "${prefix}" is not up`);
        const m = state.machines.find((x) => x.name === machine || x.name === `${prefix}-${machine}`);
        if (!m) throw new StateError(`unknown machine "${machine}"; machines of testbed "${prefix}": ${state.machines.map((x) => x.name).join(', ')}`);
        try {
          return await applyFault(m, fault, arg, { disksDir: paths.disksDir, fixturesDir });
        } finally {
          writeState(paths.stateFile, state); // also after a failure: a disk-replace may be half done
        }
      });
    },

    leftovers: () => discover(prefix, paths),
  };
}

/** Letters and digits only: safe to paste into `echo PW | sudo -S`, shells and URLs. */
function randomPassword(length = 16): string {
  const alphabet = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
  return Array.from(crypto.randomBytes(length), (b) => alphabet[b % alphabet.length]).join('');
}

export function describeLeftovers(l: Leftovers): string {
  const parts = [
    l.netns.length ? `${l.netns.length} netns` : '',
    l.links.length ? `${l.links.length} links` : '',
    l.loopDevices.length ? `${l.loopDevices.length} loop devices` : '',
    l.mounts.length ? `${l.mounts.length} mounts` : '',
    l.processes.length ? `${l.processes.length} processes` : '',
  ].filter(Boolean);
  return parts.join(', ') || 'nothing';
}
