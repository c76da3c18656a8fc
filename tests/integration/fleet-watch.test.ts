/**
 * The fleet watch against real testbed machines (prefix <tag>fw, see testbed-prefix.ts): pooled SSH, the agent reached by
 * socket forwarding (root) and by the sudo bridge (operator with a password), and the states a
 * person sees — not provisioned (no alarm) before provisioning, saying whether the machine answers
 * (its host key not accepted yet) or cannot be reached; online after; offline when the link is
 * cut, online again when it is back; and the agent killed and restarted by its watchdog recorded
 * as an event.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { ApplianceEvent, ApplianceStatus } from '../../main/contract/status.contract';
import { CTX, makeConsole } from '../helpers/console-fixture';
import type { ProvisionResources } from '../../main/provision/plan';
import { agentResourcesOfVersion, testProvisionResources } from '../helpers/provision-resources';
import { ROOT } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { SHUTDOWN_WAIT_MS } from '../../main/compose';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] fleet watch test skipped: ${skip} (needs root and network namespaces)`);

describe.skipIf(skip !== undefined)('fleet watch on testbed machines', () => {
  const tb = createTestbed({ prefix: testbedPrefix('fw') });
  const work = makeTempDir('fleet-watch');
  let c: ReturnType<typeof makeConsole>;
  let resources: ProvisionResources;
  let a1: MachineState;
  let a2: MachineState;
  const ids: Record<string, string> = {};

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw new Error(`${method}: ${r.error.message}`);
    return r.result as T;
  }
  const checkNow = (name: string) => call<ApplianceStatus>('status.checkNow', { id: ids[name] });
  async function until(name: string, predicate: (s: ApplianceStatus) => boolean, timeoutMs: number): Promise<ApplianceStatus> {
    const deadline = Date.now() + timeoutMs;
    let s = await checkNow(name);
    while (!predicate(s) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      s = await checkNow(name);
    }
    return s;
  }

  beforeAll(async () => {
    await tb.down();
    resources = testProvisionResources(work.dir);
    c = makeConsole('fleet-watch', resources, true);
    const machines = (await tb.up({ appliances: 2, disks: 0 })).machines;
    a1 = machines[0]!;
    a2 = machines[1]!;
    ids.root = (await call<{ id: string }>('fleet.add', { name: 'fw-root', address: a1.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(a1.rootKeyPath, 'utf8') } })).id;
    ids.sudo = (
      await call<{ id: string }>('fleet.add', { name: 'fw-sudo', address: a2.address, user: a2.sudoUser, auth: { kind: 'password', password: a2.sudoPassword }, sudoPassword: a2.sudoPassword })
    ).id;
  }, 120_000);
  afterAll(async () => {
    c?.cleanup();
    await tb.down();
    work.cleanup();
  });

  it('shows a new appliance whose host key nobody accepted as not provisioned, with the key it presents: it answers', async () => {
    const s = await checkNow('root');
    expect(s.state).toBe('not-provisioned');
    expect(s.reason).toMatch(/presents a host key this console has not seen/);
    expect(s.reasonCode).toBe('ssh.host-key-unknown');
    expect(s.reasonParams.fingerprint).toBe(a1.hostKey.fingerprint);
    expect(s.lastSeenAt).toBeNull();
  });

  it('shows a new appliance that cannot be reached as not provisioned and unreachable, not "host key not accepted"', async () => {
    await tb.fault(a2.name, 'net-down');
    try {
      const s = await until('sudo', (x) => x.state !== 'unknown', 30_000);
      expect(s.state).toBe('not-provisioned');
      expect(['ssh.timeout', 'ssh.host-unreachable']).toContain(s.reasonCode);
      expect(s.reason).not.toMatch(/host key/i);
    } finally {
      await tb.fault(a2.name, 'net-up');
    }
  }, 60_000);

  it('shows a reachable appliance without an agent as not provisioned: provision it', async () => {
    await call('onboarding.acceptHostKey', { id: ids.root, fingerprint: a1.hostKey.fingerprint });
    await call('onboarding.acceptHostKey', { id: ids.sudo, fingerprint: a2.hostKey.fingerprint });
    const s = await checkNow('root');
    expect(s, JSON.stringify(s)).toMatchObject({ state: 'not-provisioned', reason: expect.stringMatching(/no agent is installed yet: provision/), reasonCode: 'agent.not-installed' });
    expect(s.lastSeenAt).not.toBeNull();
  });

  it('shows provisioned appliances online with agent version, services, clock skew and inventory (root by socket, operator by sudo bridge)', async () => {
    for (const name of ['root', 'sudo']) {
      const run = await call<{ status: string; error: string | null }>('provision.install', { id: ids[name] });
      expect(run.status, run.error ?? '').toBe('succeeded');
      const s = await checkNow(name);
      expect(s, JSON.stringify(s)).toMatchObject({ state: 'online', reason: null, health: { status: 'ok' } });
      expect(s.agent?.version).toMatch(/^\d+\.\d+\.\d+/);
      expect(Array.isArray(s.services)).toBe(true);
      expect(Math.abs(s.clockSkewMs!)).toBeLessThan(2000);
      const inv = await call<{ inventory: { hostname: string } | null; at: string | null; staleReason: string | null }>('status.inventory', { id: ids[name], refresh: true });
      expect(inv.staleReason).toBeNull();
      expect(inv.inventory?.hostname).toBe(name === 'root' ? a1.name : a2.name);
    }
    // The state change from not provisioned to online was recorded for the one that had been checked before.
    const ev = await call<{ events: ApplianceEvent[] }>('status.events', { id: ids.root });
    expect(ev.events.map((e) => e.kind)).toContain('state-changed');
    expect(ev.events[0]).toMatchObject({ params: { from: 'not-provisioned', to: 'online' } });
  });

  it('notices an agent killed on the machine and restarted by its watchdog, and records it', async () => {
    const before = await checkNow('root');
    await tb.fault(a1.name, 'agent-kill');
    const after = await until('root', (s) => s.state === 'online' && s.agent?.pid !== before.agent?.pid, 60_000);
    expect(after.state, JSON.stringify(after)).toBe('online');
    expect(after.agent?.pid).not.toBe(before.agent?.pid);
    const ev = await call<{ events: ApplianceEvent[] }>('status.events', { id: ids.root, limit: 5 });
    const restart = ev.events.find((e) => e.kind === 'agent-restarted');
    expect(restart, JSON.stringify(ev.events)).toBeDefined();
    expect(restart!.params).toMatchObject({ previousPid: before.agent!.pid, pid: after.agent!.pid });
  }, 90_000);

  it('shows a machine whose link is cut as offline since then, keeps its last-known data, and online again once it is back', async () => {
    const online = await checkNow('sudo');
    await tb.fault(a2.name, 'net-down');
    const cut = await until('sudo', (s) => s.state === 'offline', 60_000);
    expect(cut.state).toBe('offline');
    expect(cut.reason).toMatch(/cannot be reached|No SSH answer|timed out|unreachable/i);
    expect(['ssh.timeout', 'ssh.host-unreachable']).toContain(cut.reasonCode);
    expect(Date.parse(cut.since)).toBeGreaterThan(Date.parse(online.checkedAt));
    expect(cut.lastSeenAt).toBe(online.checkedAt);
    expect(cut.agent?.version).toBe(online.agent?.version); // last-known, "as of" lastSeenAt
    await tb.fault(a2.name, 'net-up');
    const back = await until('sudo', (s) => s.state === 'online', 60_000);
    expect(back.state).toBe('online');
    const kinds = (await call<{ events: ApplianceEvent[] }>('status.events', { id: ids.sudo })).events.map((e) => `${e.params.from}>${e.params.to}`);
    expect(kinds.slice(0, 2)).toEqual(['offline>online', 'online>offline']);
  }, 150_000);

  it('runs rounds by itself when started, and pushes a status.changed event when something changes', async () => {
    const before = (await call<{ statuses: ApplianceStatus[] }>('status.list', {})).statuses;
    const changed: ApplianceStatus[] = [];
    const off = c.events.subscribe((name, payload) => {
      if (name === 'status.changed') changed.push(payload as ApplianceStatus);
    });
    c.watch.start();
    const checkedSince = async () => (await call<{ statuses: ApplianceStatus[] }>('status.list', {})).statuses.filter((s) => s.checkedAt > before.find((b) => b.applianceId === s.applianceId)!.checkedAt);
    const deadline = Date.now() + 30_000;
    while ((await checkedSince()).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect((await checkedSince()).length).toBe(2);
    // Nothing changed on the machines: a round reports nothing. Then the agent is killed: it does.
    expect(changed).toEqual([]);
    await tb.fault(a1.name, 'agent-kill');
    while (!changed.some((s) => s.applianceId === ids.root) && Date.now() < deadline + 30_000) await new Promise((r) => setTimeout(r, 200));
    off();
    await c.watch.stop();
    expect(changed.some((s) => s.applianceId === ids.root)).toBe(true);
  }, 90_000);

  it('shows the new agent version after an upgrade (a new handshake with the restarted agent) and records the change', async () => {
    const before = await checkNow('root');
    // The console ships a newer bundle: same resources directory, new manifest.
    const next = agentResourcesOfVersion(work.dir, '0.1.1-fw', { runtimesDir: resources.runtimesDir });
    fs.cpSync(next.agentsDir, resources.agentsDir, { recursive: true, force: true });
    const run = await call<{ status: string; error: string | null }>('provision.upgrade', { id: ids.root });
    expect(run.status, run.error ?? '').toBe('succeeded');
    const after = await checkNow('root');
    expect(after.agent?.version).toBe('0.1.1-fw');
    const ev = await call<{ events: ApplianceEvent[] }>('status.events', { id: ids.root, limit: 10 });
    expect(ev.events.find((e) => e.kind === 'agent-version-changed')?.params).toEqual({ from: before.agent!.version, to: '0.1.1-fw' });
  }, 120_000);

  it('answers `appliance-console fleet status --json` from a separate process, checking each appliance', () => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/appliance-console.mjs'), 'fleet', 'status', '--json', '--data-dir', c.dataDir], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    const rows = JSON.parse(r.stdout) as { name: string; status: ApplianceStatus }[];
    expect(rows.map((x) => [x.name, x.status.state]).sort()).toEqual([
      ['fw-root', 'online'],
      ['fw-sudo', 'online'],
    ]);
    const human = spawnSync(process.execPath, [path.join(ROOT, 'scripts/appliance-console.mjs'), 'fleet', 'status', 'fw-root', '--cached', '--data-dir', c.dataDir], { cwd: ROOT, encoding: 'utf8' });
    expect(human.stdout).toMatch(/^NAME\s+STATE\s+SINCE\s+AGENT\s+LAST SEEN\s+REASON\nfw-root\s+online\s+\d{4}-/);
  }, 60_000);

  it('refuses an unknown appliance with not-found', async () => {
    const r = await c.dispatcher.call('status.checkNow', { id: 'nope' }, CTX);
    expect(r).toMatchObject({ ok: false, error: { code: 'not-found' } });
  });

  // Last: it closes the console.
  it('closing waits for a round in flight, but not past SHUTDOWN_WAIT_MS when a machine hangs it', async () => {
    // A machine whose link is down holds the round (its calls wait out their timeouts).
    await tb.fault(a2.name, 'net-down');
    try {
      c.watch.start();
      const deadline = Date.now() + 10_000;
      while (!c.watch.roundInFlight() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 300));
      expect(c.watch.roundInFlight()).toBe(true);
      const started = performance.now();
      await c.close();
      const waited = performance.now() - started;
      // Either the round ended (aborted, its connections closed) before the stores closed, or the
      // wait ran out; never an unbounded wait on a machine that does not answer.
      expect(!c.watch.roundInFlight() || waited >= SHUTDOWN_WAIT_MS - 50, `round still in flight after ${Math.round(waited)} ms`).toBe(true);
      expect(waited).toBeLessThan(SHUTDOWN_WAIT_MS + 1500);
      console.log(`close with a hung round: ${Math.round(waited)} ms (round in flight at the end: ${c.watch.roundInFlight()})`);
      expect(c.db.open).toBe(false);
      // Closing twice (the fixture's cleanup does) is the same close.
      await c.close();
    } finally {
      await tb.fault(a2.name, 'net-up');
    }
  }, 60_000);
});
