import { decimalBytes } from '../../core/decimal-bytes';
import { evidence, type DiagnoseCheck, type RawFinding } from '../check';

/**
 * File systems (space, inodes, read-only), data disks missing from their mount points, and kernel
 * I/O errors for the machine's mounted devices.
 */

/** File systems on disks (what `df` shows that can fill up); tmpfs and friends live in memory. */
const MEMORY_FS = ['tmpfs', 'devtmpfs', 'squashfs', 'ramfs', 'proc', 'sysfs', 'cgroup', 'cgroup2'];
const DISK_FS = new Set(['ext2', 'ext3', 'ext4', 'xfs', 'btrfs', 'f2fs', 'zfs', 'jfs', 'reiserfs', 'vfat', 'exfat', 'overlay']);

export const FS_WARNING_PERCENT = 85;
export const FS_CRITICAL_PERCENT = 95;

const DF = `df -PT -B1 ${MEMORY_FS.map((t) => `-x ${t}`).join(' ')}`;
const DF_INODES = `df -Pi ${MEMORY_FS.map((t) => `-x ${t}`).join(' ')}`;

export interface MountEntry {
  device: string;
  target: string;
  fstype: string;
  options: string[];
}

/** /proc/self/mounts, octal escapes (`\\040` for a space) decoded. */
export function parseMounts(text: string): MountEntry[] {
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return text
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f.length >= 4)
    .map(([device, target, fstype, options]) => ({ device: unescape(device!), target: unescape(target!), fstype: fstype!, options: options!.split(',') }));
}

/** `df -P` rows: the last column is the mount point (it may hold spaces), the others are fields. */
function dfRows(text: string, columns: number): { fields: string[]; mount: string }[] {
  return text
    .split('\n')
    .slice(1)
    .map((l) => l.trim())
    .filter(Boolean)
    .map((l) => {
      const parts = l.split(/\s+/);
      return { fields: parts.slice(0, columns - 1), mount: parts.slice(columns - 1).join(' ') };
    })
    .filter((r) => r.fields.length === columns - 1);
}

const severityOf = (percent: number) => (percent >= FS_CRITICAL_PERCENT ? 'critical' : percent >= FS_WARNING_PERCENT ? 'warning' : null);

export const filesystemsCheck: DiagnoseCheck = {
  id: 'disks.filesystems',
  title: 'File systems: space, inodes, read-only',
  async run(ctx) {
    const out: RawFinding[] = [];
    const space = await ctx.sh(`${DF} 2>/dev/null`);
    for (const row of dfRows(space.stdout, 7)) {
      const [device, , size, used, avail] = row.fields;
      const total = Number(used) + Number(avail);
      if (!(total > 0)) continue;
      const percent = Math.ceil((Number(used) / total) * 100);
      const severity = severityOf(percent);
      if (severity) out.push({ code: 'disk.fs-full', severity, subject: row.mount, params: { mount: row.mount, device: device!, usedPercent: percent, avail: decimalBytes(Number(avail)), size: decimalBytes(Number(size)) }, evidence: evidence(DF, space.stdout, (l) => l.startsWith('Filesystem') || l.endsWith(` ${row.mount}`)) });
    }
    const inodes = await ctx.sh(`${DF_INODES} 2>/dev/null`);
    for (const row of dfRows(inodes.stdout, 6)) {
      const [, total, used] = row.fields;
      if (!(Number(total) > 0)) continue; // btrfs and others report no inode limit
      const percent = Math.ceil((Number(used) / Number(total)) * 100);
      const severity = severityOf(percent);
      if (severity) out.push({ code: 'disk.inodes-full', severity, subject: row.mount, params: { mount: row.mount, usedPercent: percent }, evidence: evidence(DF_INODES, inodes.stdout, (l) => l.startsWith('Filesystem') || l.endsWith(` ${row.mount}`)) });
    }
    const mounts = await ctx.sh('cat /proc/self/mounts');
    for (const m of parseMounts(mounts.stdout)) {
      if (!DISK_FS.has(m.fstype) || !m.options.includes('ro')) continue;
      out.push({ code: 'disk.fs-readonly', severity: 'critical', subject: m.target, params: { mount: m.target, device: m.device }, evidence: evidence('cat /proc/self/mounts', mounts.stdout, (l) => l.split(/\s+/)[1] === m.target.replace(/ /g, '\\040')) });
    }
    return out;
  },
};

