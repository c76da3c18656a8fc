import { describe, expect, it } from 'vitest';
import { apiEvents, apiMethods } from '../../main/contract/api.contract';
import { ApiError } from '../../main/contract/errors';
import { applianceInput, appliancePatch } from '../../main/contract/fleet.contract';
import { parseOrThrow } from '../../main/contract/validate';
import { redactSecrets } from '../../main/contract/redact';

function issuesOf(value: unknown) {
  try {
    parseOrThrow(applianceInput, value, 'appliance');
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid-input');
    return (err as ApiError).issues ?? [];
  }
  throw new Error('expected invalid input');
}

describe('appliance input', () => {
  it('fills defaults for a minimal appliance', () => {
    const v = parseOrThrow(applianceInput, { name: '存储节点-01', address: 'node1.example.com' }, 'appliance');
    expect(v).toMatchObject({ name: '存储节点-01', address: 'node1.example.com', port: 22, user: 'root', role: 'server', tags: [], notes: '' });
  });

  it.each([
    ['10.1.2.3'],
    ['fe80::1%eth0'],
    ['::1'],
    ['box-7.site.internal'],
    ['localhost'],
  ])('accepts the address %s', (address) => {
    expect(parseOrThrow(applianceInput, { name: 'a', address }, 'appliance').address).toBe(address);
  });

  it.each([
    ['', 'too-small'],
    ['bad host', 'invalid-address'],
    ['300.1.1.1', 'invalid-address'],
    ['-leading.example', 'invalid-address'],
    ['a'.repeat(254), 'too-big'],
  ])('rejects the address %j with %s', (address, code) => {
    const issues = issuesOf({ name: 'a', address });
    expect(issues.find((i) => i.path === 'address')?.code).toBe(code);
  });

  it('names a missing field as required, and every wrong field at once', () => {
    const issues = issuesOf({ port: 70000, user: 'Root', role: 'router' });
    const byPath = Object.fromEntries(issues.map((i) => [i.path, i]));
    expect(byPath.name?.code).toBe('required');
    expect(byPath.address?.code).toBe('required');
    expect(byPath.port).toMatchObject({ code: 'too-big', params: { limit: 65535 } });
    expect(byPath.user?.code).toBe('invalid-user');
    expect(byPath.role?.code).toBe('invalid-value');
  });

  it('refuses unknown fields rather than silently dropping them', () => {
    const issues = issuesOf({ name: 'a', address: 'b', colour: 'red' });
    expect(issues[0]).toMatchObject({ code: 'unrecognized-keys', params: { keys: 'colour' } });
  });

  it('checks a pasted key looks like a private key', () => {
    const issues = issuesOf({ name: 'a', address: 'b', auth: { kind: 'private-key', privateKey: 'ssh-ed25519 AAAA... me@laptop' } });
    expect(issues[0]).toMatchObject({ path: 'auth.privateKey', code: 'invalid-private-key' });
  });

  it('never echoes a secret in an error', () => {
    try {
      parseOrThrow(applianceInput, { name: 'a', address: 'b', auth: { kind: 'password', password: 'hunter2', extra: 1 } }, 'appliance');
      throw new Error('expected invalid input');
    } catch (err) {
      expect(JSON.stringify((err as ApiError).toBody())).not.toContain('hunter2');
    }
  });

  it('allows a patch to clear credentials with null', () => {
    expect(parseOrThrow(appliancePatch, { auth: null }, 'patch')).toEqual({ auth: null });
  });
});

describe('the contract as a whole', () => {
  it('declares input and output schemas and a summary for every method', () => {
    for (const [name, spec] of Object.entries(apiMethods)) {
      expect(name).toMatch(/^[a-z][a-zA-Z]*\.[a-zA-Z]+$/);
      expect(spec.summary.length, name).toBeGreaterThan(5);
      expect(typeof spec.input.safeParse).toBe('function');
      expect(typeof spec.output.safeParse).toBe('function');
    }
  });

  it('names only declared events, and every event is pushed by some method or by the host', () => {
    const pushedByMethods = new Set(Object.values(apiMethods).flatMap((spec) => spec.events ?? []));
    for (const e of pushedByMethods) expect(Object.keys(apiEvents), e).toContain(e);
    // Hosts push this one themselves when another process writes the store.
    expect([...pushedByMethods, 'system.changedElsewhere'].sort()).toEqual(Object.keys(apiEvents).sort());
  });

  it('marks every method that changes state as mutating, so it is audited', () => {
    const mutating = Object.entries(apiMethods).filter(([, s]) => s.mutating).map(([n]) => n).sort();
    expect(mutating).toEqual([
      'agentSettings.update',
      'alerts.acknowledge',
      'alerts.resetRule',
      'alerts.silence',
      'alerts.unsilence',
      'alerts.updateRule',
      'bundle.create',
      'diagnose.run',
      'disks.selfTest',
      'fleet.add',
      'fleet.import',
      'fleet.remove',
      'fleet.update',
      'kodo.beginUpload',
      'kodo.createBucket',
      'kodo.createKey',
      'kodo.deleteBucket',
      'kodo.deleteObject',
      'kodo.heal',
      'kodo.init',
      'kodo.presignObject',
      'kodo.revokeKey',
      'kodo.setPublicRead',
      'onboarding.acceptHostKey',
      'provision.cancel',
      'provision.install',
      'provision.uninstall',
      'provision.upgrade',
      'service.configure',
      'service.restart',
      'service.start',
      'service.stop',
      'settings.update',
      'terminal.open',
    ]);
  });
});

describe('redaction', () => {
  it('removes secrets at any depth and keeps the credential kind', () => {
    const out = redactSecrets({ id: 'x', patch: { name: 'n', auth: { kind: 'private-key', privateKey: 'K', passphrase: 'P' }, sudoPassword: 'S' } });
    expect(out).toEqual({ id: 'x', patch: { name: 'n', auth: { kind: 'private-key', secret: '[redacted]' }, sudoPassword: '[redacted]' } });
    expect(JSON.stringify(out)).not.toMatch(/"K"|"P"|"S"/);
  });

  it('removes secrets from a free-form service config by their names, and keeps switches and plain values', () => {
    const config = { secretAccessKey: 'A1', rootPassword: 'A2', sharedSecret: 'A3', apiToken: 'A4', hotlinkKey: 'A5', accessKeyId: 'A6', upstream: { signingKey: 'A7' }, requireToken: true, port: 9000, region: 'cn-east' };
    const out = redactSecrets({ applianceId: 'a', service: 'kodo', enabled: true, config }) as { config: Record<string, unknown> };
    expect(JSON.stringify(out)).not.toMatch(/"A[1-57]"/);
    // An access key id names a key (it travels in the clear with every S3 request), so an audit row says which one.
    expect(out.config).toMatchObject({ requireToken: true, port: 9000, region: 'cn-east', accessKeyId: 'A6' });
  });
});
