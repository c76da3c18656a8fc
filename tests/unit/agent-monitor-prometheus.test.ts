/**
 * The optional Prometheus endpoint: text exposition 0.0.4 built from a real sample (captured /proc
 * text), the config rules (off by default; a non-loopback address needs the token), and the HTTP
 * endpoint itself on loopback with and without the bearer token.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogRing } from '../../agents/agent/logging/log-ring';
import { createLogger } from '../../agents/agent/logging/logger';
import { parseDiskstats, parseLoadAvg, parseMeminfo, parseNetDev, parseProcStat } from '../../agents/agent/monitor/proc-parsers';
import { renderExposition, startPrometheusEndpoint, type PrometheusEndpoint } from '../../agents/agent/monitor/prometheus';
import { buildSample } from '../../agents/agent/monitor/sample-builder';
import type { RawReading } from '../../agents/agent/monitor/system-source';
import { AgentConfigSchema, MonitorConfigSchema } from '../../agents/protocol/agent-config';
import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import { freeTcpPort } from '../helpers/free-port';

const FIX = path.resolve(__dirname, '../fixtures/proc');
const read = (name: string) => fs.readFileSync(path.join(FIX, name), 'utf8');

function reading(t: 't0' | 't1', mono: number): RawReading {
  return {
    mono,
    wall: Date.UTC(2026, 0, 1) + mono,
    stat: parseProcStat(read(`stat.${t}.txt`)),
    load: parseLoadAvg(read('loadavg.t0.txt')),
    meminfo: parseMeminfo(read(`meminfo.${t}.txt`)),
    net: parseNetDev(read(`net-dev.${t}.txt`)),
    disks: new Map([...parseDiskstats(read(`diskstats.${t}.txt`))].filter(([n]) => n === 'vda').map(([n, c]) => [n, { ...c, sizeBytes: 1024 }])),
    filesystems: [{ mountpoint: '/srv/a "b"\\c', device: '/dev/vda', fsType: 'ext4', sizeBytes: 1000, usedBytes: 100, availableBytes: 900, inodesTotal: 10, inodesFree: 5, readOnly: true }],
    temperatures: [{ sensor: 'hwmon:coretemp/Package id 0', celsius: 41.5 }],
    groups: new Map(),
    agent: { cpuMicros: 0, rssBytes: 1 },
  };
}

const cur = reading('t1', 2000);
const sample: MetricsSample = { seq: 7, ...buildSample(reading('t0', 0), cur, [], 100) };

describe('Prometheus exposition', () => {
  const text = renderExposition({ sample, reading: cur, ticksPerSecond: 100 });
  const lines = text.split('\n');

  it('gives every family one HELP and one TYPE line before its samples, names in base units', () => {
    const families = lines.filter((l) => l.startsWith('# TYPE ')).map((l) => l.split(' ')[2]!);
    expect(new Set(families).size).toBe(families.length);
    for (const name of families) {
      const typeAt = lines.indexOf(lines.find((l) => l.startsWith(`# TYPE ${name} `))!);
      expect(lines[typeAt - 1]).toMatch(new RegExp(`^# HELP ${name} \\S`));
      expect(lines[typeAt + 1]).toMatch(new RegExp(`^${name}[{ ]`));
      if (name.endsWith('_total')) expect(lines[typeAt]).toBe(`# TYPE ${name} counter`);
    }
    // Every sample line is `name{labels} value` with a finite value.
    for (const l of lines.filter((x) => x && !x.startsWith('#'))) expect(l).toMatch(/^[a-z_][a-z0-9_]*(\{.*\})? -?[0-9.e+-]+$/);
    expect(text.endsWith('\n')).toBe(true);
  });

  it('exposes kernel counters as totals and gauges from the sample', () => {
    // vda at t1: 75857944 sectors written × 512; cpu user 639656 ticks / 100 Hz.
    expect(lines).toContain('appliance_disk_written_bytes_total{device="vda"} 38839267328');
    expect(lines).toContain('appliance_cpu_seconds_total{mode="user"} 6396.56');
    expect(lines).toContain('appliance_network_receive_bytes_total{device="lo"} 964354413');
    expect(lines).toContain('appliance_cpu_busy_percent 1.45');
    expect(lines).toContain('appliance_temperature_celsius{sensor="hwmon:coretemp/Package id 0"} 41.5');
  });

  it('escapes backslash and double quote in label values', () => {
    expect(lines).toContain('appliance_filesystem_readonly{mountpoint="/srv/a \\"b\\"\\\\c",device="/dev/vda",fstype="ext4"} 1');
  });

  it('leaves out rates that could not be computed rather than printing null or NaN', () => {
    const first: MetricsSample = { seq: 1, ...buildSample(null, cur, [], 100) };
    const t = renderExposition({ sample: first, reading: cur, ticksPerSecond: 100 });
    expect(t).not.toMatch(/null|NaN|undefined/);
    expect(t).not.toContain('appliance_cpu_busy_percent');
    expect(renderExposition({ sample: null, reading: null, ticksPerSecond: 100 })).toBe('\n');
  });
});

describe('Prometheus config', () => {
  it('is off by default, on loopback port 9101', () => {
    expect(AgentConfigSchema.parse({ configVersion: 1 }).monitor).toMatchObject({ enabled: true, intervalMs: 10_000, prometheus: { enabled: false, host: '127.0.0.1', port: 9101, requireToken: false }, smart: { intervalMs: 1_800_000 } });
  });

  it('refuses a non-loopback address without requireToken, with the reason on the field', () => {
    const bad = MonitorConfigSchema.safeParse({ prometheus: { enabled: true, host: '0.0.0.0' } });
    expect(bad.success).toBe(false);
    expect(bad.error!.issues[0]).toMatchObject({ path: ['prometheus', 'requireToken'], message: expect.stringContaining('requireToken: true') as string });
    expect(MonitorConfigSchema.safeParse({ prometheus: { enabled: true, host: '0.0.0.0', requireToken: true } }).success).toBe(true);
    expect(MonitorConfigSchema.safeParse({ prometheus: { enabled: true, host: '::1' } }).success).toBe(true);
    expect(MonitorConfigSchema.safeParse({ intervalMs: 500 }).success).toBe(false);
  });
});

describe('Prometheus endpoint on loopback', () => {
  const ring = createLogRing({ capacity: 100, runId: 't' });
  const log = createLogger({ level: 'debug', clock: { now: () => Date.now(), setTimer: () => ({ id: 0 }), clearTimer: () => undefined }, ring, file: null, redact: (t) => t });
  const token = 'a-long-enough-token-for-the-test-0123456789';
  const monitor = { history: { latest: () => sample }, sampler: { lastReading: () => cur } };
  const endpoints: PrometheusEndpoint[] = [];
  afterAll(async () => {
    for (const e of endpoints) await e.close();
  });

  it('serves GET /metrics as text 0.0.4, 404 elsewhere', async () => {
    const port = await freeTcpPort();
    const ep = await startPrometheusEndpoint({ config: { enabled: true, host: '127.0.0.1', port, requireToken: false }, token, monitor, log });
    endpoints.push(ep);
    expect(ep.address).toBe(`127.0.0.1:${port}`);
    const res = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await res.text()).toContain('appliance_load1 0.35');
    expect((await fetch(`http://127.0.0.1:${port}/`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { method: 'POST' })).status).toBe(404);
  });

  it('with requireToken, answers 401 without the bearer token or with a wrong one', async () => {
    const port = await freeTcpPort();
    const ep = await startPrometheusEndpoint({ config: { enabled: true, host: '127.0.0.1', port, requireToken: true }, token, monitor, log });
    endpoints.push(ep);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(401);
    expect((await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}x` } })).status).toBe(401);
    const ok = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    expect(ring.query({ limit: 100 }).entries.map((e) => JSON.stringify(e)).join('\n')).not.toContain(token);
  });

  it('fails to start, with the reason, when the port is taken', async () => {
    const port = await freeTcpPort();
    endpoints.push(await startPrometheusEndpoint({ config: { enabled: true, host: '127.0.0.1', port, requireToken: false }, token, monitor, log }));
    await expect(startPrometheusEndpoint({ config: { enabled: true, host: '127.0.0.1', port, requireToken: false }, token, monitor, log })).rejects.toThrow(/EADDRINUSE/);
  });
});
