import type { Systeminformation } from 'systeminformation';
import type { BlockDevice } from '../../protocol/payloads/inventory';
import { naturalCompare } from '../natural-compare';
import { withTimeout, type CommandRunner } from './command-runner';
import type { MountEntry } from './mount-table';
import { count, errorText, flag, text, type Section } from './section';

/**
 * Block devices from systeminformation (lsblk + udev underneath), completed by our own `lsblk -J`
 * (parent device, read-only flag, and everything when systeminformation fails), the mount table
 * (file system type of mounted devices when udev is absent, as in containers and on many smart
 * boxes) and `blkid -p` (type, UUID and label of unmounted devices, probed from the device itself).
 */
export interface BlockDeviceProbes {
  blockDevices(): Promise<Systeminformation.BlockDevicesData[]>;
  diskLayout(): Promise<Systeminformation.DiskLayoutData[]>;
  run: CommandRunner;
  mounts(): MountEntry[];
  devNumber(name: string): string | null;
  /** Kernel name → its /dev/disk/by-id links. */
  idLinks(): Map<string, string[]>;
  slot(name: string): string | null;
}

const LSBLK_COLUMNS = 'NAME,PATH,TYPE,SIZE,FSTYPE,MOUNTPOINT,UUID,LABEL,MODEL,SERIAL,RM,RO,PKNAME';
/** Device types worth probing with blkid (not optical drives: probing may spin one up). */
const PROBE_TYPES = new Set(['disk', 'part', 'loop', 'lvm', 'crypt', 'md', 'raid0', 'raid1', 'raid5', 'raid6', 'raid10']);
const TIMEOUT_MS = 5000;

function fromSystemInformation(d: Systeminformation.BlockDevicesData): BlockDevice {
  return {
    name: d.name,
    path: d.device || `/dev/${d.name}`,
    type: d.type || 'unknown',
    sizeBytes: count(d.size) ?? 0,
    fsType: text(d.fsType),
    mountpoint: text(d.mount),
    uuid: text(d.uuid),
    label: text(d.label),
    model: text(d.model),
    serial: text(d.serial),
    removable: typeof d.removable === 'boolean' ? d.removable : null,
    readOnly: null,
    parent: null,
  };
}

export function parseLsblk(json: string): BlockDevice[] {
  const parsed = JSON.parse(json) as { blockdevices?: unknown };
  if (!Array.isArray(parsed.blockdevices)) throw new Error('lsblk printed no "blockdevices" array');
  const out: BlockDevice[] = [];
  const walk = (rows: unknown[]) => {
    for (const row of rows) {
      if (typeof row !== 'object' || row === null) continue;
      const r = row as Record<string, unknown>;
      const name = text(r.name);
      if (!name) continue;
      out.push({
        name,
        path: text(r.path) ?? `/dev/${name}`,
        type: text(r.type) ?? 'unknown',
        sizeBytes: count(r.size) ?? 0,
        fsType: text(r.fstype),
        mountpoint: text(r.mountpoint),
        uuid: text(r.uuid),
        label: text(r.label),
        model: text(r.model),
        serial: text(r.serial),
        removable: flag(r.rm),
        readOnly: flag(r.ro),
        parent: text(r.pkname),
      });
      if (Array.isArray(r.children)) walk(r.children);
    }
  };
  walk(parsed.blockdevices);
  return out;
}

/** `blkid -p -o export` prints KEY=value blocks separated by blank lines, each with DEVNAME. */
export function parseBlkidExport(output: string): Map<string, Record<string, string>> {
  const byDevice = new Map<string, Record<string, string>>();
  for (const block of output.split(/\n\s*\n/)) {
    const fields: Record<string, string> = {};
    for (const line of block.split('\n')) {
      const eq = line.indexOf('=');
      if (eq > 0) fields[line.slice(0, eq)] = line.slice(eq + 1);
    }
    if (fields.DEVNAME) byDevice.set(fields.DEVNAME, fields);
  }
  return byDevice;
}

function fillMissing(target: BlockDevice, from: BlockDevice): void {
  const keys = ['fsType', 'mountpoint', 'uuid', 'label', 'model', 'serial', 'removable', 'readOnly', 'parent'] as const;
  for (const key of keys) if (target[key] === null && from[key] !== null) (target as Record<typeof key, unknown>)[key] = from[key];
  if (target.sizeBytes === 0 && from.sizeBytes > 0) target.sizeBytes = from.sizeBytes;
}

