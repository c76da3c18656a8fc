/**
 * Pure parsers of the kernel's text files the sampler reads every interval. No I/O here, so each
 * is tested against text captured from a real machine (tests/fixtures/proc/). Formats: proc(5),
 * Documentation/admin-guide/iostats.rst, Documentation/filesystems/proc.rst.
 */

/** One line of /proc/stat (`cpu` or `cpuN`), in USER_HZ ticks. */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  steal: number;
}

export interface ProcStat {
  total: CpuTimes;
  /** By CPU number; a CPU taken offline is missing from the file, so the array may have holes. */
  cores: (CpuTimes | undefined)[];
}

export function parseProcStat(text: string): ProcStat {
  let total: CpuTimes | undefined;
  const cores: (CpuTimes | undefined)[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('cpu')) continue;
    const parts = line.trim().split(/\s+/);
    const label = parts[0]!;
    // guest and guest_nice are already counted in user and nice: leave them out (no double count).
    const [user, nice, system, idle, iowait, irq, softirq, steal] = parts.slice(1, 9).map((v) => Number(v) || 0);
    const times: CpuTimes = { user: user ?? 0, nice: nice ?? 0, system: system ?? 0, idle: idle ?? 0, iowait: iowait ?? 0, irq: irq ?? 0, softirq: softirq ?? 0, steal: steal ?? 0 };
    if (label === 'cpu') total = times;
    else {
      const id = Number(label.slice(3));
      if (Number.isInteger(id) && id >= 0 && id < 4096) cores[id] = times;
    }
  }
  if (!total) throw new Error('/proc/stat has no "cpu" line');
  return { total, cores };
}

export function cpuTicks(t: CpuTimes): { all: number; idle: number } {
  const idle = t.idle + t.iowait;
  return { all: idle + t.user + t.nice + t.system + t.irq + t.softirq + t.steal, idle };
}

export interface LoadAvg {
  load1: number;
  load5: number;
  load15: number;
}

export function parseLoadAvg(text: string): LoadAvg {
  const [a, b, c] = text.trim().split(/\s+/).map(Number);
  if (![a, b, c].every((n) => typeof n === 'number' && Number.isFinite(n))) throw new Error(`/proc/loadavg is not "l1 l5 l15 …": ${text.slice(0, 64)}`);
  return { load1: a!, load5: b!, load15: c! };
}

/** /proc/meminfo as bytes by field name (`MemTotal`, `MemAvailable`, …); values there are kB. */
export function parseMeminfo(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_()]+):\s+(\d+)(?:\s+kB)?$/.exec(line.trim());
    if (m) out.set(m[1]!, Number(m[2]) * (line.trim().endsWith('kB') ? 1024 : 1));
  }
  return out;
}

export interface NetCounters {
  rxBytes: number;
  rxPackets: number;
  rxErrors: number;
  rxDrops: number;
  txBytes: number;
  txPackets: number;
  txErrors: number;
  txDrops: number;
}

/** /proc/net/dev: two header lines, then `name: 16 counters` (8 receive, 8 transmit). */
export function parseNetDev(text: string): Map<string, NetCounters> {
  const out = new Map<string, NetCounters>();
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const v = line.slice(colon + 1).trim().split(/\s+/).map(Number);
    if (!name || v.length < 16 || v.some((n) => !Number.isFinite(n))) continue;
    out.set(name, { rxBytes: v[0]!, rxPackets: v[1]!, rxErrors: v[2]!, rxDrops: v[3]!, txBytes: v[8]!, txPackets: v[9]!, txErrors: v[10]!, txDrops: v[11]! });
  }
  return out;
}

/**
 * One device of /proc/diskstats. Sector counts there are always 512-byte units, whatever the
 * device's logical block size (iostats.rst), so throughput needs no /sys/block/<dev>/queue lookup.
 */
export interface DiskCounters {
  major: number;
  minor: number;
  reads: number;
  readSectors: number;
  readMs: number;
  writes: number;
  writeSectors: number;
  writeMs: number;
  inFlight: number;
  /** Milliseconds the device had I/O in flight (field 13): the basis of %util. */
  ioMs: number;
}

