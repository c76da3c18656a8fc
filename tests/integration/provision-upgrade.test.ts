/**
 * Upgrade with automatic rollback, and uninstall, on real testbed machines (prefix <tag>upg, see testbed-prefix.ts). Bundles
 * of different versions come from scripts/build-agent.mjs --agent-version; the broken one is the
 * same build with a first line that makes the agent process exit 1 at start (--version and the
 * watchdog still run), like a release that crashes at start-up. The Node runtime is the one
 * provision-testbed.test.ts uses (tests/helpers/provision-resources.ts). Destructive to nothing but
 * its own testbed instances, removed at the start and at the end.
 */
import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Client } from 'ssh2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { createAgentClient, sshExecBridgeOpener } from '../../agents/client/agent-client';
import type { ProvisionRunResult } from '../../main/contract/provision.contract';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import type { ProvisionEvent, ProvisionResources } from '../../main/provision/plan';
import { createProvisioner, UPGRADE_PLAN, uninstallPlan, type ProvisionRequest } from '../../main/provision/provisioner';
import { sshEdge } from '../../main/reach/ssh-edge';
import { connectSsh, execCommand } from '../../main/ssh/ssh-connect';
import { openDatabase } from '../../main/store/database';
import { createProvisionRunStore } from '../../main/store/provision-run-store';
import { createCapturingLogger } from '../helpers/capturing-logger';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { recordEvents } from '../helpers/event-recorder';
import { expectNoSecretLeaks, storedAgentToken } from '../helpers/secret-leaks';
import { agentResourcesOfVersion, runtimesDir } from '../helpers/provision-resources';
import { ROOT } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('upg');
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`provision upgrade test skipped: ${skipReason} (it needs root and network namespaces)`);

const A = '1.0.0-upg.a';
const B = '1.1.0-upg.b';
const BROKEN = '1.2.0-upg.broken';
const D = '1.3.0-upg.d';
const E = '1.4.0-upg.e';

const statuses = (r: { steps: { id: string; status: string }[] }) => Object.fromEntries(r.steps.map((s) => [s.id, s.status]));