async function forEachLimited<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function collectBlockDevices(probes: BlockDeviceProbes): Promise<Section<BlockDevice[]>> {
  const sources: string[] = [];
  const warnings: string[] = [];
  const byName = new Map<string, BlockDevice>();

  const [siResult, lsblkResult, layoutResult] = await Promise.allSettled([
    withTimeout(probes.blockDevices(), TIMEOUT_MS, 'systeminformation.blockDevices'),
    probes.run('lsblk', ['-J', '-l', '-b', '-o', LSBLK_COLUMNS], { timeoutMs: TIMEOUT_MS }),
    withTimeout(probes.diskLayout(), TIMEOUT_MS, 'systeminformation.diskLayout'),
  ]);

  if (siResult.status === 'fulfilled' && siResult.value.length > 0) {
    sources.push('systeminformation');
    for (const d of siResult.value) byName.set(d.name, fromSystemInformation(d));
  } else if (siResult.status === 'rejected') warnings.push(`block devices: ${errorText(siResult.reason)}`);

  if (lsblkResult.status === 'fulfilled' && lsblkResult.value.error === null && lsblkResult.value.code === 0) {
    try {
      for (const d of parseLsblk(lsblkResult.value.stdout)) {
        const known = byName.get(d.name);
        if (known) fillMissing(known, d);
        else byName.set(d.name, d);
      }
      sources.push('lsblk');
    } catch (err) {
      warnings.push(`lsblk: ${errorText(err)}`);
    }
  } else if (lsblkResult.status === 'fulfilled') {
    warnings.push(`lsblk: ${lsblkResult.value.error ?? (lsblkResult.value.stderr.trim() || `exit ${lsblkResult.value.code}`)}`);
  }

  // diskLayout is empty without udev; on real hardware it knows model and serial of whole disks.
  if (layoutResult.status === 'fulfilled' && layoutResult.value.length > 0) {
    sources.push('diskLayout');
    for (const disk of layoutResult.value) {
      const dev = [...byName.values()].find((d) => d.path === disk.device);
      if (!dev) continue;
      dev.model ??= text(disk.name);
      dev.serial ??= text(disk.serialNum);
    }
  }

  const devices = [...byName.values()];
  const mounts = probes.mounts();
  let usedMounts = false;
  for (const dev of devices) {
    if (dev.fsType !== null && dev.mountpoint !== null) continue;
    const number = probes.devNumber(dev.name);
    const mount = number ? mounts.find((m) => m.devNumber === number) : undefined;
    if (!mount) continue;
    usedMounts = true;
    dev.fsType ??= mount.fsType;
    dev.mountpoint ??= mount.mountpoint;
  }
  if (usedMounts) sources.push('mounts');

  const unprobed = devices.filter((d) => (d.fsType === null || d.uuid === null) && d.sizeBytes > 0 && PROBE_TYPES.has(d.type));
  let probed = 0;
  // One blkid per device: with several devices, blkid stops at the first it may not open (EPERM in
  // a container). Exit 2 means "nothing found" (a partition table, an empty disk): not a failure.
  await forEachLimited(unprobed, 8, async (dev) => {
    const blkid = await probes.run('blkid', ['-p', '-o', 'export', dev.path], { timeoutMs: TIMEOUT_MS });
    if (blkid.error !== null) {
      if (!warnings.some((w) => w.startsWith('blkid:'))) warnings.push(`blkid: ${blkid.error}`);
      return;
    }
    const f = parseBlkidExport(blkid.stdout).get(dev.path);
    if (!f) return;
    probed += 1;
    dev.fsType ??= text(f.TYPE);
    dev.uuid ??= text(f.UUID);
    dev.label ??= text(f.LABEL);
  });
  if (probed > 0) sources.push('blkid');

  const links = probes.idLinks();
  for (const dev of devices) {
    dev.idPaths = links.get(dev.name) ?? [];
    dev.slot = dev.type === 'disk' ? probes.slot(dev.name) : null;
  }

  devices.sort((a, b) => naturalCompare(a.name, b.name));
  return { value: devices, sources, warnings };
}
