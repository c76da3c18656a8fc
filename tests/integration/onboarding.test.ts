import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestbed, type Testbed } from '../../appliance/testbed/testbed';
import type { TestbedStatus } from '../../appliance/testbed/state';
import type { ConnectionReport } from '../../main/contract/onboarding.contract';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = process.getuid?.() !== 0 ? 'the testbed needs root (network namespaces, loop devices)' : null;
if (skip) console.warn(`[skip] onboarding tests skipped: ${skip}`);

/** Onboarding against real sshd servers in testbed namespaces, through the console's dispatcher. */
describe.skipIf(skip)('onboarding on the testbed', () => {
  const tb: Testbed = createTestbed({ prefix: testbedPrefix('onb') });
  let status: TestbedStatus;
  const console_ = makeConsole('onboarding');

  beforeAll(async () => {
    await tb.down();
    status = await tb.up({ appliances: 2, disks: 0 });
  }, 120_000);
  afterAll(async () => {
    console_.cleanup();
    await tb.down();
  });

  const machine = (i: number) => status.machines[i]!;
  async function add(name: string, input: Record<string, unknown>): Promise<string> {
    const r = await console_.dispatcher.call('fleet.add', { name, ...input }, CTX);
    if (!r.ok) throw new Error(r.error.message);
    return (r.result as { id: string }).id;
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

    await console_.dispatcher.call('fleet.update', { id, patch: { sudoPassword: 'not-the-password' } }, CTX);
    expect(await test(id)).toMatchObject({ ok: false, stage: 'sudo', failure: { code: 'sudo-denied' } });

    await console_.dispatcher.call('fleet.update', { id, patch: { sudoPassword: m2.sudoPassword } }, CTX);
    expect(await test(id)).toMatchObject({ ok: true, sudo: 'with-password' });

    await console_.dispatcher.call('fleet.update', { id, patch: { auth: { kind: 'password', password: 'wrong' } } }, CTX);
    const wrong = await test(id);
    expect(wrong).toMatchObject({ ok: false, stage: 'auth', failure: { code: 'auth-failed' } });
    expect(wrong.failure?.message).not.toContain('wrong');
  });

  it('refuses a changed host key until the new one is accepted, and audits the replacement', async () => {
    const m = machine(0);
    const list = await console_.dispatcher.call('fleet.list', { filter: { text: 'a1-root' } }, CTX);
    const id = (list as { ok: true; result: { appliances: { id: string }[] } }).result.appliances[0]!.id;
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

    const audit = await console_.dispatcher.call('audit.list', { limit: 100 }, CTX);
    const accepts = (audit as { ok: true; result: { entries: { method: string; result: string; target: string }[] } }).result.entries.filter((e) => e.method === 'onboarding.acceptHostKey');
    expect(accepts.map((e) => e.result)).toEqual(expect.arrayContaining(['ok', 'error']));
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
});
