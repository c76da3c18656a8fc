/**
 * The agent's monitor on a testbed appliance (prefix <tag>mon, see testbed-prefix.ts), installed and reached as the console
 * does (SFTP + --daemon, SSH stream forwarding to the control socket), sampling every second:
 * each loop data disk appears with its size, `disk-full` raises that file system's usage in the
 * next samples, paging by cursor across an agent restart loses nothing, and smart.v1 returns what
 * the SMART double replays for each disk (the recorded JSON of a real drive).
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client, SFTPWrapper } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgentClient, sshSocketOpener, type AgentClient } from '../../agents/client/agent-client';
import type { MetricsSample } from '../../agents/protocol/payloads/metrics';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { connectSsh, execCommand } from '../../main/ssh/ssh-connect';
import { buildBundle, waitFor, type AgentBundle } from '../helpers/agent-harness';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('mon');
const DISK_SIZE = 256 * 1024 * 1024;
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`agent monitor testbed test skipped: ${skipReason} (it needs root and network namespaces)`);

describe.skipIf(skipReason !== undefined)('agent monitor on a testbed appliance', () => {
  const tb = createTestbed({ prefix: PREFIX });
  const work = makeTempDir('agent-mon-tb');
  let machine: MachineState;
  let ssh: Client;
  let bundle: AgentBundle;
  let client: AgentClient;
  const token = crypto.randomBytes(32).toString('base64url');

  async function run(command: string): Promise<string> {
    const r = await execCommand(ssh, command, { timeoutMs: 30_000 });
    if (r.code !== 0) throw new Error(`"${command}" exited ${r.code}: ${r.stderr}${r.stdout}`);
    return r.stdout;
  }

  function sftp(): Promise<SFTPWrapper> {
    return new Promise((resolve, reject) => ssh.sftp((err, s) => (err ? reject(err) : resolve(s))));
  }

  const startAgent = () => run('/opt/appliance-agent/current/appliance-agent --daemon --config /etc/appliance-agent/agent.json');
  const stopAgent = () => run('kill -TERM "$(cat /run/appliance-agent/watchdog.pid)"; for i in $(seq 100); do [ -e /run/appliance-agent/agent.pid ] || exit 0; sleep 0.1; done; exit 1');

  /** Every sample after `after` until the agent has nothing more. */
  async function drain(after: string | undefined): Promise<{ samples: MetricsSample[]; next: string | null; gap: boolean }> {
    const samples: MetricsSample[] = [];
    let gap = false;
    let cursor = after;
    for (let page = 0; page < 100; page++) {
      const r = await client.call('metrics.v1', { ...(cursor ? { after: cursor } : {}), limit: 50 });
      samples.push(...r.samples);
      gap ||= r.gap;
      cursor = r.next ?? cursor;
      if (!r.more) break;
    }
    return { samples, next: cursor ?? null, gap };
  }

  beforeAll(async () => {
    await tb.down();
    bundle = buildBundle(work.dir);
    const status = await tb.up({ appliances: 1, disks: 2, diskSize: '256M', smartProfile: 'mixed' });
    machine = status.machines[0]!;
    const outcome = await connectSsh({
      target: { address: machine.address, port: machine.sshPort, user: 'root' },
      credential: { kind: 'private-key', privateKey: fs.readFileSync(machine.rootKeyPath, 'utf8') },
      trustedKeys: [{ keyType: machine.hostKey.publicKey.split(' ')[0]!, fingerprint: machine.hostKey.fingerprint }],
    });
    if (!outcome.ok) throw new Error(`SSH to ${machine.address} failed: ${outcome.failure.message}`);
    ssh = outcome.client;

    const config = { configVersion: 1, supervisor: { stopTimeoutMs: 2000 }, monitor: { intervalMs: 1000, smart: { intervalMs: 60_000 } } };
    const remoteTarball = `/tmp/${bundle.manifest.file}`;
    const files = await sftp();
    try {
      await new Promise<void>((resolve, reject) => files.fastPut(bundle.tarball, remoteTarball, (err) => (err ? reject(err) : resolve())));
      const write = (file: string, text: string, mode: number) => new Promise<void>((resolve, reject) => files.writeFile(file, text, { mode }, (err) => (err ? reject(err) : resolve())));
      await write('/etc/appliance-agent/agent.json', JSON.stringify(config), 0o644);
      await write('/etc/appliance-agent/token', `${token}\n`, 0o600);
    } finally {
      files.end();
    }
    const dir = `/opt/appliance-agent/${bundle.manifest.version}`;
    await run(`mkdir -p ${dir} && tar -xzf ${remoteTarball} -C ${dir} && ln -sfn ${dir} /opt/appliance-agent/current && chmod 600 /etc/appliance-agent/token`);
    await startAgent();
    client = createAgentClient({ open: sshSocketOpener(ssh, '/run/appliance-agent/control.sock'), token, timeoutMs: 30_000 });
  }, 120_000);

  afterAll(async () => {
    if (ssh) await stopAgent().catch(() => undefined);
    ssh?.end();
    await tb.down();
    work.cleanup();
  });

  it('advertises the monitor and samples every loop data disk with its size and its file system', async () => {
    const hello = await client.hello('agent-monitor-testbed.test');
    expect(hello.capabilities.methods).toEqual(expect.arrayContaining(['metrics.v1', 'smart.v1', 'smart-selftest.v1']));
    expect(hello.capabilities.features).toContain('monitor');
    const samples = await waitFor('two samples', async () => {
      const r = await client.call('metrics.v1', {});
      return r.samples.length >= 2 ? r.samples : undefined;
    }, 15_000, 250);
    const last = samples.at(-1)!;
    expect(last.intervalMs).toBeGreaterThanOrEqual(900);
    expect(last.cpu.busyPercent).not.toBeNull();
    expect(last.memory.totalBytes).toBeGreaterThan(0);
    expect(last.net.map((n) => n.name)).toContain('eth0');
    for (const disk of machine.disks) {
      const name = path.basename(disk.device!);
      expect(last.disks.find((d) => d.name === name), `${name} in ${JSON.stringify(last.disks.map((d) => d.name))}`).toMatchObject({ sizeBytes: DISK_SIZE });
      const fsEntry = last.filesystems.find((f) => f.mountpoint === disk.mount);
      expect(fsEntry, `${disk.mount} in ${JSON.stringify(last.filesystems.map((f) => f.mountpoint))}`).toMatchObject({ device: disk.device, fsType: 'ext4', readOnly: false });
      expect(fsEntry!.sizeBytes).toBeGreaterThan(DISK_SIZE * 0.8);
      expect(fsEntry!.usePercent).toBeLessThan(50);
    }
    // The sampler's own cost is in every sample.
    expect(last.agent.rssBytes).toBeGreaterThan(10 * 1024 * 1024);
  });

  it('shows a disk filled by the disk-full fault at 100 % in the next samples, the other disk unchanged', async () => {
    const [d1, d2] = machine.disks;
    const before = (await drain(undefined)).next!;
    await tb.fault('a1', 'disk-full', d1!.name);
    const full = await waitFor('d1 full', async () => {
      const { samples } = await drain(before);
      // The fault fills with dd until ENOSPC; ext4 may still count a block or two as available
      // (the fault reports what df says), so "full" is 100 % with less than 64 KiB left.
      const f = (s: MetricsSample) => s.filesystems.find((x) => x.mountpoint === d1!.mount);
      return samples.find((s) => f(s)?.usePercent === 100 && f(s)!.availableBytes < 64 * 1024);
    }, 15_000, 500);
    const filled = full.filesystems.find((f) => f.mountpoint === d1!.mount)!;
    expect(filled.usedBytes).toBeGreaterThan(filled.sizeBytes * 0.9);
    expect(full.filesystems.find((f) => f.mountpoint === d2!.mount)!.usePercent).toBeLessThan(50);
    // The fault fallocates all but 8 MiB (no data written) and dd-writes the rest, synced to the
    // loop device: its write rate over the samples adds up to at least most of those 8 MiB.
    const { samples } = await drain(before);
    const written = samples.reduce((n, s) => n + (s.disks.find((d) => d.name === path.basename(d1!.device!))?.writeBytesPerSec ?? 0) * ((s.intervalMs ?? 0) / 1000), 0);
    expect(written).toBeGreaterThan(6 * 1024 * 1024);
    await tb.fault('a1', 'disk-restore', d1!.name);
  });

  it('pages by cursor across an agent restart without losing or repeating a sample', async () => {
    const { next: cursor } = await drain(undefined);
    // Two samples by this run of the agent (1 s interval), then a restart, then two by the next.
    await waitFor('2 samples before the restart', async () => ((await drain(cursor!)).samples.length >= 2 ? true : undefined), 15_000, 250);
    await stopAgent();
    await startAgent();
    const restartedAt = Date.parse((await client.call('health.v1')).startedAt);
    const { samples, gap } = await waitFor(
      '2 samples after the restart',
      async () => {
        const page = await drain(cursor!);
        return page.samples.filter((s) => Date.parse(s.time) > restartedAt).length >= 2 ? page : undefined;
      },
      15_000,
      250,
    );
    expect(gap).toBe(false);
    const seqs = samples.map((s) => s.seq);
    const first = Number(cursor!.split('.')[1]) + 1;
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => first + i));
    // The samples span the restart: some taken by the first agent run, some by the second.
    expect(samples.some((s) => Date.parse(s.time) < restartedAt)).toBe(true);
    expect(samples.some((s) => Date.parse(s.time) > restartedAt)).toBe(true);
    expect(seqs.length).toBeGreaterThanOrEqual(4);
  });

  it('returns the SMART double’s recording for each disk through smart.v1, and starts a self-test', async () => {
    const smart = await client.call('smart.v1', { refresh: true });
    expect(smart).toMatchObject({ state: 'ok', smartctl: { path: '/usr/local/sbin/smartctl', version: '7.3' } });
    for (const disk of machine.disks) {
      const recorded = JSON.parse(fs.readFileSync(path.join(defaultFixturesDir(), disk.smart.fixture), 'utf8')) as Record<string, unknown>;
      const got = smart.disks.find((d) => d.device === disk.device);
      expect(got, `${disk.device} in ${JSON.stringify(smart.disks.map((d) => d.device))}`).toBeDefined();
      expect(got!.data).toEqual(recorded);
      expect(got).toMatchObject({ type: disk.smart.type, protocol: disk.smart.protocol, exitStatus: disk.smart.exitStatus, error: null });
      expect(got!.summary!.serial).toBe(recorded.serial_number ?? null);
      expect(got!.history.length).toBeGreaterThanOrEqual(1);
    }
    // In the "mixed" profile the second disk replays a worn drive (ST3500418AS_11: one reallocated sector).
    const wornDisk = machine.disks[1]!;
    const wornRecorded = JSON.parse(fs.readFileSync(path.join(defaultFixturesDir(), wornDisk.smart.fixture), 'utf8')) as { ata_smart_attributes?: { table: { id: number; raw: { value: number } }[] } };
    const realloc = wornRecorded.ata_smart_attributes?.table.find((a) => a.id === 5)?.raw.value;
    expect(realloc, wornDisk.smart.fixture).toBeGreaterThan(0);
    expect(smart.disks.find((d) => d.device === wornDisk.device)!.summary!.reallocatedSectors).toBe(realloc);

    const test = await client.call('smart-selftest.v1', { device: machine.disks[0]!.device!, kind: 'short' });
    expect(test.request).toMatchObject({ kind: 'short', scheduled: false, accepted: true });
    const after = await client.call('smart.v1', { device: machine.disks[0]!.device!, includeData: false });
    expect(after.disks).toHaveLength(1);
    expect(after.disks[0]!.data).toBeUndefined();
    expect(after.disks[0]!.selfTests.requests[0]).toMatchObject({ kind: 'short', accepted: true });
    await expect(client.call('smart-selftest.v1', { device: '/dev/sdzz', kind: 'long' })).rejects.toMatchObject({ code: 'invalid-input' });
  });
});
