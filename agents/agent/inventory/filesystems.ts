import type { Systeminformation } from 'systeminformation';
import type { Filesystem } from '../../protocol/payloads/inventory';
import { withTimeout, type CommandRunner } from './command-runner';
import { visibleMount, type MountEntry } from './mount-table';
import { count, errorText, type Section } from './section';

/**
 * Mounted file systems and their usage: systeminformation's fsSize first, node-disk-info when that
 * fails or finds nothing, and `df -B1 -T -P` as the last resort. The mount table adds the type where
 * a source lacks it, and always decides read-only: systeminformation reports every mount whose
 * source is not a path (overlay, tmpfs) as read-only, and misses a superblock gone read-only after
 * an I/O error. Kernel pseudo file systems are left out: they have no capacity to plan.
 */
export interface DiskInfoDrive {
  filesystem: string;
  blocks: number;
  used: number;
  available: number;
  capacity: string;
  mounted: string;
}

export interface FilesystemProbes {
  fsSize(): Promise<Systeminformation.FsSizeData[]>;
  /** node-disk-info's getDiskInfo (sizes in 1024-byte blocks). */
  diskInfo(): Promise<DiskInfoDrive[]>;
  run: CommandRunner;
  mounts(): MountEntry[];
}

const PSEUDO = new Set(['proc', 'sysfs', 'cgroup', 'cgroup2', 'devpts', 'mqueue', 'debugfs', 'tracefs', 'securityfs', 'pstore', 'bpf', 'autofs', 'fusectl', 'configfs', 'hugetlbfs', 'binfmt_misc', 'nsfs', 'efivarfs', 'rpc_pipefs']);
const TIMEOUT_MS = 5000;

function percent(used: number, available: number): number {
  const total = used + available;
  return total > 0 ? Math.min(100, Math.max(0, Math.round((used / total) * 10000) / 100)) : 0;
}

export function parseDf(output: string): Filesystem[] {
  const out: Filesystem[] = [];
  for (const line of output.split('\n').slice(1)) {
    // Filesystem Type 1-blocks Used Available Capacity Mounted-on (the mount point may contain spaces).
    const m = /^(\S+)\s+(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+\S+\s+(.+)$/.exec(line.trim());
    if (!m) continue;
    const used = Number(m[4]);
    const available = Number(m[5]);
    out.push({ source: m[1]!, fsType: m[2]!, sizeBytes: Number(m[3]), usedBytes: used, availableBytes: available, usePercent: percent(used, available), mountpoint: m[6]!, readOnly: null });
  }
  return out;
}

async function fromSystemInformation(probes: FilesystemProbes): Promise<Filesystem[]> {
  const list = await withTimeout(probes.fsSize(), TIMEOUT_MS, 'systeminformation.fsSize');
  return list.map((f) => {
    const used = count(f.used) ?? 0;
    const available = count(f.available) ?? 0;
    return {
      source: f.fs,
      fsType: f.type || 'unknown',
      mountpoint: f.mount,
      sizeBytes: count(f.size) ?? 0,
      usedBytes: used,
      availableBytes: available,
      usePercent: percent(used, available),
      readOnly: typeof f.rw === 'boolean' ? !f.rw : null,
    };
  });
}

async function fromNodeDiskInfo(probes: FilesystemProbes): Promise<Filesystem[]> {
  const drives = await withTimeout(probes.diskInfo(), TIMEOUT_MS, 'node-disk-info');
  return drives.map((d) => {
    const used = d.used * 1024;
    const available = d.available * 1024;
    return { source: d.filesystem, fsType: 'unknown', mountpoint: d.mounted, sizeBytes: d.blocks * 1024, usedBytes: used, availableBytes: available, usePercent: percent(used, available), readOnly: null };
  });
}

async function fromDf(probes: FilesystemProbes): Promise<Filesystem[]> {
  const r = await probes.run('df', ['-B1', '-T', '-P'], { timeoutMs: TIMEOUT_MS });
  // df exits 1 when one mount cannot be read (a failed disk) but still prints the others.
  if (r.error !== null) throw new Error(r.error);
  const list = parseDf(r.stdout);
  if (list.length === 0) throw new Error(r.stderr.trim() || `exit ${r.code}`);
  return list;
}

export async function collectFilesystems(probes: FilesystemProbes): Promise<Section<Filesystem[]>> {
  const warnings: string[] = [];
  const attempts: Array<[string, () => Promise<Filesystem[]>]> = [
    ['systeminformation', () => fromSystemInformation(probes)],
    ['node-disk-info', () => fromNodeDiskInfo(probes)],
    ['df', () => fromDf(probes)],
  ];
  let list: Filesystem[] = [];
  const sources: string[] = [];
  for (const [name, attempt] of attempts) {
    try {
      list = await attempt();
      if (list.length > 0) {
        sources.push(name);
        break;
      }
      warnings.push(`file systems: ${name} found none`);
    } catch (err) {
      warnings.push(`file systems: ${name}: ${errorText(err)}`);
    }
  }
  const mounts = probes.mounts();
  let usedMounts = false;
  for (const fs of list) {
    const mount = visibleMount(mounts, fs.mountpoint);
    if (!mount) continue;
    usedMounts = true;
    if (fs.fsType === 'unknown') fs.fsType = mount.fsType;
    fs.readOnly = mount.readOnly;
  }
  if (usedMounts) sources.push('mounts');
  return { value: list.filter((f) => !PSEUDO.has(f.fsType)), sources, warnings };
}