export function parseDiskstats(text: string): Map<string, DiskCounters> {
  const out = new Map<string, DiskCounters>();
  for (const line of text.split('\n')) {
    const p = line.trim().split(/\s+/);
    if (p.length < 14) continue;
    const n = (i: number) => Number(p[i]);
    const c: DiskCounters = { major: n(0), minor: n(1), reads: n(3), readSectors: n(5), readMs: n(6), writes: n(7), writeSectors: n(9), writeMs: n(10), inFlight: n(11), ioMs: n(12) };
    if (Object.values(c).some((v) => !Number.isFinite(v))) continue;
    out.set(p[2]!, c);
  }
  return out;
}

/** utime + stime (ticks) and rss (pages) of /proc/<pid>/stat, with its process group and state. */
export interface ProcessStat {
  pid: number;
  state: string;
  pgrp: number;
  cpuTicks: number;
  rssPages: number;
}

export function parseProcessStat(text: string): ProcessStat | null {
  // comm (field 2) is in parentheses and may contain spaces or ')': split after the last ')'.
  const close = text.lastIndexOf(')');
  if (close < 0) return null;
  const pid = Number(text.slice(0, text.indexOf(' ')));
  const f = text.slice(close + 2).trim().split(' ');
  // f[0] is field 3 (state): field N is f[N - 3].
  const utime = Number(f[11]);
  const stime = Number(f[12]);
  const rss = Number(f[21]);
  const pgrp = Number(f[2]);
  if (![pid, utime, stime, rss, pgrp].every(Number.isFinite)) return null;
  return { pid, state: f[0] ?? '?', pgrp, cpuTicks: utime + stime, rssPages: rss };
}

export interface MountInfoEntry {
  major: number;
  minor: number;
  /** The directory of the file system mounted here: "/" unless a bind mount of a subdirectory. */
  root: string;
  mountpoint: string;
  fsType: string;
  source: string;
  readOnly: boolean;
}

/** mountinfo escapes space, tab, newline and backslash as octal (\040). */
function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

export function parseMountInfoFull(text: string): MountInfoEntry[] {
  const out: MountInfoEntry[] = [];
  for (const line of text.split('\n')) {
    const sep = line.indexOf(' - ');
    if (sep < 0) continue;
    const left = line.slice(0, sep).split(' ');
    const right = line.slice(sep + 3).split(' ');
    const [dev, root, mountpoint, options] = [left[2], left[3], left[4], left[5]];
    const [fsType, source, superOptions] = [right[0], right[1], right[2]];
    if (!dev || !root || !mountpoint || !fsType || source === undefined) continue;
    const [major, minor] = dev.split(':').map(Number);
    if (!Number.isInteger(major) || !Number.isInteger(minor)) continue;
    const readOnly = (options ?? '').split(',').includes('ro') || (superOptions ?? '').split(',').includes('ro');
    out.push({ major: major!, minor: minor!, root: unescapeOctal(root), mountpoint: unescapeOctal(mountpoint), fsType, source: unescapeOctal(source), readOnly });
  }
  return out;
}

/**
 * The file systems worth watching: those on a block device (major ≠ 0: disks, partitions, LVM,
 * md, loop), each device once — at its first mount of the whole file system (root "/"), so bind
 * mounts and a device mounted twice do not count twice. Pseudo and memory file systems (proc,
 * sysfs, tmpfs, overlay, cgroup) have major 0 and fall out. Network file systems are left out on
 * purpose: statfs on a dead NFS server blocks, and the sampler must never hang on one.
 */
export function watchedFilesystems(mounts: readonly MountInfoEntry[]): MountInfoEntry[] {
  const seen = new Map<string, MountInfoEntry>();
  for (const m of mounts) {
    if (m.major === 0 || m.root !== '/') continue;
    const key = `${m.major}:${m.minor}`;
    // Mounts stacked on the same point: the last one is the visible one.
    const prev = seen.get(key);
    if (!prev) seen.set(key, m);
  }
  // A later mount on the same mount point hides an earlier one: keep only the visible mount there.
  const byPoint = new Map<string, MountInfoEntry>();
  for (const m of mounts) byPoint.set(m.mountpoint, m);
  return [...seen.values()].filter((m) => byPoint.get(m.mountpoint) === m);
}