export const dataDiskMountsCheck: DiagnoseCheck = {
  id: 'disks.data-mounts',
  title: 'Data disks mounted where the agent reported them',
  async run(ctx) {
    if (ctx.facts.dataDiskMounts.length === 0) return [];
    const mounts = await ctx.sh('cat /proc/self/mounts');
    const targets = new Set(parseMounts(mounts.stdout).map((m) => m.target));
    return ctx.facts.dataDiskMounts
      .filter((mount) => !targets.has(mount))
      .map((mount) => ({ code: 'disk.mount-missing', severity: 'critical' as const, subject: mount, params: { mount }, evidence: evidence(`grep ' ${mount} ' /proc/self/mounts`, `(no line: nothing is mounted at ${mount})`) }));
  },
};

/** Kernel log lines that say a block device failed I/O. */
const IO_ERROR = /I\/O error|Buffer I\/O error|EXT4-fs error|XFS \([^)]*\): .*(error|metadata I\/O)|critical medium error|Medium Error|blk_update_request/i;
/** A file system (re)mounted on the device: errors before it belong to an earlier life of the device. */
const MOUNTED = /EXT4-fs \([^)]*\): mounted filesystem|XFS \([^)]*\): Mounting V\d|BTRFS info \(device [^)]*\): (disk space caching|enabling)/i;

/** The whole disk a partition is on (`sdb1` → `sdb`, `nvme0n1p2` → `nvme0n1`): block-layer errors name the disk. */
export function diskOf(device: string): string {
  return /^((?:sd|vd|xvd|hd)[a-z]+)\d+$/.exec(device)?.[1] ?? /^((?:nvme\d+n\d+|mmcblk\d+|loop\d+|nbd\d+))p\d+$/.exec(device)?.[1] ?? device;
}

/**
 * Errors per mounted device since its file system was last mounted, from `dmesg` text: lines that
 * name the device or the disk it is a partition of.
 */
export function ioErrorsByDevice(dmesg: string, devices: string[]): Map<string, string[]> {
  const found = new Map<string, string[]>();
  const word = (name: string) => new RegExp(`\\b${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`);
  const matchers = devices.map((dev) => ({ dev, names: [...new Set([dev, diskOf(dev)])].map(word) }));
  for (const line of dmesg.split('\n')) {
    for (const { dev, names } of matchers) {
      if (!names.some((n) => n.test(line))) continue;
      if (MOUNTED.test(line)) found.delete(dev);
      else if (IO_ERROR.test(line)) found.set(dev, [...(found.get(dev) ?? []), line.trim()]);
    }
  }
  return found;
}

export const kernelIoErrorsCheck: DiagnoseCheck = {
  id: 'kernel.io-errors',
  title: 'Kernel log: I/O errors on the mounted disks',
  async run(ctx) {
    const mounts = await ctx.sh('cat /proc/self/mounts');
    // The devices this machine has mounted: a kernel log can be shared (containers, the testbed),
    // and a disk that is not mounted is the SMART check's.
    const devices = [...new Set(parseMounts(mounts.stdout).filter((m) => m.device.startsWith('/dev/')).map((m) => m.device.slice('/dev/'.length).replace(/^mapper\//, '')))];
    if (devices.length === 0) return [];
    const log = await ctx.sh('dmesg 2>&1', { privileged: true });
    if (log.code !== 0) throw new Error(`dmesg failed: ${(log.stdout + log.stderr).trim().slice(0, 200)}`);
    return [...ioErrorsByDevice(log.stdout, devices)].map(([device, lines]) => ({
      code: 'kernel.io-errors',
      severity: 'critical' as const,
      subject: device,
      params: { device, count: lines.length, last: lines.at(-1)!.slice(0, 200) },
      evidence: evidence(`dmesg | grep -w ${device}`, lines.join('\n')),
    }));
  },
};

export const DISK_CHECKS = [filesystemsCheck, dataDiskMountsCheck, kernelIoErrorsCheck];
