import fs from 'node:fs';
import path from 'node:path';
import { naturalCompare } from '../natural-compare';
import {
  parseDiskstats,
  parseLoadAvg,
  parseMeminfo,
  parseMountInfoFull,
  parseNetDev,
  parseProcessStat,
  parseProcStat,
  watchedFilesystems,
  type DiskCounters,
  type LoadAvg,
  type NetCounters,
  type ProcStat,
} from './proc-parsers';

/**
 * The sampler's only side effect: reading /proc and /sys and calling statfs. Every call here is a
 * read of a small kernel file (no process spawned, no library), which is why the 10-second hot path
 * does not use systeminformation or node-disk-info: they shell out to `df`, `lsblk` or `cat` per
 * call, costing tens of milliseconds of CPU and a fork each time. Those stay in the inventory
 * (agents/agent/inventory/), which runs on demand and wants their richer descriptions.
 * The roots are parameters so tests can point them at captured trees.
 */
export interface RawReading {
  /** Monotonic milliseconds (performance.now): rates must not jump when the wall clock is set. */
  mono: number;
  /** Wall clock, for the sample's timestamp. */
  wall: number;
  stat: ProcStat;
  load: LoadAvg;
  meminfo: Map<string, number>;
  net: Map<string, NetCounters>;
  /** Whole disks only (the names in /sys/block), with their size. */
  disks: Map<string, DiskCounters & { sizeBytes: number }>;
  filesystems: FilesystemUsage[];
  temperatures: { sensor: string; celsius: number }[];
  /** CPU ticks, RSS and process count of each process group asked for. */
  groups: Map<number, { cpuTicks: number; rssBytes: number; processes: number }>;
  agent: { cpuMicros: number; rssBytes: number };
}

export interface FilesystemUsage {
  mountpoint: string;
  device: string;
  fsType: string;
  sizeBytes: number;
  usedBytes: number;
  availableBytes: number;
  inodesTotal: number;
  inodesFree: number;
  readOnly: boolean;
}

export interface SystemSource {
  read(groups: readonly number[]): RawReading;
  /** Clock ticks per second of /proc/<pid>/stat CPU times (USER_HZ: 100 on every Linux ABI). */
  readonly ticksPerSecond: number;
}

/** Disks that are not storage: RAM disks and floppies; detached loop devices have size 0 and drop out too. */
const IGNORED_DISK = /^(ram|fd)\d+$/;
/** Temperature sensors are rediscovered this often (hot-plugged drives bring hwmon devices). */
const SENSOR_RESCAN_MS = 10 * 60_000;

export function createSystemSource(opts: { procRoot?: string; sysRoot?: string; pageSize?: number } = {}): SystemSource {
  const proc = opts.procRoot ?? '/proc';
  const sys = opts.sysRoot ?? '/sys';
  // Linux on x86-64 and arm64 (as built by Debian/Ubuntu) uses 4 KiB pages; arm64 kernels with
  // 16/64 KiB pages exist, so read it from the kernel when we can.
  const pageSize = opts.pageSize ?? pageSizeFromSmaps(proc) ?? 4096;
  let sensors: Sensor[] = [];
  let sensorsAt = -Infinity;

  function read(groups: readonly number[]): RawReading {
    const mono = performance.now();
    if (mono - sensorsAt > SENSOR_RESCAN_MS) {
      sensors = discoverSensors(sys);
      sensorsAt = mono;
    }
    const cpu = process.cpuUsage();
    return {
      mono,
      wall: Date.now(),
      stat: parseProcStat(readText(`${proc}/stat`)),
      load: parseLoadAvg(readText(`${proc}/loadavg`)),
      meminfo: parseMeminfo(readText(`${proc}/meminfo`)),
      net: parseNetDev(readText(`${proc}/net/dev`)),
      disks: readDisks(proc, sys),
      filesystems: readFilesystems(proc),
      temperatures: readSensors(sensors),
      groups: readGroups(proc, groups, pageSize),
      agent: { cpuMicros: cpu.user + cpu.system, rssBytes: process.memoryUsage.rss() },
    };
  }

  return { read, ticksPerSecond: 100 };
}

function readText(file: string): string {
  return fs.readFileSync(file, 'utf8');
}