describe.skipIf(skipReason !== undefined)('upgrade with rollback, and uninstall, on testbed machines', () => {
  const tb = createTestbed({ prefix: PREFIX });
  const work = makeTempDir('provision-upgrade');
  const db = openDatabase({ dataDir: path.join(work.dir, 'data'), clock: systemClock, log: silentLogger });
  const store = createProvisionRunStore(db);
  const token = crypto.randomBytes(32).toString('base64url');
  // What the provisioners and the console log and emit, searched for the secrets by the last test.
  const capture = createCapturingLogger();
  const seenEvents: string[] = [];
  let consoleAgentToken = '';
  let machines: MachineState[];
  const bundles = new Map<string, ProvisionResources>();
  const provisioners = new Map<string, ReturnType<typeof createProvisioner>>();

  beforeAll(async () => {
    await tb.down();
    const runtimes = runtimesDir(work.dir);
    for (const v of [A, B, BROKEN, D, E]) bundles.set(v, agentResourcesOfVersion(work.dir, v, { runtimesDir: runtimes, brokenAtStart: v === BROKEN }));
    for (const [v, resources] of bundles) provisioners.set(v, createProvisioner({ resources, dial: sshEdge.connect, store, clock: systemClock, log: capture.log }));
    machines = (await tb.up({ appliances: 2, disks: 0 })).machines;
  }, 180_000);

  afterAll(async () => {
    db.close();
    await tb.down();
    work.cleanup();
  });

  const trusted = (m: MachineState) => [{ keyType: m.hostKey.publicKey.split(' ')[0]!, fingerprint: m.hostKey.fingerprint }];
  const asRoot = (m: MachineState, extra: Partial<ProvisionRequest> = {}): ProvisionRequest => ({
    target: { address: m.address, port: m.sshPort, user: 'root' },
    credential: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') },
    trustedKeys: trusted(m),
    input: { role: 'server', token, agentConfig: { supervisor: { stopTimeoutMs: 2000 } } },
    ...extra,
    onEvent: (e) => {
      seenEvents.push(JSON.stringify(e));
      extra.onEvent?.(e);
    },
  });
  const run = (version: string, m: MachineState, extra: Partial<ProvisionRequest> = {}) => provisioners.get(version)!.provision(asRoot(m, extra));

  async function shell<T>(m: MachineState, fn: (c: Client) => Promise<T>): Promise<T> {
    const c = await connectSsh({ target: { address: m.address, port: m.sshPort, user: 'root' }, credential: asRoot(m).credential, trustedKeys: trusted(m) });
    if (!c.ok) throw new Error(c.failure.message);
    try {
      return await fn(c.client);
    } finally {
      c.client.end();
    }
  }
  const sh = (m: MachineState, cmd: string) => shell(m, async (c) => (await execCommand(c, cmd)).stdout.trim());
  /** What the running agent says it is, asked independently of the plan. */
  const agentVersion = (m: MachineState) =>
    shell(m, async (c) => {
      const agent = createAgentClient({ open: sshExecBridgeOpener(c), token, timeoutMs: 15_000 });
      expect((await agent.call('health.v1')).status).toBe('ok');
      return (await agent.call('version.v1')).agentVersion;
    });
  const versionDirs = async (m: MachineState) =>
    (await sh(m, 'cd /opt/appliance-agent && for d in */; do [ -L "${d%/}" ] || echo "${d%/}"; done'))
      .split('\n')
      .filter((d) => !d.startsWith('node-'))
      .sort();

  it('upgrade refuses a machine without the agent, before writing anything', async () => {
    const m = machines[0]!;
    const r = await provisioners.get(A)!.provision(asRoot(m, { plan: UPGRADE_PLAN }));
    expect(r.status).toBe('failed');
    expect(statuses(r)).toEqual({ preflight: 'unchanged', installed: 'failed' });
    expect(r.error).toMatch(/^not installed: .*provision it first$/);
    // (The testbed mounts an empty tmpfs on /etc/appliance-agent: empty is as good as absent.)
    expect(await sh(m, '[ -e /opt/appliance-agent ] && echo /opt/appliance-agent; ls -A /etc/appliance-agent')).toBe('');
  });

  it('upgrades A → B beside the old version: B answers, A stays on disk as previous, a re-run changes nothing', async () => {
    const m = machines[0]!;
    const installed = await run(A, m);
    expect(installed.status, installed.error ?? '').toBe('succeeded');
    expect(await agentVersion(m)).toBe(A);

    const upgraded = await provisioners.get(B)!.provision(asRoot(m, { plan: UPGRADE_PLAN }));
    expect(upgraded.status, upgraded.error ?? '').toBe('succeeded');
    expect(statuses(upgraded)).toEqual({ preflight: 'unchanged', installed: 'unchanged', runtime: 'unchanged', agent: 'done', config: 'unchanged', service: 'done' });
    expect(await agentVersion(m)).toBe(B);
    expect(await sh(m, 'readlink /opt/appliance-agent/current /opt/appliance-agent/previous; ls -A /opt/appliance-agent')).toMatch(new RegExp(`^${B}\\n${A}\\n`));
    expect(await versionDirs(m)).toEqual([A, B].sort());
    // Confirmed healthy: no rollback point is left behind.
    expect(await sh(m, 'ls -A /opt/appliance-agent')).not.toMatch(/\.rollback/);

    const again = await provisioners.get(B)!.provision(asRoot(m, { plan: UPGRADE_PLAN }));
    expect(new Set(again.steps.map((s) => s.status))).toEqual(new Set(['unchanged']));
  });

  it('a bundle that crashes at start is rolled back automatically: the run fails naming the rollback, B runs again', async () => {
    const m = machines[0]!;
    const events: ProvisionEvent[] = [];
    const r = await run(BROKEN, m, { onEvent: (e) => events.push(e) });
    console.log(`broken upgrade: ${r.error} (${r.steps.map((s) => `${s.id} ${s.durationMs} ms`).join(', ')})`);
    expect(r.status).toBe('failed');
    expect(r.error).toMatch(new RegExp(`^version ${BROKEN.replace(/\./g, '\\.')} did not become healthy: .+; rolled back to ${B.replace(/\./g, '\\.')}, which is healthy$`, 's'));
    expect(statuses(r)).toEqual({ preflight: 'unchanged', runtime: 'unchanged', agent: 'done', config: 'unchanged', service: 'failed', rollback: 'done' });
    // The rollback is a step like the others, in the events (the UI's step log) and the stored run.
    expect(events.filter((e) => e.type === 'step-finished').map((e) => e.stepId)).toEqual(['preflight', 'runtime', 'agent', 'config', 'service', 'rollback']);
    const stored = store.run(r.runId)!;
    expect(stored).toMatchObject({ status: 'failed', error: r.error });
    expect(stored.steps.at(-1)).toMatchObject({ stepId: 'rollback', status: 'done' });
    expect(stored.steps.at(-1)!.outputTail).toMatch(new RegExp(`switched back to agent ${B.replace(/\./g, '\\.')}`));

    expect(await sh(m, 'readlink /opt/appliance-agent/current')).toBe(B);
    expect(await agentVersion(m)).toBe(B);
    expect(await sh(m, 'ls -A /opt/appliance-agent')).not.toMatch(/\.rollback/);
    // The machine is exactly B's confirmed state again: B's console sees nothing to do.
    const same = await run(B, m);
    expect(new Set(same.steps.map((s) => s.status)), JSON.stringify(same.steps)).toEqual(new Set(['unchanged']));
  });

  it('an upgrade cancelled right after the switch leaves a point the next run rolls back to', async () => {
    const m = machines[0]!;
    const abort = new AbortController();
    const cancelled = await run(BROKEN, m, { signal: abort.signal, onEvent: (e) => e.type === 'step-finished' && e.stepId === 'agent' && abort.abort() });
    expect(cancelled.status).toBe('cancelled');
    expect(statuses(cancelled)).toMatchObject({ agent: 'done' });
    // Cancelled between the switch and the restart: the link names the new version, B still runs.
    expect(await sh(m, 'readlink /opt/appliance-agent/current; cat /opt/appliance-agent/.rollback/agent')).toBe(`${BROKEN}\n${B}`);

    const next = await run(BROKEN, m);
    expect(next.status).toBe('failed');
    expect(statuses(next)).toMatchObject({ agent: 'unchanged', service: 'failed', rollback: 'done' });
    expect(next.error).toMatch(new RegExp(`rolled back to ${B.replace(/\./g, '\\.')}, which is healthy$`));
    expect(await agentVersion(m)).toBe(B);
  });

  it('keeps current, previous and one older version, pruning the rest once the new one is healthy', async () => {
    const m = machines[0]!;
    // The rollbacks removed the version that failed: only good versions compete for the older slot.
    expect(await versionDirs(m)).toEqual([A, B].sort());
    const toD = await run(D, m);
    expect(toD.status, toD.error ?? '').toBe('succeeded');
    expect(await sh(m, 'readlink /opt/appliance-agent/previous')).toBe(B);
    expect(await versionDirs(m)).toEqual([A, B, D].sort());
    const toE = await run(E, m);
    expect(toE.status, toE.error ?? '').toBe('succeeded');
    expect(await agentVersion(m)).toBe(E);
    expect(await sh(m, 'readlink /opt/appliance-agent/previous')).toBe(D);
    // E current, D previous, B the one older version kept (installed after A), A pruned.
    expect(await versionDirs(m)).toEqual([B, D, E].sort());
  });

  it('uninstall stops and removes the agent but keeps its data, logs and settings; twice is unchanged; --purge removes them', async () => {
    const m = machines[0]!;
    await sh(m, 'echo kept > /var/lib/appliance-agent/upg-marker');
    // What a person set through the agent (service configs, its own settings) is kept like data.
    await sh(m, `echo '{"configVersion":1,"services":{}}' > /etc/appliance-agent/services.json && echo '{"configVersion":1}' > /etc/appliance-agent/settings.json`);
    const removed = await run(E, m, { plan: uninstallPlan(false) });
    expect(removed.status, removed.error ?? '').toBe('succeeded');
    expect(statuses(removed)).toEqual({ stop: 'done', remove: 'done' });
    // What is left (the testbed mounts tmpfs on /etc/appliance-agent, /var/lib/… and /var/log/…, so
    // those stay as empty directories there; on a real machine /etc/appliance-agent goes entirely).
    const left = await sh(
      m,
      'for p in /opt/appliance-agent /etc/appliance-agent /run/appliance-agent /etc/cron.d/appliance-agent /var/lib/appliance-agent /var/log/appliance-agent; do if [ -f "$p" ] || [ -n "$(ls -A "$p" 2>/dev/null)" ]; then echo "$p: $(ls -A "$p" | tr "\\n" " ")"; fi; done; pgrep -f "agent\\.js" || true',
    );
    const lines = left.split('\n');
    expect(lines.map((l) => l.split(':')[0])).toEqual(['/etc/appliance-agent', '/var/lib/appliance-agent', '/var/log/appliance-agent']);
    expect(lines[0]!.split(':')[1]!.trim().split(' ').sort()).toEqual(['services.json', 'settings.json']);
    expect(lines[1]).toContain('upg-marker');
    const twice = await run(E, m, { plan: uninstallPlan(false) });
    expect(statuses(twice)).toEqual({ stop: 'unchanged', remove: 'unchanged' });

    const purged = await run(E, m, { plan: uninstallPlan(true) });
    expect(purged.status, purged.error ?? '').toBe('succeeded');
    expect(statuses(purged)).toEqual({ stop: 'unchanged', remove: 'unchanged', purge: 'done' });
    expect(await sh(m, 'ls -A /var/lib/appliance-agent /var/log/appliance-agent /etc/appliance-agent 2>/dev/null | grep -v ":$" | grep -v "^$" || true')).toBe('');
    const again = await run(E, m, { plan: uninstallPlan(true) });
    expect(new Set(again.steps.map((s) => s.status))).toEqual(new Set(['unchanged']));

    // And the upgrade plan now refuses the machine, as it did before the first install.
    const refused = await run(E, m, { plan: UPGRADE_PLAN });
    expect(refused.error).toMatch(/not installed: .*provision it first/);
  });

  it('provision.upgrade and provision.uninstall through the console API: progress events, audited', async () => {
    const m = machines[1]!;
    const c = makeConsole('provision-upgrade', bundles.get(B)!, true, capture.log);
    const consoleEvents = recordEvents(c.events);
    try {
      const added = await c.dispatcher.call('fleet.add', { name: 'upg-api', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } }, CTX);
      if (!added.ok) throw new Error(added.error.message);
      const id = (added.result as { id: string }).id;
      await c.dispatcher.call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint }, CTX);
      const result = async (method: 'provision.upgrade' | 'provision.uninstall' | 'provision.install', input: Record<string, unknown>) => {
        const r = await c.dispatcher.call(method, input, CTX);
        if (!r.ok) throw new Error(r.error.message);
        return r.result as ProvisionRunResult;
      };

      const refused = await result('provision.upgrade', { id });
      expect(refused).toMatchObject({ status: 'failed', error: expect.stringMatching(/not installed: .*provision it first/) as string });

      expect((await result('provision.install', { id })).status).toBe('succeeded');
      consoleAgentToken = storedAgentToken(c.db, c.dataDir, id); // an uninstall below forgets it
      const upToDate = await result('provision.upgrade', { id });
      expect(upToDate.status).toBe('succeeded');
      expect(upToDate.steps.map((s) => [s.id, s.status])).toEqual([
        ['preflight', 'unchanged'],
        ['installed', 'unchanged'],
        ['runtime', 'unchanged'],
        ['agent', 'unchanged'],
        ['config', 'unchanged'],
        ['service', 'unchanged'],
        // The role's services were enabled by the install; a person's later choice stands.
        ['role-services', 'unchanged'],
      ]);

      const events: string[] = [];
      const off = c.events.subscribe((name, payload) => {
        if (name === 'provision.progress') events.push((payload as { event: { type: string; stepId?: string } }).event.stepId ?? (payload as { event: { type: string } }).event.type);
      });
      const uninstalled = await result('provision.uninstall', { id, purge: true });
      off();
      expect(uninstalled.status, uninstalled.error ?? '').toBe('succeeded');
      expect(uninstalled.steps.map((s) => s.id)).toEqual(['stop', 'remove', 'purge']);
      expect(events).toContain('purge');
      const audit = await c.dispatcher.call('audit.list', { limit: 20 }, CTX);
      const entries = (audit as { ok: true; result: { entries: { method: string; result: string; input?: unknown }[] } }).result.entries;
      expect(entries.filter((e) => e.method === 'provision.uninstall').map((e) => e.result)).toEqual(['ok']);
      // Newest first: the upgrade with nothing to do, and the one refused on a machine without the agent.
      expect(entries.filter((e) => e.method === 'provision.upgrade').map((e) => e.result)).toEqual(['ok', 'failed']);
      // No agent, no token: the console says to provision, rather than "the agent does not answer".
      expect(c.db.prepare('SELECT count(*) FROM agent_tokens WHERE appliance_id = ?').pluck().get(id)).toBe(0);
      const status = await c.dispatcher.call('status.checkNow', { id }, CTX);
      expect(status).toMatchObject({ ok: true, result: { state: 'not-provisioned', reason: expect.stringMatching(/no agent is installed yet: provision/) as string } });
    } finally {
      seenEvents.push(...consoleEvents.texts());
      consoleEvents.stop();
      c.cleanup();
    }
  });

  it('never logs or sends as an event a private key or an agent token, through upgrades, rollbacks and uninstalls', () => {
    expectNoSecretLeaks('the provisioners’ and the console’s log and events', [...capture.lines(), ...seenEvents], {
      ...Object.fromEntries(machines.map((m) => [`${m.name} root private key`, fs.readFileSync(m.rootKeyPath, 'utf8')])),
      'agent token': token,
      'agent token the console made': consoleAgentToken,
    });
    expect(capture.lines().length).toBeGreaterThan(0);
  });
});

