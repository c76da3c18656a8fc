/**
 * The monitor's /proc parsers and rate formulas against text captured from a real machine
 * (tests/fixtures/proc/: t0 and t1 taken about two seconds apart while `dd` wrote 64 MiB with
 * O_DIRECT to /dev/vda and 1 MiB went over loopback TCP). Expected values are worked out by hand
 * from the two captures, in the comments.
 */
import * as z from 'zod/mini';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  parseDiskstats,
  parseLoadAvg,
  parseMeminfo,
  parseMountInfoFull,
  parseNetDev,
  parseProcessStat,
  parseProcStat,
  watchedFilesystems,
} from '../../agents/agent/monitor/proc-parsers';
import { buildSample } from '../../agents/agent/monitor/sample-builder';
import type { RawReading } from '../../agents/agent/monitor/system-source';
import type { ServiceStatus } from '../../agents/protocol/payloads/services';
import { MetricsSampleSchema } from '../../agents/protocol/payloads/metrics';

const FIX = path.resolve(__dirname, '../fixtures/proc');
const read = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

function reading(t: 't0' | 't1', mono: number, extra: Partial<RawReading> = {}): RawReading {
  const disks = new Map([...parseDiskstats(read(`diskstats.${t}.txt`))].filter(([n]) => n === 'vda').map(([n, c]) => [n, { ...c, sizeBytes: 536870912 * 512 }]));
  return {
    mono,
    wall: Date.UTC(2026, 0, 1, 0, 0, mono / 1000),
    stat: parseProcStat(read(`stat.${t}.txt`)),
    load: parseLoadAvg(read('loadavg.t0.txt')),
    meminfo: parseMeminfo(read(`meminfo.${t}.txt`)),
    net: parseNetDev(read(`net-dev.${t}.txt`)),
    disks,
    filesystems: [],
    temperatures: [],
    groups: new Map(),
    agent: { cpuMicros: 0, rssBytes: 50_000_000 },
    ...extra,
  };
}