function readOptional(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function pageSizeFromSmaps(proc: string): number | null {
  const text = readOptional(`${proc}/self/smaps`);
  const m = text ? /KernelPageSize:\s+(\d+) kB/.exec(text) : null;
  return m ? Number(m[1]) * 1024 : null;
}

function readDisks(proc: string, sys: string): RawReading['disks'] {
  const stats = parseDiskstats(readText(`${proc}/diskstats`));
  const out: RawReading['disks'] = new Map();
  let names: string[];
  try {
    names = fs.readdirSync(`${sys}/block`);
  } catch {
    names = [];
  }
  for (const name of names) {
    if (IGNORED_DISK.test(name)) continue;
    const counters = stats.get(name);
    if (!counters) continue;
    // /sys/block/<dev>/size is in 512-byte sectors whatever the logical block size (genhd.c).
    const sectors = Number(readOptional(`${sys}/block/${name}/size`)?.trim());
    if (!Number.isFinite(sectors) || sectors <= 0) continue;
    out.set(name, { ...counters, sizeBytes: sectors * 512 });
  }
  return out;
}

function readFilesystems(proc: string): FilesystemUsage[] {
  const out: FilesystemUsage[] = [];
  for (const m of watchedFilesystems(parseMountInfoFull(readText(`${proc}/self/mountinfo`)))) {
    let st: fs.StatsFs;
    try {
      st = fs.statfsSync(m.mountpoint);
    } catch {
      continue; // unmounted between the two reads, or not ours to look at
    }
    const bsize = st.bsize;
    const size = st.blocks * bsize;
    const free = st.bfree * bsize;
    out.push({
      mountpoint: m.mountpoint,
      device: m.source,
      fsType: m.fsType,
      sizeBytes: size,
      usedBytes: Math.max(0, size - free),
      availableBytes: st.bavail * bsize,
      inodesTotal: st.files,
      inodesFree: st.ffree,
      readOnly: m.readOnly,
    });
  }
  return out;
}

interface Sensor {
  name: string;
  file: string;
  /** Divisor to degrees Celsius (sysfs gives millidegrees). */
  scale: number;
}

/**
 * hwmon (temp*_input with an optional temp*_label, chip name in `name`) and thermal zones (`temp`
 * with the zone's `type`): Documentation/hwmon/sysfs-interface.rst, thermal/sysfs-api.rst.
 * Discovered once in a while, read every sample.
 */
export function discoverSensors(sys: string): Sensor[] {
  const out: Sensor[] = [];
  for (const hw of listDir(`${sys}/class/hwmon`)) {
    const dir = `${sys}/class/hwmon/${hw}`;
    const chip = readOptional(`${dir}/name`)?.trim() || hw;
    for (const file of listDir(dir)) {
      const m = /^temp(\d+)_input$/.exec(file);
      if (!m) continue;
      const label = readOptional(`${dir}/temp${m[1]}_label`)?.trim() || `temp${m[1]}`;
      out.push({ name: `hwmon:${chip}/${label}`, file: path.join(dir, file), scale: 1000 });
    }
  }
  for (const zone of listDir(`${sys}/class/thermal`)) {
    if (!zone.startsWith('thermal_zone')) continue;
    const dir = `${sys}/class/thermal/${zone}`;
    const type = readOptional(`${dir}/type`)?.trim() || zone;
    out.push({ name: `thermal:${type}`, file: `${dir}/temp`, scale: 1000 });
  }
  // Names must be unique (two chips of one kind): number the repeats.
  const seen = new Map<string, number>();
  for (const s of out) {
    const n = (seen.get(s.name) ?? 0) + 1;
    seen.set(s.name, n);
    if (n > 1) s.name = `${s.name}#${n}`;
  }
  return out;
}

export function readSensors(sensors: readonly Sensor[]): { sensor: string; celsius: number }[] {
  const out: { sensor: string; celsius: number }[] = [];
  for (const s of sensors) {
    const raw = Number(readOptional(s.file)?.trim());
    // A sensor that errors (ENODATA, EIO on a sleeping drive) or reports nonsense is skipped this time.
    if (!Number.isFinite(raw)) continue;
    const celsius = raw / s.scale;
    if (celsius > -273 && celsius < 1000) out.push({ sensor: s.name, celsius });
  }
  return out;
}

/** Sorted naturally (hwmon2 before hwmon10), so sensor names and their #N suffixes are stable. */
function listDir(dir: string): string[] {
  try {
    return fs.readdirSync(dir).sort(naturalCompare);
  } catch {
    return [];
  }
}

/**
 * Sums CPU ticks and RSS over every live process of the given process groups (a service and
 * whatever it forked: each service is its own group). One pass over /proc, and only when there
 * are services: with none, nothing is scanned.
 */
function readGroups(proc: string, groups: readonly number[], pageSize: number): RawReading['groups'] {
  const out: RawReading['groups'] = new Map();
  if (groups.length === 0) return out;
  const wanted = new Set(groups);
  for (const g of groups) out.set(g, { cpuTicks: 0, rssBytes: 0, processes: 0 });
  let entries: string[];
  try {
    entries = fs.readdirSync(proc); // unsorted: order does not matter here, and this runs every sample
  } catch {
    return out;
  }
  for (const entry of entries) {
    if (entry.charCodeAt(0) < 48 || entry.charCodeAt(0) > 57) continue; // not a pid
    const text = readOptional(`${proc}/${entry}/stat`);
    const st = text ? parseProcessStat(text) : null;
    if (!st || !wanted.has(st.pgrp) || st.state === 'Z' || st.state === 'X') continue;
    const acc = out.get(st.pgrp)!;
    acc.cpuTicks += st.cpuTicks;
    acc.rssBytes += st.rssPages * pageSize;
    acc.processes += 1;
  }
  return out;
}
