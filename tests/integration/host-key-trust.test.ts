/**
 * A changed host key, seen by any connection of the console, untrusts the machine for every
 * connection until a person accepts the new key — including a long-running console whose pooled
 * connection was opened before the change and still works over the old session. Real testbed
 * machine (prefix <tag>hkt, see testbed-prefix.ts) whose sshd gets a new key (`host-key-rotate`),
 * a watching console (the `serve` host's services) and the real CLI in another process on the same
 * data directory. Also: runs refused for a changed key or an unreachable machine are audited as
 * `failed` with the reason, not `ok`.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { createConsole, type ConsoleServices } from '../../main/compose';
import type { Alert } from '../../main/contract/alerts.contract';
import type { AuditEntry } from '../../main/contract/audit.contract';
import type { ConnectionReport } from '../../main/contract/onboarding.contract';
import type { ProvisionRunResult } from '../../main/contract/provision.contract';
import type { ApplianceStatus } from '../../main/contract/status.contract';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { CTX } from '../helpers/console-fixture';
import { testProvisionResources } from '../helpers/provision-resources';
import { ROOT } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] host key trust test skipped: ${skip} (needs root and network namespaces)`);

describe.skipIf(skip !== undefined)('a changed host key untrusts the machine for every connection', () => {
  const tb = createTestbed({ prefix: testbedPrefix('hkt') });
  const work = makeTempDir('host-key-trust');
  const dataDir = path.join(work.dir, 'data');
  let c: ConsoleServices;
  let m: MachineState;
  let id = '';
  let oldKey = '';

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as T;
  }
  const statusNow = async () => (await call<{ statuses: ApplianceStatus[] }>('status.list', { ids: [id] })).statuses[0]!;
  async function until<T>(what: string, read: () => Promise<T>, ok: (v: T) => boolean, timeoutMs = 30_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let v = await read();
    while (!ok(v)) {
      if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms; last: ${JSON.stringify(v).slice(0, 600)}`);
      await new Promise((r) => setTimeout(r, 200));
      v = await read();
    }
    return v;
  }
  const auditSince = async (afterId: number) => (await call<{ entries: AuditEntry[] }>('audit.list', { limit: 100 })).entries.filter((e) => e.id > afterId);
  const lastAuditId = async () => Math.max(0, ...(await auditSince(0)).map((e) => e.id));
  const cli = (...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'scripts/appliance-console.mjs'), ...args, '--data-dir', dataDir], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });

  beforeAll(async () => {
    await tb.down();
    m = (await tb.up({ appliances: 1, disks: 0 })).machines[0]!;
    oldKey = m.hostKey.fingerprint;
    // The headless host's services: the watch runs rounds (every second here) and keeps one pooled connection.
    c = createConsole({ host: 'serve', dataDir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: testProvisionResources(work.dir), watchIntervalMs: 1000 });
    id = (await call<{ id: string }>('fleet.add', { name: 'hk-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id, fingerprint: oldKey });
    const run = await call<ProvisionRunResult>('provision.install', { id });
    expect(run.status, run.error ?? '').toBe('succeeded');
  }, 180_000);
  afterAll(async () => {
    await c?.close();
    await tb.down();
    work.cleanup();
  });

  it('keeps working over the pooled connection after the key changes, until some connection sees the change', async () => {
    await until('online', statusNow, (s) => s.state === 'online');
    expect(c.reach.peekConnection(id)).not.toBeNull();
    await tb.fault(m.name, 'host-key-rotate');
    m = (await tb.status()).machines[0]!;
    expect(m.hostKey.fingerprint).not.toBe(oldKey);
    // The old session still answers: without a connection that meets the new key, nothing tells.
    const before = (await statusNow()).checkedAt;
    const later = await until('a round after the rotation', statusNow, (s) => s.checkedAt > before);
    expect(later.state).toBe('online');
  }, 60_000);

  it('the CLI meets the new key; the watching console then closes its connection, reports why, stays offline and alerts', async () => {
    const r = cli('fleet', 'status', 'hk-1', '--json');
    const rows = JSON.parse(r.stdout) as { status: ApplianceStatus }[];
    expect(rows[0]!.status, r.stdout + r.stderr).toMatchObject({ state: 'offline', reasonCode: 'ssh.host-key-changed' });
    // The other process recorded it in the store (and wrote its own status there): this console
    // notices within a second and drops its old session, and its own next round says why.
    await until('the pooled connection closed', async () => c.reach.peekConnection(id), (x) => x === null, 10_000);
    const cliCheckedAt = rows[0]!.status.checkedAt;
    const s = await until('a round of this console', statusNow, (x) => x.checkedAt > cliCheckedAt);
    expect(s.state).toBe('offline');
    expect(s.reasonCode).toBe('ssh.host-key-changed');
    expect(s.reasonParams).toMatchObject({ fingerprint: m.hostKey.fingerprint, known: oldKey });
    // Rounds go on, and none of them goes back online over the old session.
    const since = s.checkedAt;
    const next = await until('three more rounds', statusNow, (x) => Date.parse(x.checkedAt) - Date.parse(since) >= 3000);
    expect(next.state).toBe('offline');
    const events = (await call<{ events: { params: { to?: string } }[] }>('status.events', { id, limit: 20 })).events;
    expect(events.filter((e) => e.params.to === 'online')).toHaveLength(1); // only provisioning's
    // A critical alert says what happened and which keys.
    const alert = await until(
      'host-key-changed alert',
      async () => (await call<{ alerts: Alert[] }>('alerts.list', {})).alerts.find((a) => a.ruleId === 'host-key-changed' && a.applianceId === id),
      (a) => a?.state === 'firing',
    );
    expect(alert!.params).toMatchObject({ presented: m.hostKey.fingerprint, accepted: oldKey });
  }, 90_000);

  it('refuses a provisioning run while the key is untrusted, and audits it as failed with the reason', async () => {
    const from = await lastAuditId();
    const run = await call<ProvisionRunResult>('provision.install', { id });
    expect(run).toMatchObject({ status: 'failed', errorCode: 'ssh.host-key-changed' });
    expect(run.steps.map((x) => x.id)).toEqual(['connect']);
    const rows = (await auditSince(from)).filter((e) => e.method === 'provision.install');
    expect(rows.map((e) => ({ result: e.result, errorCode: e.errorCode, target: e.target }))).toEqual([{ result: 'failed', errorCode: 'ssh.host-key-changed', target: id }]);
  });

  it('shows the old and the new fingerprint in the connection test, and trusts the machine again once a person accepts the new key', async () => {
    const report = await call<ConnectionReport>('onboarding.testConnection', { id });
    expect(report).toMatchObject({ ok: false, stage: 'host-key', failure: { code: 'host-key-changed' }, hostKey: { status: 'changed', fingerprint: m.hostKey.fingerprint, knownFingerprint: oldKey } });
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const back = await until('online with the new key', statusNow, (s) => s.state === 'online');
    expect(back.reasonCode).toBeNull();
    await until(
      'the alert resolved',
      async () => (await call<{ alerts: Alert[] }>('alerts.list', {})).alerts.filter((a) => a.ruleId === 'host-key-changed'),
      (a) => a.length === 0,
    );
  }, 60_000);

  it('audits a run refused because the machine is unreachable as failed with the SSH reason', async () => {
    await c.watch.stop();
    c.reach.forget(id);
    await tb.fault(m.name, 'net-down');
    try {
      const from = await lastAuditId();
      const run = await call<ProvisionRunResult>('provision.install', { id });
      expect(run.status).toBe('failed');
      expect(['ssh.timeout', 'ssh.host-unreachable']).toContain(run.errorCode);
      const rows = (await auditSince(from)).filter((e) => e.method === 'provision.install');
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ result: 'failed', errorCode: run.errorCode });
    } finally {
      await tb.fault(m.name, 'net-up');
    }
  }, 60_000);
});
