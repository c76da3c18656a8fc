import { describe, expect, it } from 'vitest';
import { preflightProblems, type PreflightLimits } from '../../main/provision/preflight-report';
import { dataDisksOf, renderConfig } from '../../main/provision/steps/config';
import { parsePreflight } from '../../main/provision/steps/preflight-facts';

const MiB = 1024 * 1024;
const NOW_MS = Date.parse('2026-03-01T12:00:00Z');
const limits: PreflightLimits = {
  minMemoryBytes: 256 * MiB,
  recommendedMemoryBytes: 2048 * MiB,
  recommendedCpus: 2,
  minFree: { '/opt': 300 * MiB, '/var/lib': 64 * MiB },
  maxClockSkewSeconds: 300,
  warnClockSkewSeconds: 30,
  minKernelMajor: 4,
  minGlibc: '2.28',
  ports: [],
  needsDataDisks: false,
};

function output(over: Record<string, string> = {}, extra: string[] = []): string {
  const base: Record<string, string> = {
    now: String(NOW_MS / 1000 + 2),
    uname: 'Linux|6.1.0-18-amd64|x86_64',
    os_id: 'debian',
    os_version: '12',
    os_name: 'Debian GNU/Linux 12 (bookworm)',
    cpus: '4',
    mem_kb: String(4 * 1024 * 1024),
    'free /opt': String(10 * 1024 * 1024),
    'free /var/lib': String(10 * 1024 * 1024),
    init: 'systemd',
    cron_dir: '1',
    glibc: 'glibc 2.36',
    ...over,
  };
  return [...Object.entries(base).map(([k, v]) => `${k}=${v}`), ...extra, 'end=1'].join('\n');
}

describe('preflight facts', () => {
  it('parses a Debian x86_64 machine and finds nothing wrong', () => {
    const f = parsePreflight(output(), NOW_MS);
    expect(f).toMatchObject({ osId: 'debian', osVersion: '12', kernel: '6.1.0-18-amd64', target: 'linux-x64', cpus: 4, init: 'systemd', clockSkewSeconds: 2, missingTools: [], cronDir: true, glibcVersion: '2.36' });
    expect(f.memoryBytes).toBe(4 * 1024 * MiB);
    expect(f.freeBytes['/opt']).toBe(10 * 1024 * MiB);
    expect(preflightProblems(f, limits)).toEqual([]);
  });

  it('notes whether zstd is there, which decides how the runtime travels', () => {
    expect(parsePreflight(output(), NOW_MS).zstd).toBe(false);
    expect(parsePreflight(output({ zstd: '1' }), NOW_MS).zstd).toBe(true);
  });

  it('maps aarch64 to linux-arm64 and refuses other architectures with a remedy', () => {
    expect(parsePreflight(output({ uname: 'Linux|6.1.0|aarch64' }), NOW_MS).target).toBe('linux-arm64');
    const riscv = parsePreflight(output({ uname: 'Linux|6.1.0|riscv64' }), NOW_MS);
    expect(riscv.target).toBeNull();
    expect(preflightProblems(riscv, limits)[0]).toMatch(/unsupported platform .* riscv64.*x86_64 or aarch64/);
  });

  it('names a remedy for each problem: memory, space, clock, tools', () => {
    const f = parsePreflight(output({ mem_kb: String(128 * 1024), 'free /opt': String(100 * 1024), now: String(NOW_MS / 1000 - 3600) }, ['missing=flock', 'missing=sha256sum']), NOW_MS);
    const problems = preflightProblems(f, limits);
    expect(problems).toEqual([
      expect.stringMatching(/only 128 MiB of memory \(need 256 MiB\)/),
      expect.stringMatching(/only 100 MiB free on \/opt \(need 300 MiB\): free space there/),
      expect.stringMatching(/behind the console by 3600 s .*NTP/),
      'flock is missing: install util-linux (apt-get install util-linux); sha256sum is missing: install coreutils (apt-get install coreutils)',
    ]);
  });

  it('refuses an old glibc, which the bundled Node.js cannot run on', () => {
    const f = parsePreflight(output({ glibc: 'glibc 2.17' }), NOW_MS);
    expect(f.glibcVersion).toBe('2.17');
    expect(preflightProblems(f, limits)).toEqual([expect.stringMatching(/glibc 2\.17 is too old .*need 2\.28/)]);
  });

  it('refuses output of a script that did not finish', () => {
    expect(() => parsePreflight('now=1\nuname=Linux|6.1|x86_64\n', NOW_MS)).toThrow(/did not finish/);
  });
});

describe('agent.json from preflight', () => {
  const disks = [
    'blk=vda|41943040|0|0|',
    'part=vda|vda1|',
    'blk=sdb|7814037168|0|0|',
    'blk=sda|7814037168|0|0|',
    'blk=sdc|7814037168|0|0|',
    'blk=sdd|62914560|1|0|',
    'blk=sr0|2097152|1|1|',
    'mnt=/dev/vda1|/',
    'mnt=/dev/sdb|/srv/disks/d2',
    'mnt=/dev/sda|/srv/disks/d1',
    'mnt=/dev/sdd|/media/usb',
  ];

  it('names the mounted, writable, fixed, non-system disks as data disks, in name order, and the role’s service ports', () => {
    const facts = parsePreflight(output({}, disks), NOW_MS);
    expect(dataDisksOf(facts)).toEqual([
      { device: 'sda', mountpoint: '/srv/disks/d1', sizeBytes: 7814037168 * 512 },
      { device: 'sdb', mountpoint: '/srv/disks/d2', sizeBytes: 7814037168 * 512 },
    ]);
    const [config] = renderConfig({ input: { role: 'server', token: 't'.repeat(40) }, facts });
    const written = JSON.parse(config!.content) as Record<string, unknown>;
    expect(written).toMatchObject({ configVersion: 1, role: 'server', ports: { 'kodo-s3': 9000, 'kodo-qiniu': 9010, 'cdn-http': 80, 'cdn-https': 443, 'live-rtmp': 1935, 'live-http': 8080 } });
    expect(Object.keys(written.ports as object)).not.toContain('agent-loopback');
    expect(written.dataDisks).toHaveLength(2);
    // A smart box runs no media service: no ports.
    expect(JSON.parse(renderConfig({ input: { role: 'smartbox', token: 't'.repeat(40) }, facts })[0]!.content)).toMatchObject({ role: 'smartbox', ports: {} });
  });

  it('lets the caller’s agentConfig win, and refuses to write without preflight’s facts', () => {
    const facts = parsePreflight(output({}, disks), NOW_MS);
    const [config] = renderConfig({ input: { role: 'server', token: 't'.repeat(40), agentConfig: { dataDisks: [] } }, facts });
    expect(JSON.parse(config!.content)).toMatchObject({ dataDisks: [] });
    expect(() => renderConfig({ input: { role: 'server', token: 't'.repeat(40) }, facts: null })).toThrow(/preflight did not run/);
  });
});
