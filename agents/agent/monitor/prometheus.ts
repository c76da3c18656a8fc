import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MonitorConfig } from '../../protocol/agent-config';
import type { MetricsSample } from '../../protocol/payloads/metrics';
import { createBearerCheck } from '../control/bearer-auth';
import type { Logger } from '../logging/logger';
import type { RawReading } from './system-source';

/**
 * Prometheus text exposition (format 0.0.4) of the latest sample, for a customer's existing
 * Prometheus. Off by default; when on it listens on loopback unless configured otherwise, and the
 * config schema refuses a non-loopback address without `requireToken` (the control token as a
 * bearer token: Prometheus' `authorization` scrape setting). Counters are exposed as the kernel's
 * cumulative totals (`_total`, so rate() works across scrapes at any interval); gauges come from
 * the sample. Names follow Prometheus conventions: base units, unit in the name.
 */
export interface PrometheusEndpoint {
  address: string;
  close(): Promise<void>;
}

export interface ExpositionInput {
  sample: MetricsSample | null;
  reading: RawReading | null;
  ticksPerSecond: number;
}

type Labels = Record<string, string>;

class Exposition {
  private out: string[] = [];

  family(name: string, type: 'gauge' | 'counter', help: string, points: [Labels, number | null | undefined][]): void {
    const present = points.filter((p): p is [Labels, number] => typeof p[1] === 'number' && Number.isFinite(p[1]));
    if (present.length === 0) return;
    this.out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const [labels, value] of present) this.out.push(`${name}${formatLabels(labels)} ${formatValue(value)}`);
  }

  text(): string {
    return `${this.out.join('\n')}\n`;
  }
}

function formatLabels(labels: Labels): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  // Label values escape backslash, double quote and newline (exposition format 0.0.4).
  return `{${entries.map(([k, v]) => `${k}="${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`).join(',')}}`;
}

function formatValue(v: number): string {
  return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(15)));
}

