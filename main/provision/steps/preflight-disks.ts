/**
 * Whole disks as preflight sees them, from /sys/block and the mount table rather than lsblk: sysfs
 * and /proc exist on every Linux the agent supports (busybox smart boxes have no lsblk), need no
 * udev (containers and many boxes run without it) and no root. Pure: the script's lines in, facts out.
 */
export interface DiskFact {
  /** Kernel name: sda, nvme0n1, vdb, loop3. */
  name: string;
  sizeBytes: number;
  type: 'disk' | 'loop';
  removable: boolean;
  readOnly: boolean;
  /** Where it or one of its partitions is mounted ("[SWAP]" for swap). */
  mounts: string[];
  /** Devices built on it or its partitions (device-mapper, md RAID): in use even when not mounted. */
  holders: string[];
  partitions: string[];
  /** Holds /, /boot, /usr, /var or swap. */
  system: boolean;
}

/** Mount points that make a disk the system disk (not one to hand to the storage services). */
const SYSTEM_MOUNTS = new Set(['/', '/boot', '/boot/efi', '/usr', '/var', '[SWAP]']);

/**
 * One `blk=name|sectors|removable|ro|holders` line per /sys/block entry, one
 * `part=disk|partition|holders` per partition, and `mnt=device|path` for mounts and swap.
 * /sys/block sizes are always in 512-byte sectors, whatever the device's block size.
 */
export const DISKS_SCRIPT = [
  `for d in /sys/block/*; do`,
  `  [ -r "$d/size" ] || continue; n=\${d##*/}`,
  `  echo "blk=$n|$(cat "$d/size")|$(cat "$d/removable" 2>/dev/null)|$(cat "$d/ro" 2>/dev/null)|$(ls "$d/holders" 2>/dev/null | tr '\\n' ' ')"`,
  `  for p in "$d"/"$n"*; do [ -e "$p/partition" ] && echo "part=$n|\${p##*/}|$(ls "$p/holders" 2>/dev/null | tr '\\n' ' ')"; done`,
  `done`,
  `awk '$1 ~ /^\\/dev\\// {print "mnt=" $1 "|" $2}' /proc/mounts 2>/dev/null`,
  `awk 'NR>1 && $1 ~ /^\\/dev\\// {print "mnt=" $1 "|[SWAP]"}' /proc/swaps 2>/dev/null`,
].join('\n');

/** /proc/mounts writes space, tab, newline and backslash in paths as octal escapes. */
function unescapeMount(path: string): string {
  return path.replace(/\\([0-7]{3})/g, (_m, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

const words = (s: string | undefined): string[] => (s ?? '').split(/\s+/).filter((w) => w !== '');

export interface DiskLines {
  blk: string[];
  part: string[];
  mnt: string[];
}

export function parseDisks(lines: DiskLines): DiskFact[] {
  const disks = new Map<string, DiskFact>();
  for (const line of lines.blk) {
    const [name = '', sectors, removable, ro, holders] = line.split('|');
    const sizeBytes = Number(sectors) * 512;
    // RAM disks and zram are memory; a detached loop device has size 0.
    if (!name || /^(ram|zram)\d/.test(name) || !(sizeBytes > 0)) continue;
    // Device-mapper and md devices are built from disks, not disks themselves; sr0 is an optical drive.
    if (/^(dm-|md|sr)\d/.test(name)) continue;
    disks.set(name, {
      name,
      sizeBytes,
      type: name.startsWith('loop') ? 'loop' : 'disk',
      removable: removable === '1',
      readOnly: ro === '1',
      mounts: [],
      holders: words(holders),
      partitions: [],
      system: false,
    });
  }
  const owner = new Map<string, string>([...disks.keys()].map((n) => [n, n]));
  for (const line of lines.part) {
    const [disk = '', part = '', holders] = line.split('|');
    const d = disks.get(disk);
    if (!d || !part) continue;
    d.partitions.push(part);
    d.holders.push(...words(holders));
    owner.set(part, disk);
  }
  for (const line of lines.mnt) {
    const bar = line.indexOf('|');
    if (bar < 0) continue;
    const device = line.slice(0, bar).replace(/^\/dev\//, '');
    const d = disks.get(owner.get(device) ?? '');
    if (!d) continue;
    const mount = unescapeMount(line.slice(bar + 1));
    if (!d.mounts.includes(mount)) d.mounts.push(mount);
  }
  const out: DiskFact[] = [];
  for (const d of disks.values()) {
    d.system = d.mounts.some((m) => SYSTEM_MOUNTS.has(m));
    // A loop device matters only when this machine mounts it (the testbed's data disks are loop
    // devices); an unmounted one is some image file, not a disk to store data on.
    if (d.type === 'loop' && d.mounts.length === 0) continue;
    out.push(d);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name, 'en', { numeric: true }));
}

/** A disk the services may store data on: not the system's, writable, not removable (a USB stick is no place for data). */
export function isDataDiskCandidate(d: DiskFact): boolean {
  return !d.system && !d.readOnly && !d.removable;
}
