import { execFileSync } from 'node:child_process';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { probeConnection } from '../../main/ssh/connection-probe';
import { connectSsh, execCommand, type TrustedKey } from '../../main/ssh/ssh-connect';
import { startLocalSshd, sshdMissingReason, type LocalSshd } from '../helpers/local-sshd';

const skip = sshdMissingReason();
if (skip) console.warn(`[skip] SSH connection tests skipped: ${skip}`);

/** ssh-keygen's own fingerprint of a public key file's line, the reference for ours. */
function keygenFingerprint(pubLine: string): string {
  return execFileSync('ssh-keygen', ['-l', '-E', 'sha256', '-f', '-'], { input: pubLine, encoding: 'utf8' }).split(' ')[1]!;
}

describe.skipIf(skip)('SSH connections against a real sshd', () => {
  let sshd: LocalSshd;
  beforeAll(async () => {
    sshd = await startLocalSshd();
  });
  afterAll(async () => sshd?.stop());

  const target = () => ({ address: '127.0.0.1', port: sshd.port, user: 'root' });

  it('stops at an unknown host key before sending any credential, showing the ssh-keygen fingerprint', async () => {
    const r = await connectSsh({ target: target(), credential: { kind: 'private-key', privateKey: sshd.clientKey }, trustedKeys: [] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.code).toBe('host-key-unknown');
    expect(r.hostKey?.fingerprint).toBe(keygenFingerprint(sshd.hostKeyPub));
    expect(r.hostKey?.keyType).toBe('ssh-ed25519');
    expect(r.auth?.tried).toEqual([]);
    expect(r.latencyMs).toBeGreaterThan(0);
  });

  it('logs in with a trusted key and runs a command', async () => {
    const trusted: TrustedKey[] = [{ keyType: 'ssh-ed25519', fingerprint: keygenFingerprint(sshd.hostKeyPub) }];
    const r = await connectSsh({ target: target(), credential: { kind: 'private-key', privateKey: sshd.clientKey }, trustedKeys: trusted });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.auth.tried).toEqual([{ method: 'publickey', accepted: true }]);
    expect(r.hostKey.status).toBe('trusted');
    const out = await execCommand(r.client, 'id -u; uname -s');
    expect(out).toMatchObject({ code: 0, stdout: '0\nLinux\n' });
    r.client.end();
  });

  it('reports a refused login with what was tried and what the server accepts', async () => {
    const trusted = [{ keyType: 'ssh-ed25519', fingerprint: keygenFingerprint(sshd.hostKeyPub) }];
    const r = await connectSsh({ target: target(), credential: { kind: 'password', password: 'wrong' }, trustedKeys: trusted });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.code).toBe('auth-failed');
    expect(r.auth?.offered).toEqual(['publickey']);
    expect(r.failure.message).toMatch(/refused the login as root .*the server accepts: publickey/);
    expect(r.failure.message).not.toContain('wrong');
  });

  it('refuses a changed host key, naming both fingerprints', async () => {
    const old = keygenFingerprint(sshd.hostKeyPub);
    await sshd.rotateHostKey();
    const r = await connectSsh({ target: target(), credential: { kind: 'private-key', privateKey: sshd.clientKey }, trustedKeys: [{ keyType: 'ssh-ed25519', fingerprint: old }] });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.failure.code).toBe('host-key-changed');
    expect(r.failure.params).toMatchObject({ fingerprint: keygenFingerprint(sshd.hostKeyPub), known: old });
    expect(r.auth?.tried).toEqual([]);
  });

  it('says connection refused for a closed port', async () => {
    const r = await connectSsh({ target: { address: '127.0.0.1', port: 1, user: 'root' }, credential: null, trustedKeys: [] });
    expect(r).toMatchObject({ ok: false, failure: { code: 'connection-refused' } });
  });

  it('says the name does not resolve', async () => {
    const r = await connectSsh({ target: { address: 'no-such-appliance.invalid', port: 22, user: 'root' }, credential: null, trustedKeys: [] });
    expect(r).toMatchObject({ ok: false, failure: { code: 'name-not-resolved' } });
  });

  it('gives up on a server that never speaks SSH within the timeout', async () => {
    const silent = net.createServer(() => {}); // accepts and says nothing, like a black-holed proxy
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
    const port = (silent.address() as net.AddressInfo).port;
    const t0 = performance.now();
    const r = await connectSsh({ target: { address: '127.0.0.1', port, user: 'root' }, credential: null, trustedKeys: [], timeoutMs: 1500 });
    const took = performance.now() - t0;
    silent.close();
    expect(r).toMatchObject({ ok: false, failure: { code: 'timeout', params: { seconds: 2 } } });
    expect(took).toBeGreaterThanOrEqual(1400);
    expect(took).toBeLessThan(5000);
  });
});

describe.skipIf(skip)('test connection against a restricted account', () => {
  let sshd: LocalSshd;
  beforeAll(async () => {
    sshd = await startLocalSshd({ extraConfig: ['ForceCommand /bin/false'] });
  });
  afterAll(async () => sshd?.stop());

  it('reports that the login worked but commands do not run, at the platform stage', async () => {
    const trusted = [{ keyType: 'ssh-ed25519', fingerprint: keygenFingerprint(sshd.hostKeyPub) }];
    const target = { address: '127.0.0.1', port: sshd.port, user: 'root' };
    const r = await probeConnection({
      target,
      connect: () => connectSsh({ target, credential: { kind: 'private-key', privateKey: sshd.clientKey }, trustedKeys: trusted }),
      sudoPassword: null,
    });
    expect(r).toMatchObject({ ok: false, stage: 'platform', failure: { code: 'protocol-error' }, auth: { tried: [{ method: 'publickey', accepted: true }] } });
    expect(r.failure?.message).toMatch(/accepted the login but would not run a command/);
  });
});