export function renderExposition({ sample, reading, ticksPerSecond }: ExpositionInput): string {
  const x = new Exposition();
  const none: Labels = {};
  if (sample) {
    x.family('appliance_monitor_last_sample_timestamp_seconds', 'gauge', 'Time of the latest sample (Unix seconds).', [[none, Date.parse(sample.time) / 1000]]);
    x.family('appliance_cpu_busy_percent', 'gauge', 'CPU busy (not idle or iowait) over the last interval, all CPUs.', [[none, sample.cpu.busyPercent]]);
    x.family('appliance_cpu_core_busy_percent', 'gauge', 'CPU busy per logical CPU over the last interval.', sample.cpu.coresBusyPercent.map((v, i) => [{ cpu: String(i) }, v]));
    x.family('appliance_load1', 'gauge', '1-minute load average.', [[none, sample.load.load1]]);
    x.family('appliance_load5', 'gauge', '5-minute load average.', [[none, sample.load.load5]]);
    x.family('appliance_load15', 'gauge', '15-minute load average.', [[none, sample.load.load15]]);
    const m = sample.memory;
    x.family('appliance_memory_total_bytes', 'gauge', 'Physical memory.', [[none, m.totalBytes]]);
    x.family('appliance_memory_available_bytes', 'gauge', 'Memory available without swapping (MemAvailable).', [[none, m.availableBytes]]);
    x.family('appliance_memory_used_bytes', 'gauge', 'Memory total minus available.', [[none, m.usedBytes]]);
    x.family('appliance_memory_cached_bytes', 'gauge', 'Page cache.', [[none, m.cachedBytes]]);
    x.family('appliance_memory_buffers_bytes', 'gauge', 'Block device buffers.', [[none, m.buffersBytes]]);
    x.family('appliance_swap_total_bytes', 'gauge', 'Swap space.', [[none, m.swapTotalBytes]]);
    x.family('appliance_swap_used_bytes', 'gauge', 'Swap space in use.', [[none, m.swapUsedBytes]]);
    x.family('appliance_disk_size_bytes', 'gauge', 'Size of the whole disk.', sample.disks.map((d) => [{ device: d.name }, d.sizeBytes]));
    x.family('appliance_disk_util_percent', 'gauge', 'Share of the last interval the disk had I/O in flight.', sample.disks.map((d) => [{ device: d.name }, d.utilPercent]));
    x.family('appliance_disk_io_now', 'gauge', 'I/Os in flight.', sample.disks.map((d) => [{ device: d.name }, d.inFlight]));
    const fsLabels = (f: MetricsSample['filesystems'][number]) => ({ mountpoint: f.mountpoint, device: f.device, fstype: f.fsType });
    x.family('appliance_filesystem_size_bytes', 'gauge', 'File system size.', sample.filesystems.map((f) => [fsLabels(f), f.sizeBytes]));
    x.family('appliance_filesystem_used_bytes', 'gauge', 'File system space in use.', sample.filesystems.map((f) => [fsLabels(f), f.usedBytes]));
    x.family('appliance_filesystem_avail_bytes', 'gauge', 'File system space available to non-root users.', sample.filesystems.map((f) => [fsLabels(f), f.availableBytes]));
    x.family('appliance_filesystem_files', 'gauge', 'File system inodes.', sample.filesystems.map((f) => [fsLabels(f), f.inodesTotal]));
    x.family('appliance_filesystem_files_used', 'gauge', 'File system inodes in use.', sample.filesystems.map((f) => [fsLabels(f), f.inodesUsed]));
    x.family('appliance_filesystem_readonly', 'gauge', '1 when the file system is read-only (ext4 remounts read-only after I/O errors).', sample.filesystems.map((f) => [fsLabels(f), f.readOnly ? 1 : 0]));
    x.family('appliance_temperature_celsius', 'gauge', 'Temperature sensor reading (hwmon, thermal zones).', sample.temperatures.map((t) => [{ sensor: t.sensor }, t.celsius]));
    x.family('appliance_service_up', 'gauge', '1 when the supervised service is running.', sample.services.map((s) => [{ service: s.name }, s.state === 'running' ? 1 : 0]));
    x.family('appliance_service_cpu_percent', 'gauge', 'CPU of the service process group over the last interval (100 = one CPU).', sample.services.map((s) => [{ service: s.name }, s.cpuPercent]));
    x.family('appliance_service_resident_memory_bytes', 'gauge', 'Resident memory of the service process group.', sample.services.map((s) => [{ service: s.name }, s.rssBytes]));
    x.family('appliance_service_restarts_total', 'counter', 'Restarts of the service since the agent started.', sample.services.map((s) => [{ service: s.name }, s.restarts]));
    // Service modules' own figures: appliance_service_<id>_<metric>, one family per name.
    const families = new Map<string, { kind: 'gauge' | 'counter'; points: [Labels, number][] }>();
    for (const m of sample.serviceMetrics ?? []) {
      const name = `appliance_service_${m.service.replace(/-/g, '_')}_${m.metric}`;
      const family = families.get(name) ?? { kind: m.kind, points: [] };
      family.points.push([none, m.value]);
      families.set(name, family);
    }
    for (const [name, f] of families) x.family(name, f.kind, `${name.slice('appliance_service_'.length)} as the service module reports it.`, f.points);
    x.family('appliance_agent_cpu_percent', 'gauge', "The agent's own CPU over the last interval (100 = one CPU).", [[none, sample.agent.cpuPercent]]);
    x.family('appliance_agent_resident_memory_bytes', 'gauge', "The agent's resident memory.", [[none, sample.agent.rssBytes]]);
  }
  if (reading) {
    const t = reading.stat.total;
    const hz = ticksPerSecond;
    const modes: [string, number][] = [['user', t.user], ['nice', t.nice], ['system', t.system], ['idle', t.idle], ['iowait', t.iowait], ['irq', t.irq], ['softirq', t.softirq], ['steal', t.steal]];
    x.family('appliance_cpu_seconds_total', 'counter', 'CPU time spent in each mode, all CPUs.', modes.map(([mode, ticks]) => [{ mode }, ticks / hz]));
    const net = [...reading.net];
    const nic = (help: string, name: string, pick: (c: (typeof net)[number][1]) => number) => x.family(name, 'counter', help, net.map(([device, c]) => [{ device }, pick(c)]));
    nic('Bytes received.', 'appliance_network_receive_bytes_total', (c) => c.rxBytes);
    nic('Bytes sent.', 'appliance_network_transmit_bytes_total', (c) => c.txBytes);
    nic('Packets received.', 'appliance_network_receive_packets_total', (c) => c.rxPackets);
    nic('Packets sent.', 'appliance_network_transmit_packets_total', (c) => c.txPackets);
    nic('Receive errors.', 'appliance_network_receive_errs_total', (c) => c.rxErrors);
    nic('Transmit errors.', 'appliance_network_transmit_errs_total', (c) => c.txErrors);
    nic('Received packets dropped.', 'appliance_network_receive_drop_total', (c) => c.rxDrops);
    nic('Packets to send dropped.', 'appliance_network_transmit_drop_total', (c) => c.txDrops);
    const disks = [...reading.disks];
    const disk = (help: string, name: string, pick: (c: (typeof disks)[number][1]) => number) => x.family(name, 'counter', help, disks.map(([device, c]) => [{ device }, pick(c)]));
    disk('Reads completed.', 'appliance_disk_reads_completed_total', (c) => c.reads);
    disk('Writes completed.', 'appliance_disk_writes_completed_total', (c) => c.writes);
    disk('Bytes read.', 'appliance_disk_read_bytes_total', (c) => c.readSectors * 512);
    disk('Bytes written.', 'appliance_disk_written_bytes_total', (c) => c.writeSectors * 512);
    disk('Seconds spent reading.', 'appliance_disk_read_time_seconds_total', (c) => c.readMs / 1000);
    disk('Seconds spent writing.', 'appliance_disk_write_time_seconds_total', (c) => c.writeMs / 1000);
    disk('Seconds with I/O in flight.', 'appliance_disk_io_time_seconds_total', (c) => c.ioMs / 1000);
  }
  return x.text();
}

export function startPrometheusEndpoint(deps: {
  config: MonitorConfig['prometheus'];
  token: string;
  monitor: { history: { latest(): MetricsSample | null }; sampler: { lastReading(): RawReading | null } };
  ticksPerSecond?: number;
  log: Logger;
}): Promise<PrometheusEndpoint> {
  const check = createBearerCheck(deps.token);
  const server = http.createServer((req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    const url = (req.url ?? '').split('?')[0];
    if (deps.config.requireToken && !check(req.headers.authorization)) {
      deps.log.info('monitor.prometheus-unauthorized', { remote: req.socket.remoteAddress ?? null });
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', 'WWW-Authenticate': 'Bearer' }).end('unauthorized\n');
      return;
    }
    if (url !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('only GET /metrics here\n');
      return;
    }
    const body = renderExposition({ sample: deps.monitor.history.latest(), reading: deps.monitor.sampler.lastReading(), ticksPerSecond: deps.ticksPerSecond ?? 100 });
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : body);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.maxConnections = 16;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, deps.config.host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      const address = a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
      deps.log.info('monitor.prometheus-listening', { address, requireToken: deps.config.requireToken });
      resolve({
        address,
        close: () =>
          new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
