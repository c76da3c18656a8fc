import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import type { IncomingSample } from '../telemetry/telemetry-types';

/**
 * One agent sample (`metrics.v1`) as telemetry series: one number per metric and label set, the
 * unit in the metric's name (Prometheus style: `_bytes`, `_percent`, `_per_s`, `_ms`, `_celsius`).
 * A null (nothing to compute a rate from, a counter the kernel does not keep) is left out: a gap
 * in a chart, never a fake zero. These names are what charts and alert rules read.
 */
export function flattenSample(applianceId: string, s: MetricsSample): IncomingSample[] {
  const t = Date.parse(s.time);
  const out: IncomingSample[] = [];
  const put = (metric: string, v: number | null | undefined, labels?: Record<string, string>) => {
    if (v === null || v === undefined || !Number.isFinite(v)) return;
    out.push({ series: labels ? { applianceId, metric, labels } : { applianceId, metric }, t, v });
  };

  put('cpu.busy_percent', s.cpu.busyPercent);
  put('cpu.user_percent', s.cpu.userPercent);
  put('cpu.system_percent', s.cpu.systemPercent);
  put('cpu.iowait_percent', s.cpu.iowaitPercent);
  put('cpu.steal_percent', s.cpu.stealPercent);
  s.cpu.coresBusyPercent.forEach((v, core) => put('cpu.core_busy_percent', v, { core: String(core) }));
  put('load.1m', s.load.load1);
  put('load.5m', s.load.load5);
  put('load.15m', s.load.load15);

  const m = s.memory;
  put('memory.total_bytes', m.totalBytes);
  put('memory.used_bytes', m.usedBytes);
  put('memory.available_bytes', m.availableBytes);
  put('memory.cached_bytes', m.cachedBytes);
  put('memory.used_percent', m.totalBytes > 0 ? (m.usedBytes / m.totalBytes) * 100 : null);
  put('swap.total_bytes', m.swapTotalBytes);
  put('swap.used_bytes', m.swapUsedBytes);

  for (const n of s.net) {
    const l = { nic: n.name };
    put('net.rx_bytes_per_s', n.rxBytesPerSec, l);
    put('net.tx_bytes_per_s', n.txBytesPerSec, l);
    put('net.rx_packets_per_s', n.rxPacketsPerSec, l);
    put('net.tx_packets_per_s', n.txPacketsPerSec, l);
    put('net.rx_errors_per_s', n.rxErrorsPerSec, l);
    put('net.tx_errors_per_s', n.txErrorsPerSec, l);
    put('net.rx_drops_per_s', n.rxDropsPerSec, l);
    put('net.tx_drops_per_s', n.txDropsPerSec, l);
  }
  for (const d of s.disks) {
    const l = { disk: d.name };
    put('disk.read_ops_per_s', d.readOpsPerSec, l);
    put('disk.write_ops_per_s', d.writeOpsPerSec, l);
    put('disk.read_bytes_per_s', d.readBytesPerSec, l);
    put('disk.write_bytes_per_s', d.writeBytesPerSec, l);
    put('disk.util_percent', d.utilPercent, l);
    put('disk.read_await_ms', d.readAwaitMs, l);
    put('disk.write_await_ms', d.writeAwaitMs, l);
  }
  for (const f of s.filesystems) {
    const l = { mount: f.mountpoint };
    put('fs.size_bytes', f.sizeBytes, l);
    put('fs.used_bytes', f.usedBytes, l);
    put('fs.available_bytes', f.availableBytes, l);
    put('fs.used_percent', f.usePercent, l);
    put('fs.inodes_used_percent', f.inodesUsePercent, l);
  }
  for (const x of s.temperatures) put('temp.celsius', x.celsius, { sensor: x.sensor });
  for (const svc of s.services) {
    const l = { service: svc.name };
    put('service.cpu_percent', svc.cpuPercent, l);
    put('service.rss_bytes', svc.rssBytes, l);
    put('service.restarts', svc.restarts, l);
  }
  put('agent.cpu_percent', s.agent.cpuPercent);
  put('agent.rss_bytes', s.agent.rssBytes);
  return out;
}

/**
 * The latest values the alert rules read (main/alerts/observation.ts), keyed as
 * `metric{label=value}`. Missing means unknown, which the rules treat as "no change", not as zero.
 */
export function alertMetrics(s: MetricsSample | null, clockSkewMs: number | null): Record<string, number> {
  const out: Record<string, number> = {};
  if (clockSkewMs !== null) out['clock.skew_seconds'] = clockSkewMs / 1000;
  if (!s) return out;
  if (s.cpu.busyPercent !== null) out['cpu.util_percent'] = s.cpu.busyPercent;
  if (s.memory.totalBytes > 0) out['memory.used_percent'] = (s.memory.usedBytes / s.memory.totalBytes) * 100;
  for (const f of s.filesystems) {
    out[`fs.used_percent{mount=${f.mountpoint}}`] = f.usePercent;
    if (f.inodesUsePercent !== null) out[`fs.inodes_used_percent{mount=${f.mountpoint}}`] = f.inodesUsePercent;
  }
  for (const x of s.temperatures) out[`temp.celsius{sensor=${x.sensor}}`] = x.celsius;
  return out;
}
