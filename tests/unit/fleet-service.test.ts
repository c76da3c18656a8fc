import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { databasePath } from '../../main/store/database';
import { createConsole } from '../../main/compose';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { defaultResources } from '../../main/provision/provisioner';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { makeTempDir } from '../helpers/temp-dir';

const consoles: Array<ReturnType<typeof makeConsole>> = [];
afterEach(() => consoles.splice(0).forEach((c) => c.cleanup()));
function open() {
  const c = makeConsole('fleet');
  consoles.push(c);
  return c;
}

describe('fleet through the dispatcher (real store, real secrets)', () => {
  it('adds, lists, filters, updates and removes an appliance', async () => {
    const c = open();
    const events: string[] = [];
    c.events.subscribe((e, p) => events.push(`${e}:${(p as { change: string }).change}`));

    const added = await c.dispatcher.call('fleet.add', { name: 'kodo-1', address: '10.0.0.11', tags: ['rack-a', 'rack-a'] }, CTX);
    expect(added.ok).toBe(true);
    const a = (added as { result: { id: string; tags: string[]; createdAt: string } }).result;
    expect(a.tags).toEqual(['rack-a']);
    expect(a.createdAt).toBe('2026-03-01T08:00:00.000Z');
    await c.dispatcher.call('fleet.add', { name: 'box-1', address: 'box1.lan', role: 'smartbox' }, CTX);

    const byRole = await c.dispatcher.call('fleet.list', { filter: { role: 'smartbox' } }, CTX);
    expect(byRole).toMatchObject({ ok: true, result: { appliances: [{ name: 'box-1' }] } });
    const byText = await c.dispatcher.call('fleet.list', { filter: { text: 'RACK' } }, CTX);
    expect(byText).toMatchObject({ ok: true, result: { appliances: [{ name: 'kodo-1' }] } });

    c.clock.advance(60_000);
    const updated = await c.dispatcher.call('fleet.update', { id: a.id, patch: { port: 2222, notes: '机房 B' } }, CTX);
    expect(updated).toMatchObject({ ok: true, result: { port: 2222, notes: '机房 B', updatedAt: '2026-03-01T08:01:00.000Z', createdAt: a.createdAt } });

    expect(await c.dispatcher.call('fleet.remove', { id: a.id }, CTX)).toEqual({ ok: true, result: { id: a.id } });
    expect(await c.dispatcher.call('fleet.get', { id: a.id }, CTX)).toMatchObject({ ok: false, error: { code: 'not-found' } });
    expect(events).toEqual(['fleet.changed:added', 'fleet.changed:added', 'fleet.changed:updated', 'fleet.changed:removed']);
  });

  it('refuses duplicate names (any case) and endpoints with a conflict naming the field', async () => {
    const c = open();
    await c.dispatcher.call('fleet.add', { name: 'Edge', address: '10.0.0.1' }, CTX);
    const sameName = await c.dispatcher.call('fleet.add', { name: 'edge', address: '10.0.0.2' }, CTX);
    expect(sameName).toMatchObject({ ok: false, error: { code: 'conflict', issues: [{ path: 'name', code: 'duplicate-name' }] } });
    const sameEndpoint = await c.dispatcher.call('fleet.add', { name: 'other', address: '10.0.0.1' }, CTX);
    expect(sameEndpoint).toMatchObject({ ok: false, error: { code: 'conflict', issues: [{ path: 'address', code: 'duplicate-endpoint', params: { name: 'Edge' } }] } });
    // IPv6 is compared in canonical form: 0:0::1 is ::1.
    await c.dispatcher.call('fleet.add', { name: 'v6', address: '::1' }, CTX);
    expect(await c.dispatcher.call('fleet.add', { name: 'v6-again', address: '0:0:0::1' }, CTX)).toMatchObject({ ok: false, error: { code: 'conflict' } });
    expect(await c.dispatcher.call('fleet.add', { name: 'v6-long', address: 'FE80:0:0:0:0:0:0:1%eth0' }, CTX)).toMatchObject({ ok: true, result: { address: 'fe80::1%eth0' } });
    // Another port on the same address is another endpoint.
    expect(await c.dispatcher.call('fleet.add', { name: 'other', address: '10.0.0.1', port: 2022 }, CTX)).toMatchObject({ ok: true });
  });

  it('stores credentials encrypted, reports only their kind, and removes them with the appliance', async () => {
    const c = open();
    const r = await c.dispatcher.call(
      'fleet.add',
      { name: 'n', address: 'n.lan', user: 'ops', auth: { kind: 'password', password: 'pa55-秘密' }, sudoPassword: 'sudo-pw' },
      CTX,
    );
    expect(r).toMatchObject({ ok: true, result: { credential: { kind: 'password', hasPassphrase: false, hasSudoPassword: true } } });
    expect(JSON.stringify(r)).not.toContain('pa55');
    const id = (r as { result: { id: string } }).result.id;

    const raw = new Database(databasePath(c.dataDir), { readonly: true });
    const dump = JSON.stringify(raw.prepare('SELECT * FROM credentials').all()) + JSON.stringify(raw.prepare('SELECT * FROM audit_log').all());
    expect(dump).not.toContain('pa55');
    expect(dump).not.toContain('sudo-pw');
    raw.close();

    const cleared = await c.dispatcher.call('fleet.update', { id, patch: { auth: null, sudoPassword: null } }, CTX);
    expect(cleared).toMatchObject({ ok: true, result: { credential: { kind: null, hasSudoPassword: false } } });
    await c.dispatcher.call('fleet.update', { id, patch: { auth: { kind: 'password', password: 'x' } } }, CTX);
    await c.dispatcher.call('fleet.remove', { id }, CTX);
    expect(c.db.prepare('SELECT count(*) FROM credentials').pluck().get()).toBe(0);
  });

  it('audits every mutating call, failures included, with secrets redacted', async () => {
    const c = open();
    await c.dispatcher.call('fleet.add', { name: 'a', address: 'a.lan', auth: { kind: 'password', password: 'topsecret' } }, CTX);
    await c.dispatcher.call('fleet.add', { name: '', address: 'a.lan' }, CTX);
    await c.dispatcher.call('fleet.list', {}, CTX); // not mutating: not audited
    const page = await c.dispatcher.call('audit.list', { limit: 10 }, CTX);
    expect(page).toMatchObject({
      ok: true,
      result: {
        entries: [
          { method: 'fleet.add', result: 'error', errorCode: 'invalid-input', actor: 'tester', host: 'cli' },
          { method: 'fleet.add', result: 'ok', input: { auth: { kind: 'password', secret: '[redacted]' } } },
        ],
        nextCursor: null,
      },
    });
    expect(JSON.stringify(page)).not.toContain('topsecret');
  });

  it('pages the audit log by cursor', async () => {
    const c = open();
    for (let i = 0; i < 5; i++) await c.dispatcher.call('settings.update', { theme: i % 2 ? 'dark' : 'light' }, CTX);
    const first = (await c.dispatcher.call('audit.list', { limit: 2 }, CTX)) as { ok: true; result: { entries: { id: number }[]; nextCursor: number } };
    expect(first.result.entries.map((e) => e.id)).toEqual([5, 4]);
    const second = (await c.dispatcher.call('audit.list', { limit: 2, before: first.result.nextCursor }, CTX)) as typeof first;
    expect(second.result.entries.map((e) => e.id)).toEqual([3, 2]);
    const last = (await c.dispatcher.call('audit.list', { limit: 2, before: second.result.nextCursor }, CTX)) as typeof first;
    expect(last.result).toMatchObject({ entries: [{ id: 1 }], nextCursor: null });
  });

  it('turns unknown methods, bad input and broken handlers into typed errors', async () => {
    const c = open();
    expect(await c.dispatcher.call('fleet.explode', {}, CTX)).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    expect(await c.dispatcher.call('fleet.get', 'not an object', CTX)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await c.dispatcher.call('fleet.get', { id: '../../etc/passwd' }, CTX)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(await c.dispatcher.call('toString', {}, CTX)).toMatchObject({ ok: false, error: { code: 'unknown-method' } });
    // A closed database makes the handler throw; the caller gets `internal`, not the SQLite message.
    c.db.close();
    const broken = await c.dispatcher.call('fleet.list', {}, CTX);
    expect(broken).toMatchObject({ ok: false, error: { code: 'internal' } });
    expect(JSON.stringify(broken)).not.toMatch(/database connection/i);
  });

  it('keeps settings and emits settings.changed', async () => {
    const c = open();
    const seen: unknown[] = [];
    c.events.subscribe((e, p) => e === 'settings.changed' && seen.push(p));
    const telemetryRetention = { rawDays: 7, minuteDays: 90, hourDays: 730 };
    expect(await c.dispatcher.call('settings.get', {}, CTX)).toEqual({ ok: true, result: { locale: null, theme: 'system', telemetryRetention } });
    await c.dispatcher.call('settings.update', { locale: 'zh-CN' }, CTX);
    expect(await c.dispatcher.call('settings.get', {}, CTX)).toEqual({ ok: true, result: { locale: 'zh-CN', theme: 'system', telemetryRetention } });
    expect(seen).toEqual([{ locale: 'zh-CN', theme: 'system', telemetryRetention }]);
    expect(await c.dispatcher.call('settings.update', { locale: 'fr' }, CTX)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
  });

  it('keeps telemetry retention in the settings, refuses 1-minute averages kept shorter than raw samples, and opens the store with it', async () => {
    const dir = makeTempDir('retention');
    const c1 = createConsole({ host: 'cli', dataDir: dir.dir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: defaultResources(dir.dir) });
    try {
      const bad = await c1.dispatcher.call('settings.update', { telemetryRetention: { rawDays: 14, minuteDays: 7, hourDays: 365 } }, CTX);
      expect(bad).toMatchObject({ ok: false, error: { code: 'invalid-input', issues: [{ path: 'telemetryRetention.minuteDays', code: 'retention-order' }] } });
      expect(await c1.dispatcher.call('settings.update', { telemetryRetention: { rawDays: 3, minuteDays: 30, hourDays: 365 } }, CTX)).toMatchObject({ ok: true });
    } finally {
      c1.close();
    }
    // Read at the next start, as the Settings page says.
    const c2 = createConsole({ host: 'cli', dataDir: dir.dir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: defaultResources(dir.dir) });
    try {
      expect(c2.monitoring.telemetry.retention).toEqual({ raw: 3, minute: 30, hour: 365 });
    } finally {
      c2.close();
      dir.cleanup();
    }
  });
});

describe('audit log contents', () => {
  it('records only field names and reasons for input that failed validation, never its values', async () => {
    const c = makeConsole('audit-typo');
    try {
      await c.dispatcher.call('fleet.add', { name: 'a', address: 'a.lan', auth: { kind: 'password', pasword: 'TYPO-SECRET' } }, CTX);
      await c.dispatcher.call('fleet.add', { name: 'b', address: 'b.lan', pasword: 'TYPO-SECRET-2' }, CTX);
      const page = await c.dispatcher.call('audit.list', { limit: 10 }, CTX);
      const text = JSON.stringify(page);
      expect(text).not.toContain('TYPO-SECRET');
      expect(page).toMatchObject({ ok: true, result: { entries: [{ result: 'error', input: { invalid: [{ code: 'unrecognized-keys' }] } }, { result: 'error' }] } });
    } finally {
      c.cleanup();
    }
  });

});

describe('private keys are checked when saved', () => {
  it('refuses an unreadable key, a missing passphrase and a wrong one, on the field to fix', async () => {
    const { execFileSync } = await import('node:child_process');
    const fs = await import('node:fs');
    const c = makeConsole('keys');
    try {
      const file = `${c.dataDir}/id_enc`;
      execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', 'right-pass', '-f', file]);
      const privateKey = fs.readFileSync(file, 'utf8');
      const add = (auth: Record<string, unknown>) => c.dispatcher.call('fleet.add', { name: 'k', address: 'k.lan', auth: { kind: 'private-key', ...auth } }, CTX);

      expect(await add({ privateKey: '-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n' })).toMatchObject({
        ok: false,
        error: { code: 'invalid-input', issues: [{ path: 'auth.privateKey', code: 'unreadable-private-key' }] },
      });
      expect(await add({ privateKey })).toMatchObject({ ok: false, error: { issues: [{ path: 'auth.passphrase', code: 'passphrase-required' }] } });
      const wrong = await add({ privateKey, passphrase: 'Hunter-22' });
      expect(wrong).toMatchObject({ ok: false, error: { issues: [{ path: 'auth.passphrase', code: 'wrong-passphrase' }] } });
      expect(JSON.stringify(wrong)).not.toContain('Hunter-22');
      expect(await add({ privateKey, passphrase: 'right-pass' })).toMatchObject({ ok: true, result: { credential: { kind: 'private-key', hasPassphrase: true } } });
    } finally {
      c.cleanup();
    }
  });
});