describe('/proc parsers', () => {
  it('reads /proc/stat: the total line and one line per CPU, guest time left out', () => {
    const s = parseProcStat(read('stat.t0.txt'));
    expect(s.total).toEqual({ user: 639654, nice: 8320, system: 88282, idle: 1065107, iowait: 4882, irq: 0, softirq: 1689, steal: 3069 });
    expect(s.cores).toHaveLength(2);
    expect(s.cores[1]?.user).toBe(342476);
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow(/no "cpu" line/);
  });

  it('reads load averages, meminfo in bytes, and refuses a malformed loadavg', () => {
    expect(parseLoadAvg(read('loadavg.t0.txt'))).toEqual({ load1: 0.35, load5: 0.63, load15: 1.03 });
    expect(() => parseLoadAvg('garbage')).toThrow(/loadavg/);
    const m = parseMeminfo(read('meminfo.t1.txt'));
    expect(m.get('MemTotal')).toBe(24684092 * 1024);
    expect(m.get('MemAvailable')).toBe(24270388 * 1024);
    expect(m.get('SwapTotal')).toBe(0);
  });

  it('reads /proc/net/dev after its two header lines', () => {
    const n = parseNetDev(read('net-dev.t1.txt'));
    // Captured while other testbeds ran: their bridges and veths are there too.
    expect([...n.keys()]).toEqual(['lo', 'ifb0', 'ifb1', 'eth0', 'fw-br', 'fw-a1', 'fw-a2', 'upg-br', 'upg-a1', 'upg-a2']);
    expect(n.get('lo')).toMatchObject({ rxBytes: 964354413, rxPackets: 126191, txBytes: 964354413, txPackets: 126191, rxErrors: 0, txDrops: 0 });
  });

  it('reads /proc/diskstats (fields of iostats.rst) for every device line', () => {
    const d = parseDiskstats(read('diskstats.t1.txt'));
    expect(d.get('vda')).toEqual({ major: 254, minor: 0, reads: 459645, readSectors: 13337042, readMs: 371854, writes: 292013, writeSectors: 75857944, writeMs: 492924, inFlight: 0, ioMs: 86212 });
    expect(d.has('loop0')).toBe(true);
    expect(d.has('zram0')).toBe(true);
  });

  it('reads utime+stime, rss and the process group from /proc/<pid>/stat, comm with spaces included', () => {
    expect(parseProcessStat(read('pid-stat.txt'))).toEqual({ pid: 22194, state: 'R', pgrp: 22139, cpuTicks: 0, rssPages: 410 });
    const tricky = '123 (a) b) c) S 1 123 123 0 -1 0 0 0 0 0 70 30 0 0 20 0 1 0 5 100 77 0';
    expect(parseProcessStat(tricky)).toMatchObject({ pid: 123, state: 'S', pgrp: 123, cpuTicks: 100, rssPages: 77 });
    expect(parseProcessStat('nonsense')).toBeNull();
  });

  it('watches each block-device file system once: no pseudo fs, no bind mount of a subdirectory', () => {
    const mounts = parseMountInfoFull(read('self-mountinfo.t0.txt'));
    expect(mounts.find((m) => m.mountpoint === '/run/netns')).toMatchObject({ major: 254, root: '/run/netns' });
    const watched = watchedFilesystems(mounts);
    expect(watched.map((m) => [m.mountpoint, m.source, m.fsType])).toEqual([['/', '/dev/vda', 'ext4']]);
  });

  it('decodes octal escapes in mount points and hides a mount covered by a later one', () => {
    const text = ['30 1 8:1 / /srv/my\\040disk rw - ext4 /dev/sdb1 rw', '31 1 8:2 / /data rw - xfs /dev/sdc1 rw', '32 31 8:3 / /data rw - ext4 /dev/sdd1 ro'].join('\n');
    const watched = watchedFilesystems(parseMountInfoFull(text));
    expect(watched.map((m) => [m.mountpoint, m.source, m.readOnly])).toEqual([
      ['/srv/my disk', '/dev/sdb1', false],
      ['/data', '/dev/sdd1', true],
    ]);
  });
});

