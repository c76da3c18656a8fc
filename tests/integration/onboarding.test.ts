import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, type Testbed } from '../../appliance/testbed/testbed';
import type { TestbedStatus } from '../../appliance/testbed/state';
import type { ConnectionReport } from '../../main/contract/onboarding.contract';
import type { AuditEntry } from '../../main/contract/audit.contract';
import { createCapturingLogger } from '../helpers/capturing-logger';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { recordEvents } from '../helpers/event-recorder';
import { expectNoSecretLeaks } from '../helpers/secret-leaks';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = process.getuid?.() !== 0 ? 'the testbed needs root (network namespaces, loop devices)' : null;
if (skip) console.warn(`[skip] onboarding tests skipped: ${skip}`);

/** Onboarding against real sshd servers in testbed namespaces, through the console's dispatcher. */
describe.skipIf(skip)('onboarding on the testbed', () => {
  const tb: Testbed = createTestbed({ prefix: testbedPrefix('onb') });
  let status: TestbedStatus;
  // What the console logs and emits, searched for every secret the tests hand it (last test).
  const capture = createCapturingLogger();
  const console_ = makeConsole('onboarding', undefined, false, capture.log);
  const events = recordEvents(console_.events);
  const WRONG_SUDO_PASSWORD = 'not-the-password';
  const WRONG_PASSWORD = 'wrong-login-password';

  beforeAll(async () => {
    await tb.down();
    status = await tb.up({ appliances: 2, disks: 0 });
  }, 120_000);
  afterAll(async () => {
    events.stop();
    console_.cleanup();
    await tb.down();
  });

  const machine = (i: number) => status.machines[i]!;
  async function add(name: string, input: Record<string, unknown>): Promise<string> {
    const r = await console_.dispatcher.call('fleet.add', { name, ...input }, CTX);
    if (!r.ok) throw new Error(r.error.message);
    return (r.result as { id: string }).id;
  }
  async function auditEntries(): Promise<AuditEntry[]> {
    const r = await console_.dispatcher.call('audit.list', { limit: 500 }, CTX);
    if (!r.ok) throw new Error(r.error.message);
    return (r.result as { entries: AuditEntry[] }).entries;
  }
  async function test(id: string, timeoutMs?: number): Promise<ConnectionReport> {
    const r = await console_.dispatcher.call('onboarding.testConnection', { id, ...(timeoutMs ? { timeoutMs } : {}) }, CTX);
    if (!r.ok) throw new Error(r.error.message);
    return r.result as ConnectionReport;
  }

  it('shows an unknown host key first, then logs in as root once the person accepts it', async () => {
    const m = machine(0);
    const id = await add('a1-root', { address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } });
    const first = await test(id);
    expect(first).toMatchObject({ ok: false, stage: 'host-key', failure: { code: 'host-key-unknown' }, auth: null });
    expect(first.hostKey?.fingerprint).toBe(m.hostKey.fingerprint);
    expect(first.latencyMs).toBeGreaterThan(0);

    const accepted = await console_.dispatcher.call('onboarding.acceptHostKey', { id, fingerprint: first.hostKey!.fingerprint }, CTX);
    expect(accepted).toMatchObject({ ok: true, result: { fingerprint: m.hostKey.fingerprint, replaced: null } });

    const second = await test(id);
    expect(second).toMatchObject({ ok: true, stage: 'done', sudo: 'root', hostKey: { status: 'trusted' }, auth: { tried: [{ method: 'publickey', accepted: true }] } });
    expect(second.platform).toMatchObject({ os: 'Linux', arch: 'x64', supported: true });
  });

  it('logs in with a password as the sudo user and checks sudo with its password', async () => {
    const trust = async (id: string) => {
      const r = await test(id);
      await console_.dispatcher.call('onboarding.acceptHostKey', { id, fingerprint: r.hostKey!.fingerprint }, CTX);
    };
    const m2 = machine(1);
    const id = await add('a2-operator', { address: m2.address, user: m2.sudoUser, auth: { kind: 'password', password: m2.sudoPassword } });
    await trust(id);
    const needsSudo = await test(id);
    expect(needsSudo).toMatchObject({ ok: false, stage: 'sudo', failure: { code: 'sudo-password-required' } });
    expect(needsSudo.auth?.tried.at(-1)).toEqual({ method: 'password', accepted: true });

    await console_.dispatcher.call('fleet.update', { id, patch: { sudoPassword: WRONG_SUDO_PASSWORD } }, CTX);
    expect(await test(id)).toMatchObject({ ok: false, stage: 'sudo', failure: { code: 'sudo-denied' } });

    await console_.dispatcher.call('fleet.update', { id, patch: { sudoPassword: m2.sudoPassword } }, CTX);
    expect(await test(id)).toMatchObject({ ok: true, sudo: 'with-password' });

    await console_.dispatcher.call('fleet.update', { id, patch: { auth: { kind: 'password', password: WRONG_PASSWORD } } }, CTX);
    const wrong = await test(id);
    expect(wrong).toMatchObject({ ok: false, stage: 'auth', failure: { code: 'auth-failed' } });
    expect(wrong.failure?.message).not.toContain(WRONG_PASSWORD);
  });

  it('refuses a changed host key until the new one is accepted, and audits the replacement', async () => {
    const m = machine(0);
    const list = await console_.dispatcher.call('fleet.list', { filter: { text: 'a1-root' } }, CTX);
    const id = (list as { ok: true; result: { appliances: { id: string }[] } }).result.appliances[0]!.id;
    // The first test accepted a key for this appliance too: only rows written from here on count.
    const auditBefore = await auditEntries();
    const lastIdBefore = Math.max(0, ...auditBefore.map((e) => e.id));
    // Pretend the console had accepted another key for this endpoint (what a reinstall looks like from here).
    console_.db.prepare(`UPDATE known_host_keys SET fingerprint = 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' WHERE address = ?`).run(m.address);
    const changed = await test(id);
    expect(changed).toMatchObject({ ok: false, stage: 'host-key', failure: { code: 'host-key-changed' }, auth: null });
    expect(changed.hostKey).toMatchObject({ status: 'changed', fingerprint: m.hostKey.fingerprint, knownFingerprint: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' });

    const wrongAccept = await console_.dispatcher.call('onboarding.acceptHostKey', { id, fingerprint: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' }, CTX);
    expect(wrongAccept).toMatchObject({ ok: false, error: { code: 'conflict' } });
    const accept = await console_.dispatcher.call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint }, CTX);
    expect(accept).toMatchObject({ ok: true, result: { replaced: 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' } });
    expect(await test(id)).toMatchObject({ ok: true });

    // This test's two calls, each audited against this appliance, newest first: the replacement
    // that worked, then the refused fingerprint, with what was asked.
    const accepts = (await auditEntries()).filter((e) => e.id > lastIdBefore && e.method === 'onboarding.acceptHostKey');
    expect(accepts.map((e) => ({ result: e.result, target: e.target, errorCode: e.errorCode, input: e.input }))).toEqual([
      { result: 'ok', target: id, errorCode: null, input: { id, fingerprint: m.hostKey.fingerprint } },
      { result: 'error', target: id, errorCode: 'conflict', input: { id, fingerprint: 'SHA256:BBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBBB' } },
    ]);
    expect(accepts.every((e) => e.actor === CTX.actor && e.host === 'cli')).toBe(true);
  });

  it('reports an unreachable appliance within the timeout', async () => {
    const m = machine(1);
    const list = await console_.dispatcher.call('fleet.list', { filter: { text: 'a2-operator' } }, CTX);
    const id = (list as { ok: true; result: { appliances: { id: string }[] } }).result.appliances[0]!.id;
    await tb.fault(m.name, 'net-down');
    try {
      const t0 = performance.now();
      const r = await test(id, 3000);
      const took = performance.now() - t0;
      expect(r).toMatchObject({ ok: false, stage: 'connect', failure: { code: 'timeout' } });
      expect(took).toBeLessThan(6000);
    } finally {
      await tb.fault(m.name, 'net-up');
    }
  });

  it('never logs or emits a password, sudo password or private key it was given', () => {
    expectNoSecretLeaks('the console log and events', [...capture.lines(), ...events.texts()], {
      'root private key': fs.readFileSync(machine(0).rootKeyPath, 'utf8'),
      'login and sudo password': machine(1).sudoPassword,
      'wrong sudo password': WRONG_SUDO_PASSWORD,
      'wrong login password': WRONG_PASSWORD,
    });
    // Neither is empty: the connection tests above were logged and the fleet changes emitted.
    expect(capture.lines().length).toBeGreaterThan(0);
    expect(events.texts().length).toBeGreaterThan(0);
  });
});
