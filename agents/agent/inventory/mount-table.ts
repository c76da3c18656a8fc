import fs from 'node:fs';

/**
 * /proc/self/mountinfo: what is mounted where, with the file system type and the device number.
 * It is the agent's own view (its mount namespace) and needs neither udev nor systemd, so it is the
 * fallback for the file system type of mounted devices when lsblk cannot ask udev.
 */
export interface MountEntry {
  /** "major:minor" of the mounted device. */
  devNumber: string;
  mountpoint: string;
  fsType: string;
  source: string;
  readOnly: boolean;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescape(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfo(text: string): MountEntry[] {
  const out: MountEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const [devNumber, mountpoint, options] = [left[2], left[4], left[5]];
    const [fsType, source, superOptions] = [right[0], right[1], right[2]];
    if (!devNumber || !mountpoint || !fsType || source === undefined) continue;
    // Read-only either per mount or for the whole file system: ext4 that hit an I/O error remounts
    // its superblock read-only while the mount itself still says rw.
    const readOnly = (options ?? '').split(',').includes('ro') || (superOptions ?? '').split(',').includes('ro');
    out.push({ devNumber, mountpoint: unescape(mountpoint), fsType, source: unescape(source), readOnly });
  }
  return out;
}

/** The mount visible at a mount point: the last of those stacked on it. */
export function visibleMount(mounts: readonly MountEntry[], mountpoint: string): MountEntry | undefined {
  return mounts.filter((m) => m.mountpoint === mountpoint).at(-1);
}

export function readMountTable(file = '/proc/self/mountinfo'): MountEntry[] {
  try {
    return parseMountInfo(fs.readFileSync(file, 'utf8'));
  } catch {
    return [];
  }
}

/** "major:minor" of a block device by kernel name, from sysfs. */
export function blockDevNumber(name: string, sysRoot = '/sys'): string | null {
  try {
    return fs.readFileSync(`${sysRoot}/class/block/${name}/dev`, 'utf8').trim();
  } catch {
    return null;
  }
}

/**
 * The stable names udev gives a device (`/dev/disk/by-id/ata-…`, `wwn-…`, `nvme-eui.…`): what a
 * field engineer matches against the label on the drive tray. Empty without udev.
 */
export function deviceIdLinks(devRoot = '/dev'): Map<string, string[]> {
  const byName = new Map<string, string[]>();
  const dir = `${devRoot}/disk/by-id`;
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return byName;
  }
  for (const entry of entries.sort()) {
    try {
      const target = fs.readlinkSync(`${dir}/${entry}`);
      const name = target.split('/').pop()!;
      byName.set(name, [...(byName.get(name) ?? []), `${dir}/${entry}`]);
    } catch {
      // not a link: ignore
    }
  }
  return byName;
}

/**
 * Where a disk is attached: the SCSI address `host:channel:target:lun` for SATA/SAS disks (the
 * controller port, i.e. the slot), the PCI address for NVMe. Null for virtual devices (loop, dm).
 */
export function deviceSlot(name: string, sysRoot = '/sys'): string | null {
  try {
    const nvme = fs.readFileSync(`${sysRoot}/block/${name}/device/address`, 'utf8').trim();
    if (nvme) return nvme;
  } catch {
    // not NVMe
  }
  try {
    const last = fs.realpathSync(`${sysRoot}/block/${name}/device`).split('/').pop() ?? '';
    return /^\d+:\d+:\d+:\d+$/.test(last) ? last : null;
  } catch {
    return null;
  }
}