describe('sample from two readings', () => {
  const noServices: ServiceStatus[] = [];

  it('computes CPU shares, disk and NIC rates, util and await from the deltas', () => {
    const s = buildSample(reading('t0', 1000), reading('t1', 3000), noServices, 100);
    expect(z.omit(MetricsSampleSchema, { seq: true }).safeParse(s).success).toBe(true);
    expect(s.intervalMs).toBe(2000);
    // Δ ticks: user 2, nice 0, system 3, idle 404, iowait 3, irq 0, softirq 0, steal 1 → 413; busy 6.
    expect(s.cpu).toMatchObject({ busyPercent: 1.45, userPercent: 0.48, systemPercent: 0.73, iowaitPercent: 0.73, stealPercent: 0.24 });
    // cpu0: Δ user 1 system 2 idle 203 → 3/206; cpu1: user 1 system 1 idle 201 iowait 3 → 2/206.
    expect(s.cpu.coresBusyPercent).toEqual([1.46, 0.97]);
    // vda: Δ writes 128, sectors 131072 (= 64 MiB, the dd), write ms 63, reads 7, sectors 160, read ms 1, io ms 36.
    expect(s.disks).toEqual([
      { name: 'vda', sizeBytes: 274877906944, readOpsPerSec: 3.5, writeOpsPerSec: 64, readBytesPerSec: 40960, writeBytesPerSec: 33554432, utilPercent: 1.8, readAwaitMs: 0.14, writeAwaitMs: 0.49, inFlight: 0 },
    ]);
    // lo: Δ 1,050,776 bytes (1 MiB + headers) and 42 packets each way over 2 s.
    expect(s.net.find((n) => n.name === 'lo')).toMatchObject({ rxBytesPerSec: 525388, txBytesPerSec: 525388, rxPacketsPerSec: 21, rxErrorsPerSec: 0 });
    expect(s.memory).toMatchObject({ totalBytes: 24684092 * 1024, availableBytes: 24270388 * 1024, usedBytes: (24684092 - 24270388) * 1024, swapUsedBytes: 0 });
  });

  it('gives null rates for the first reading, a new device, and a counter that went backwards', () => {
    const first = buildSample(null, reading('t0', 0), noServices, 100);
    expect(first.intervalMs).toBeNull();
    expect(first.cpu.busyPercent).toBeNull();
    expect(first.disks[0]).toMatchObject({ readOpsPerSec: null, utilPercent: null, readAwaitMs: null, sizeBytes: 274877906944 });
    // t1 → t0 is a counter reset (a re-created device): no negative or huge rates.
    const back = buildSample(reading('t1', 0), reading('t0', 2000), noServices, 100);
    expect(back.disks[0]).toMatchObject({ writeOpsPerSec: null, writeBytesPerSec: null, utilPercent: null, writeAwaitMs: null });
    expect(back.net.find((n) => n.name === 'lo')?.rxBytesPerSec).toBeNull();
  });

  it('reports df-style usage and inode use of file systems', () => {
    const fsUse = { mountpoint: '/srv/disks/d1', device: '/dev/loop3', fsType: 'ext4', sizeBytes: 1000, usedBytes: 333, availableBytes: 600, inodesTotal: 64, inodesFree: 48, readOnly: false };
    const s = buildSample(reading('t0', 0), reading('t1', 2000, { filesystems: [fsUse, { ...fsUse, mountpoint: '/x', inodesTotal: 0, inodesFree: 0, usedBytes: 0, availableBytes: 0 }] }), noServices, 100);
    // df: 333 / (333 + 600) = 35.69…% rounded up to 35.70; inodes 16 / 64.
    expect(s.filesystems[0]).toMatchObject({ usePercent: 35.7, inodesUsed: 16, inodesUsePercent: 25 });
    expect(s.filesystems[1]).toMatchObject({ usePercent: 0, inodesUsePercent: null });
  });

  it('sums a service process group: CPU over the interval as a share of one CPU, RSS, restarts', () => {
    const status: ServiceStatus[] = [
      { name: 'kodo', user: null, state: 'running', pid: 4242, startedAt: null, restarts: 2, crashes: 3, consecutiveFailures: 0, flapping: false, lastExit: null, nextRestartAt: null, backoffMs: null, lastError: null },
      { name: 'cdn', user: null, state: 'backoff', pid: null, startedAt: null, restarts: 0, crashes: 1, consecutiveFailures: 1, flapping: false, lastExit: null, nextRestartAt: null, backoffMs: 1000, lastError: null },
    ];
    const a = reading('t0', 0, { groups: new Map([[4242, { cpuTicks: 1000, rssBytes: 1, processes: 1 }]]), agent: { cpuMicros: 0, rssBytes: 1 } });
    const b = reading('t1', 2000, { groups: new Map([[4242, { cpuTicks: 1150, rssBytes: 30_000_000, processes: 3 }]]), agent: { cpuMicros: 20_000, rssBytes: 2 } });
    const s = buildSample(a, b, status, 100);
    // 150 ticks at 100 Hz in 2 s = 0.75 CPU.
    expect(s.services).toEqual([
      { name: 'kodo', state: 'running', pid: 4242, cpuPercent: 75, rssBytes: 30_000_000, processes: 3, restarts: 2, crashes: 3 },
      { name: 'cdn', state: 'backoff', pid: null, cpuPercent: null, rssBytes: null, processes: 0, restarts: 0, crashes: 1 },
    ]);
    // 20 ms of CPU in 2 s = 1 %.
    expect(s.agent).toEqual({ cpuPercent: 1, rssBytes: 2 });
  });
});
