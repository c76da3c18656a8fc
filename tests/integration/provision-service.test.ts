import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { ProvisionRunResult } from '../../main/contract/provision.contract';
import { createCapturingLogger } from '../helpers/capturing-logger';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { recordEvents } from '../helpers/event-recorder';
import { testProvisionResources } from '../helpers/provision-resources';
import { expectNoSecretLeaks, storedAgentToken } from '../helpers/secret-leaks';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] provisioning through the console API skipped: ${skip} (needs root and network namespaces)`);

/**
 * Provisioning as the UI and CLI reach it: `provision.install` through the dispatcher, with the
 * login, host key and agent token taken from the console's store, progress as events, the run
 * audited, and a second run that changes nothing.
 */
describe.skipIf(skip !== undefined)('provision.install on a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('prs') });
  const work = makeTempDir('provision-service');
  let c: ReturnType<typeof makeConsole>;
  let m: MachineState;
  let id: string;
  // What the console logs and emits while provisioning, searched for the login and the agent token (last test).
  const capture = createCapturingLogger();
  let events: ReturnType<typeof recordEvents>;

  beforeAll(async () => {
    await tb.down();
    c = makeConsole('provision-service', testProvisionResources(work.dir), true, capture.log);
    events = recordEvents(c.events);
    m = (await tb.up({ appliances: 1, disks: 0 })).machines[0]!;
    const added = await c.dispatcher.call('fleet.add', { name: 'prs-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } }, CTX);
    if (!added.ok) throw new Error(added.error.message);
    id = (added.result as { id: string }).id;
  }, 120_000);
  afterAll(async () => {
    events?.stop();
    c?.cleanup();
    await tb.down();
    work.cleanup();
  });

  it('refuses to provision before the host key is trusted', async () => {
    const r = await c.dispatcher.call('provision.install', { id }, CTX);
    expect(r).toMatchObject({ ok: false, error: { code: 'conflict', message: expect.stringMatching(/Trust .*host key first/) } });
  });

  it('provisions from bare, streaming progress events, and keeps the agent token encrypted', async () => {
    await c.dispatcher.call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint }, CTX);
    const events: string[] = [];
    const off = c.events.subscribe((name, payload) => {
      if (name === 'provision.progress') events.push((payload as { event: { type: string } }).event.type);
    });
    const r = await c.dispatcher.call('provision.install', { id }, CTX);
    off();
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const run = (r as { ok: true; result: ProvisionRunResult }).result;
    expect(run.status, `${run.error}\n${JSON.stringify(run.steps)}`).toBe('succeeded');
    // After the install, the role's services (a server's: Kodo) are enabled, as one more step.
    expect(run.steps.map((s) => s.id)).toEqual(['preflight', 'runtime', 'agent', 'config', 'service', 'role-services']);
    expect(run.steps.at(-1)).toMatchObject({ status: 'done', outputTail: 'enabled kodo' });
    expect(events[0]).toBe('run-started');
    // The run itself ends (run-finished), then the steps after install are announced.
    expect(events.slice(-3)).toEqual(['run-finished', 'step-started', 'step-finished']);
    expect(events.filter((e) => e === 'step-finished').length).toBe(6);
    const stored = c.db.prepare('SELECT token FROM agent_tokens WHERE appliance_id = ?').pluck().get(id) as Buffer;
    expect(stored.length).toBeGreaterThan(32);
    expect(stored.toString('latin1')).not.toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('re-runs without changing anything, with the same token, and audits both runs', async () => {
    const before = c.db.prepare('SELECT token FROM agent_tokens').pluck().all();
    const r = await c.dispatcher.call('provision.install', { id }, CTX);
    const run = (r as { ok: true; result: ProvisionRunResult }).result;
    expect(run.status).toBe('succeeded');
    expect(run.steps.map((s) => [s.id, s.status])).toEqual([
      ['preflight', 'unchanged'],
      ['runtime', 'unchanged'],
      ['agent', 'unchanged'],
      ['config', 'unchanged'],
      ['service', 'unchanged'],
      ['role-services', 'unchanged'],
    ]);
    expect(c.db.prepare('SELECT token FROM agent_tokens').pluck().all()).toEqual(before);
    const audit = await c.dispatcher.call('audit.list', { limit: 20 }, CTX);
    const provisions = (audit as { ok: true; result: { entries: { method: string; result: string }[] } }).result.entries.filter((e) => e.method === 'provision.install');
    expect(provisions.map((e) => e.result)).toEqual(['ok', 'ok', 'error']);
  });

  it('never logs or emits the private key or the agent token', () => {
    expectNoSecretLeaks('the console log and events', [...capture.lines(), ...events.texts()], {
      'root private key': fs.readFileSync(m.rootKeyPath, 'utf8'),
      'agent token': storedAgentToken(c.db, c.dataDir, id),
    });
    expect(events.texts().some((e) => e.includes('"provision.progress"'))).toBe(true);
    expect(capture.lines().some((l) => l.includes('"scope":"provision"'))).toBe(true);
  });
});
