/**
 * Monitoring end to end on a real testbed machine (prefix <tag>mn, see testbed-prefix.ts), through the console as the
 * headless host composes it, with the fleet watch running its rounds: the agent's samples reach
 * telemetry.sqlite (each loop data disk with its size), SMART is judged per disk exactly as
 * smart-verdict judges the recording the disk replays, filling a disk fires the file-system alert
 * and freeing it resolves it, and a cut link loses no sample (backfill by cursor).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { createConsole, type ConsoleServices } from '../../main/compose';
import type { Alert } from '../../main/contract/alerts.contract';
import type { DiskHealthView } from '../../main/contract/disks.contract';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { assessDisk, smartctlJson } from '../../main/health/smart-verdict';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { CTX } from '../helpers/console-fixture';
import { testProvisionResources } from '../helpers/provision-resources';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] monitoring test skipped: ${skip} (needs root and network namespaces)`);

describe.skipIf(skip !== undefined)('monitoring on a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('mn') });
  const work = makeTempDir('monitoring');
  let c: ConsoleServices;
  let m: MachineState;
  let id = '';

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as T;
  }
  async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs: number): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let v = await read();
    while (!ok(v)) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last: ${JSON.stringify(v).slice(0, 800)}`);
      await new Promise((r) => setTimeout(r, 500));
      v = await read();
    }
    return v;
  }
  const latest = () => call<{ asOf: number | null; metrics: { metric: string; labels?: Record<string, string>; v: number }[] }>('metrics.latest', { applianceId: id });
  const fsUsed = (l: Awaited<ReturnType<typeof latest>>, mount: string) => l.metrics.find((x) => x.metric === 'fs.used_percent' && x.labels?.mount === mount)?.v;
  const fsAlerts = async () => (await call<{ alerts: Alert[] }>('alerts.list', { states: ['firing', 'acknowledged', 'resolved'] })).alerts.filter((a) => a.ruleId === 'filesystem-full');

  beforeAll(async () => {
    await tb.down();
    m = (await tb.up({ appliances: 1, disks: 2, diskSize: '256M', smartProfile: 'mixed' })).machines[0]!;
    c = createConsole({
      host: 'serve',
      dataDir: path.join(work.dir, 'data'),
      secretBox: createKeyFileSecretBox,
      clock: systemClock,
      log: silentLogger,
      provisionResources: testProvisionResources(work.dir),
      watchIntervalMs: 2000,
    });
    id = (await call<{ id: string }>('fleet.add', { name: 'mn-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const run = await call<{ status: string; error: string | null }>('provision.install', { id });
    if (run.status !== 'succeeded') throw new Error(`provisioning failed: ${run.error}`);
    // A person tightening the rule so the test need not wait a minute: the edit is the product's own.
    await call('alerts.updateRule', { id: 'filesystem-full', durationSeconds: 0 });
  }, 180_000);
  afterAll(async () => {
    await c?.close();
    await tb.down();
    work.cleanup();
  });

  it('stores the agent samples: each data disk appears with its size', async () => {
    const l = await until('both data disks in the samples', latest, (v) => m.disks.every((d) => fsUsed(v, d.mount) !== undefined), 60_000);
    for (const d of m.disks) {
      const size = l.metrics.find((x) => x.metric === 'fs.size_bytes' && x.labels?.mount === d.mount)!.v;
      // ext4 keeps some of the device for its own metadata: the file system is a little smaller.
      expect(size).toBeLessThanOrEqual(d.sizeBytes);
      expect(size).toBeGreaterThan(d.sizeBytes * 0.85);
    }
    expect(l.asOf).not.toBeNull();
    const catalog = await call<{ metrics: { metric: string }[] }>('metrics.catalog', { applianceId: id });
    for (const name of ['cpu.busy_percent', 'memory.used_bytes', 'net.rx_bytes_per_s', 'disk.util_percent', 'agent.rss_bytes']) expect(catalog.metrics.map((x) => x.metric)).toContain(name);
  }, 90_000);

  it('judges each disk as smart-verdict judges the recording it replays', async () => {
    const { disks } = await until('SMART verdicts', () => call<{ disks: DiskHealthView[] }>('disks.list', { applianceId: id }), (v) => v.disks.length >= m.disks.length && v.disks.every((d) => d.verdict !== 'unknown'), 60_000);
    for (const d of m.disks) {
      const fixture = smartctlJson.parse(JSON.parse(fs.readFileSync(path.join(defaultFixturesDir(), d.smart.fixture), 'utf8')));
      const expected = assessDisk(fixture);
      const got = disks.find((x) => x.device === d.device);
      expect(got, `${d.device} (${d.smart.fixture})`).toBeDefined();
      expect(got!.verdict).toBe(expected.verdict);
      expect(got!.identity.serial).toBe(expected.device.serial);
      expect(got!.reasons.map((r) => r.code)).toEqual(expected.reasons.map((r) => r.code));
      // Where it sits, from the inventory: a data disk mounted at its /srv/disks/dN.
      // (Loop devices have no by-id links and no controller slot: udev and a controller are absent.)
      expect(got!.placement).toEqual({ mountpoints: [d.mount], dataDisk: true, sizeBytes: d.sizeBytes, idPaths: [], slot: null });
    }
    // The data-disk role comes from agent.json, which the provisioner wrote from preflight's view of the disks.
    const { inventory } = await call<{ inventory: { dataDisks?: { device: string; mountpoint: string }[] } | null }>('status.inventory', { id });
    expect(inventory?.dataDisks?.map((d) => d.mountpoint).sort()).toEqual(m.disks.map((d) => d.mount).sort());
    const smart = await call<{ smartctl: Record<string, unknown> | null }>('disks.smart', { applianceId: id, device: m.disks[0]!.device });
    expect(smart.smartctl).not.toBeNull();
  }, 90_000);

  it('fires the file-system alert when a disk fills, and resolves it when space is freed', async () => {
    const d1 = m.disks[0]!;
    await tb.fault(m.name, 'disk-full', d1.name);
    const firing = await until('a firing filesystem-full alert', fsAlerts, (a) => a.some((x) => x.subject === d1.mount && x.state === 'firing'), 60_000);
    const alert = firing.find((x) => x.subject === d1.mount && x.state === 'firing')!;
    expect(alert.severity).toBe('critical');
    expect(fsUsed(await latest(), d1.mount)).toBeGreaterThanOrEqual(95);
    await tb.fault(m.name, 'disk-restore', d1.name);
    const after = await until('the alert resolved', fsAlerts, (a) => a.some((x) => x.id === alert.id && x.state === 'resolved'), 60_000);
    expect(after.find((x) => x.id === alert.id)!.state).toBe('resolved');
    // Both transitions of this alert are in the audit log, by the system, against its appliance
    // (other rules, SMART's for one, write system rows of their own: only this alert's count).
    const audit = await call<{ entries: { method: string; actor: string; target: string | null; input: unknown }[] }>('audit.list', { limit: 500 });
    const ofThisAlert = audit.entries.filter((e) => (e.input as { alertId?: unknown } | null)?.alertId === alert.id);
    expect(ofThisAlert.map((e) => ({ method: e.method, actor: e.actor, target: e.target, input: e.input }))).toEqual([
      { method: 'alert.resolved', actor: 'system', target: id, input: expect.objectContaining({ ruleId: 'filesystem-full', subject: d1.mount, severity: 'critical' }) },
      { method: 'alert.firing', actor: 'system', target: id, input: expect.objectContaining({ ruleId: 'filesystem-full', subject: d1.mount, severity: 'critical' }) },
    ]);
  }, 150_000);

  it('loses no sample while the link is cut: the console backfills by cursor', async () => {
    await tb.fault(m.name, 'net-down');
    await until('offline', () => call<{ statuses: { state: string }[] }>('status.list', { ids: [id] }), (v) => v.statuses[0]?.state === 'offline', 60_000);
    await new Promise((r) => setTimeout(r, 25_000)); // a few agent samples (10 s apart) taken while cut off
    await tb.fault(m.name, 'net-up');
    await until('online', () => call<{ statuses: { state: string }[] }>('status.list', { ids: [id] }), (v) => v.statuses[0]?.state === 'online', 60_000);
    // What the agent holds, from the oldest sample, against what the console stored.
    const agentTimes: number[] = [];
    await c.reach.withAgent(id, async (agent) => {
      let after: string | undefined;
      for (;;) {
        const r = await agent.call('metrics.v1', after ? { after, limit: 1000 } : { limit: 1000 });
        agentTimes.push(...r.samples.map((s) => Date.parse(s.time)));
        if (!r.more || !r.next) break;
        after = r.next;
      }
    });
    expect(agentTimes.length).toBeGreaterThan(5);
    const from = agentTimes[0]!;
    const to = agentTimes[agentTimes.length - 1]! + 1;
    await until(
      'every agent sample stored',
      () => call<{ resolution: string; t: number[] }>('metrics.series', { applianceId: id, metric: 'memory.used_bytes', from, to, widthPoints: 5000 }),
      (s) => s.t.length >= agentTimes.length,
      30_000,
    );
    const stored = await call<{ resolution: string; t: number[] }>('metrics.series', { applianceId: id, metric: 'memory.used_bytes', from, to, widthPoints: 5000 });
    expect(stored.resolution).toBe('raw');
    // The testbed shares the host's clock: the sticky skew correction is 0, times match exactly.
    expect(stored.t).toEqual(agentTimes);
  }, 180_000);
});
