import fs from 'node:fs';
import os from 'node:os';
import type { InventoryResult } from '../../protocol/payloads/inventory';
import type { Clock } from '../clock';
import { collectBlockDevices, type BlockDeviceProbes } from './block-devices';
import { createCommandRunner } from './command-runner';
import { collectFilesystems, type DiskInfoDrive, type FilesystemProbes } from './filesystems';
import { blockDevNumber, deviceIdLinks, deviceSlot, readMountTable } from './mount-table';
import { collectNetwork, type NetworkProbes } from './network';
import type { Section } from './section';
import { collectCpu, collectMemory, collectOs, type SystemProbes } from './system-info';

export type InventoryProbes = SystemProbes & BlockDeviceProbes & FilesystemProbes & NetworkProbes & { hostname(): string };

export interface Inventory {
  collect(): Promise<InventoryResult>;
}

/**
 * The inventory of the machine. OS and CPU are read once; the rest on each call. Calls that arrive
 * while one collection runs share it, so a console polling hard cannot stack up lsblk/df runs.
 */
export function createInventory(deps: { probes: InventoryProbes; clock: Clock }): Inventory {
  const { probes, clock } = deps;
  let staticPart: Promise<[Section<InventoryResult['os']>, Section<InventoryResult['cpu']>]> | null = null;
  let inFlight: Promise<InventoryResult> | null = null;

  async function collectOnce(): Promise<InventoryResult> {
    staticPart ??= Promise.all([collectOs(probes), collectCpu(probes)]);
    const [[osSection, cpuSection], memory, blockDevices, filesystems, network] = await Promise.all([
      staticPart,
      collectMemory(probes),
      collectBlockDevices(probes),
      collectFilesystems(probes),
      collectNetwork(probes),
    ]);
    const sections = { os: osSection, cpu: cpuSection, memory, blockDevices, filesystems, network };
    return {
      collectedAt: new Date(clock.now()).toISOString(),
      hostname: probes.hostname(),
      os: osSection.value,
      cpu: cpuSection.value,
      memory: memory.value,
      blockDevices: blockDevices.value,
      filesystems: filesystems.value,
      network: network.value,
      sources: Object.fromEntries(Object.entries(sections).map(([k, s]) => [k, s.sources])),
      warnings: Object.values(sections).flatMap((s) => s.warnings),
    };
  }

  return {
    collect() {
      inFlight ??= collectOnce().finally(() => {
        inFlight = null;
      });
      return inFlight;
    },
  };
}

/** The real probes: systeminformation, node-disk-info, system tools, /proc and /sys. */
export function createHostProbes(libs: {
  si: Pick<typeof import('systeminformation'), 'osInfo' | 'cpu' | 'mem' | 'blockDevices' | 'diskLayout' | 'fsSize' | 'networkInterfaces'>;
  getDiskInfo: () => Promise<DiskInfoDrive[]>;
}): InventoryProbes {
  return {
    hostname: () => os.hostname(),
    osInfo: () => libs.si.osInfo(),
    cpu: () => libs.si.cpu(),
    mem: () => libs.si.mem(),
    blockDevices: () => libs.si.blockDevices(),
    diskLayout: () => libs.si.diskLayout(),
    fsSize: () => libs.si.fsSize(),
    networkInterfaces: () => libs.si.networkInterfaces(),
    osInterfaces: () => os.networkInterfaces(),
    diskInfo: () => libs.getDiskInfo(),
    run: createCommandRunner(),
    mounts: () => readMountTable(),
    devNumber: (name) => blockDevNumber(name),
    idLinks: () => deviceIdLinks(),
    slot: (name) => deviceSlot(name),
    readFile: (path) => {
      try {
        return fs.readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    },
  };
}
