import type { MetricsSample } from '../../protocol/payloads/metrics';
import type { ServiceStatus } from '../../protocol/payloads/services';
import { cpuTicks, type CpuTimes } from './proc-parsers';
import type { RawReading } from './system-source';

export type SampleBody = Omit<MetricsSample, 'seq'>;

/**
 * Turns two raw readings into one sample: rates from counter deltas over the monotonic time
 * between them. Pure, so every formula is tested against captured /proc text. A counter that went
 * backwards (a device re-created, a NIC re-registered, a service restarted) gives null for that
 * rate, never a negative or a huge number.
 */
export function buildSample(prev: RawReading | null, cur: RawReading, services: readonly ServiceStatus[], ticksPerSecond: number): SampleBody {
  const dtMs = prev ? cur.mono - prev.mono : null;
  const dt = dtMs !== null && dtMs > 0 ? dtMs / 1000 : null;
  const perSec = (a: number | undefined, b: number | undefined): number | null => {
    if (dt === null || a === undefined || b === undefined || b < a) return null;
    return round((b - a) / dt);
  };

  const mem = cur.meminfo;
  const kb = (k: string) => mem.get(k) ?? 0;
  const total = kb('MemTotal');
  // MemAvailable exists since Linux 3.14; before it, free + buffers + cached is the usual estimate.
  const available = mem.get('MemAvailable') ?? kb('MemFree') + kb('Buffers') + kb('Cached');

  return {
    time: new Date(cur.wall).toISOString(),
    intervalMs: dtMs === null ? null : Math.round(dtMs),
    cpu: cpuSample(prev?.stat ?? null, cur.stat),
    load: cur.load,
    memory: {
      totalBytes: total,
      availableBytes: available,
      usedBytes: Math.max(0, total - available),
      buffersBytes: kb('Buffers'),
      cachedBytes: kb('Cached'),
      swapTotalBytes: kb('SwapTotal'),
      swapUsedBytes: Math.max(0, kb('SwapTotal') - kb('SwapFree')),
    },
    net: [...cur.net].map(([name, c]) => {
      const p = prev?.net.get(name);
      return {
        name,
        rxBytesPerSec: perSec(p?.rxBytes, c.rxBytes),
        txBytesPerSec: perSec(p?.txBytes, c.txBytes),
        rxPacketsPerSec: perSec(p?.rxPackets, c.rxPackets),
        txPacketsPerSec: perSec(p?.txPackets, c.txPackets),
        rxErrorsPerSec: perSec(p?.rxErrors, c.rxErrors),
        txErrorsPerSec: perSec(p?.txErrors, c.txErrors),
        rxDropsPerSec: perSec(p?.rxDrops, c.rxDrops),
        txDropsPerSec: perSec(p?.txDrops, c.txDrops),
      };
    }),
    disks: [...cur.disks].map(([name, c]) => {
      const p = prev?.disks.get(name);
      const reads = p ? c.reads - p.reads : null;
      const writes = p ? c.writes - p.writes : null;
      return {
        name,
        sizeBytes: c.sizeBytes,
        readOpsPerSec: perSec(p?.reads, c.reads),
        writeOpsPerSec: perSec(p?.writes, c.writes),
        readBytesPerSec: scale(perSec(p?.readSectors, c.readSectors), 512),
        writeBytesPerSec: scale(perSec(p?.writeSectors, c.writeSectors), 512),
        utilPercent: p && dtMs && c.ioMs >= p.ioMs ? clampPercent(round(((c.ioMs - p.ioMs) / dtMs) * 100)) : null,
        // Await needs completed I/Os in the interval: with none there is no latency to report.
        readAwaitMs: p && reads && reads > 0 && c.readMs >= p.readMs ? round((c.readMs - p.readMs) / reads) : null,
        writeAwaitMs: p && writes && writes > 0 && c.writeMs >= p.writeMs ? round((c.writeMs - p.writeMs) / writes) : null,
        inFlight: Math.max(0, c.inFlight),
      };
    }),
    filesystems: cur.filesystems.map((f) => {
      const usable = f.usedBytes + f.availableBytes;
      const inodesUsed = Math.max(0, f.inodesTotal - f.inodesFree);
      return {
        mountpoint: f.mountpoint,
        device: f.device,
        fsType: f.fsType,
        sizeBytes: f.sizeBytes,
        usedBytes: f.usedBytes,
        availableBytes: f.availableBytes,
        // df's Use%: used over what non-root users could have (root's reserve left out), rounded up.
        usePercent: usable > 0 ? clampPercent(Math.ceil((f.usedBytes / usable) * 10_000) / 100) : 0,
        inodesTotal: f.inodesTotal,
        inodesUsed,
        inodesUsePercent: f.inodesTotal > 0 ? clampPercent(round((inodesUsed / f.inodesTotal) * 100)) : null,
        readOnly: f.readOnly,
      };
    }),
    temperatures: cur.temperatures.map((t) => ({ sensor: t.sensor, celsius: round(t.celsius) })),
    services: services.map((s) => {
      const g = s.pid !== null ? cur.groups.get(s.pid) : undefined;
      const pg = s.pid !== null ? prev?.groups.get(s.pid) : undefined;
      const ticks = perSec(pg?.cpuTicks, g?.cpuTicks);
      return {
        name: s.name,
        state: s.state,
        pid: s.pid,
        cpuPercent: ticks === null ? null : round((ticks / ticksPerSecond) * 100),
        rssBytes: g && g.processes > 0 ? g.rssBytes : null,
        processes: g?.processes ?? 0,
        restarts: s.restarts,
        crashes: s.crashes,
      };
    }),
    agent: {
      cpuPercent: prev && dt ? round(Math.max(0, cur.agent.cpuMicros - prev.agent.cpuMicros) / 1e6 / dt * 100) : null,
      rssBytes: cur.agent.rssBytes,
    },
  };
}

function cpuSample(prev: { total: CpuTimes; cores: (CpuTimes | undefined)[] } | null, cur: { total: CpuTimes; cores: (CpuTimes | undefined)[] }): SampleBody['cpu'] {
  const share = (p: CpuTimes | undefined, c: CpuTimes | undefined, pick: (t: CpuTimes) => number): number | null => {
    if (!p || !c) return null;
    const all = cpuTicks(c).all - cpuTicks(p).all;
    const part = pick(c) - pick(p);
    return all > 0 && part >= 0 ? clampPercent(round((part / all) * 100)) : null;
  };
  const busy = (t: CpuTimes) => cpuTicks(t).all - cpuTicks(t).idle;
  return {
    busyPercent: share(prev?.total, cur.total, busy),
    userPercent: share(prev?.total, cur.total, (t) => t.user + t.nice),
    systemPercent: share(prev?.total, cur.total, (t) => t.system + t.irq + t.softirq),
    iowaitPercent: share(prev?.total, cur.total, (t) => t.iowait),
    stealPercent: share(prev?.total, cur.total, (t) => t.steal),
    coresBusyPercent: Array.from(cur.cores, (c, i) => share(prev?.cores[i], c, busy)),
  };
}

/** Two decimals: enough for rates and percentages, and keeps each JSON line short. */
function round(n: number): number {
  return Math.round(n * 100) / 100;
}

function scale(n: number | null, by: number): number | null {
  return n === null ? null : round(n * by);
}

function clampPercent(n: number): number {
  return Math.min(100, Math.max(0, n));
}