/** The CLI as a script runs it (stdin is not a terminal). */
describe('appliance-console upgrade / uninstall CLI', () => {
  const tmp = makeTempDir('cli-upgrade');
  afterAll(() => tmp.cleanup());
  const cli = (args: string[]) => {
    const r = spawnSync(process.execPath, [path.join(ROOT, 'scripts/appliance-console.mjs'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, APPLIANCE_CONSOLE_DATA_DIR: path.join(tmp.dir, 'data') },
    });
    return { code: r.status, out: r.stdout, err: r.stderr };
  };

  it('has --help for upgrade and uninstall, and lists them in the main help', () => {
    const upgrade = cli(['upgrade', '--help']);
    expect(upgrade.code).toBe(0);
    expect(upgrade.out).toMatch(/Usage: appliance-console upgrade/);
    expect(upgrade.out).toMatch(/roll/);
    expect(upgrade.out).toMatch(/Exit codes:/);
    const uninstall = cli(['uninstall', '--help']);
    expect(uninstall.code).toBe(0);
    expect(uninstall.out).toMatch(/--purge/);
    expect(cli(['--help']).out).toMatch(/upgrade .*\n.*uninstall /);
  });

  it('uninstall refuses without --yes when there is no terminal, before touching anything', () => {
    const r = cli(['uninstall', 'edge-1']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/no terminal to confirm on, so pass --yes/);
    expect(fs.existsSync(path.join(tmp.dir, 'data'))).toBe(false);
  });

  it('upgrade and uninstall --yes name what is missing', () => {
    expect(cli(['upgrade']).code).toBe(2);
    expect(cli(['upgrade']).err).toMatch(/name the appliances to upgrade, or use --all/);
    const missing = cli(['uninstall', '--yes', 'nobody']);
    expect(missing.code).toBe(3);
    expect(missing.err).toMatch(/No appliance named or with id "nobody"/);
  });
});
