import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import Database from 'better-sqlite3';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { databasePath } from '../../main/store/database';
import { expectNoSecretLeaks } from '../helpers/secret-leaks';
import { startServe, type ServeProcess } from '../helpers/serve-process';
import { makeTempDir } from '../helpers/temp-dir';

/** The headless host over real HTTP and WebSocket, as a browser or script would reach it. */
describe('headless host', () => {
  const tmp = makeTempDir('serve');
  const uiDir = path.join(tmp.dir, 'ui');
  let host: ServeProcess;

  const call = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${host.url}/api/call/${method}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}`, ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  beforeAll(async () => {
    // A stand-in UI build: this suite is about the API; the e2e suite serves the real build.
    fs.mkdirSync(path.join(uiDir, 'assets'), { recursive: true });
    fs.writeFileSync(path.join(uiDir, 'index.html'), '<!doctype html><title>ui</title>');
    fs.writeFileSync(path.join(uiDir, 'assets', 'app.js'), 'console.log(1)');
    // At debug, so that a secret written at any level shows in the output the last test searches.
    host = await startServe({ dataDir: path.join(tmp.dir, 'data'), uiDir, env: { APPLIANCE_CONSOLE_LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => {
    await host?.stop();
    tmp.cleanup();
  });

  it('binds to loopback and prints a login URL with a token', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(host.token.length).toBeGreaterThanOrEqual(40);
  });

  it('answers 401 without the token, for the UI, the API and the event socket', async () => {
    expect((await fetch(`${host.url}/`)).status).toBe(401);
    const api = await fetch(`${host.url}/api/call/fleet.list`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
    const wrong = await call('fleet.list', {}, { Authorization: 'Bearer nope' });
    expect(wrong.status).toBe(401);
    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/api/events`);
    const err = await new Promise<string>((resolve) => ws.on('error', (e) => resolve(String(e))));
    expect(err).toMatch(/401/);
    expect((await fetch(`${host.url}/login?token=wrong`, { redirect: 'manual' })).status).toBe(401);
  });

  it('trades the login token for an HttpOnly, SameSite=Strict cookie that then opens the UI', async () => {
    const login = await fetch(host.loginUrl, { redirect: 'manual' });
    expect(login.status).toBe(302);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    // Named per port: another local server or a second console never receives this cookie under its own name.
    expect(cookie.startsWith(`ac_session_${new URL(host.url).port}=`)).toBe(true);
    const page = await fetch(`${host.url}/`, { headers: { Cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/default-src 'self'.*object-src 'none'/);
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect(await page.text()).toContain('<title>ui</title>');
  });

  it('never serves files outside the UI directory', async () => {
    for (const p of ['/../data/console.sqlite', '/%2e%2e/data/console.sqlite', '/assets/..%2f..%2fdata%2fsecret.key']) {
      const r = await fetch(`${host.url}${p}`, { headers: { Authorization: `Bearer ${host.token}` } });
      expect(r.status, p).toBe(404);
    }
  });

  it('returns typed errors with stable codes for bad input, and keeps running', async () => {
    const notJson = await call('fleet.add', '{"name": ');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ ok: false, error: { code: 'invalid-input' } });

    const invalid = await call('fleet.add', { name: '', address: 'no spaces allowed', port: 'twenty-two' });
    expect(invalid.status).toBe(400);
    const body = (await invalid.json()) as { error: { issues: { path: string; code: string }[] } };
    expect(body.error.issues.map((i) => `${i.path}:${i.code}`).sort()).toEqual(['address:invalid-address', 'name:too-small', 'port:invalid-type']);

    expect((await call('no.such', {})).status).toBe(404);
    const wrongType = await fetch(`${host.url}/api/call/fleet.list`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain', Authorization: `Bearer ${host.token}` },
      body: '{}',
    });
    expect(wrongType.status).toBe(400);
    const huge = await call('fleet.add', { name: 'x', address: 'y', notes: 'z'.repeat(2 * 1024 * 1024) });
    expect(huge.status).toBe(413);
    expect(await huge.json()).toMatchObject({ ok: false, error: { code: 'invalid-input', message: expect.stringMatching(/larger than 1024 KiB/) } });
    // Without a declared length (chunked), the limit is enforced while reading.
    const chunked = await fetch(`${host.url}/api/call/fleet.add`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${host.token}` },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 40; i++) controller.enqueue(new TextEncoder().encode('x'.repeat(64 * 1024)));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);

    expect((await call('fleet.list', {})).status).toBe(200);
  });

  it('refuses calls and sockets from another origin', async () => {
    const r = await call('fleet.list', {}, { Origin: 'http://evil.example' });
    expect(r.status).toBe(401);
    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/api/events`, {
      headers: { Authorization: `Bearer ${host.token}`, Origin: 'http://evil.example' },
    });
    await expect(new Promise((_, reject) => ws.on('error', reject))).rejects.toThrow(/401/);
  });

  it('pushes events over WebSocket and writes audit rows for mutating calls', async () => {
    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/api/events`, { headers: { Authorization: `Bearer ${host.token}`, Origin: host.url } });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const received = new Promise<{ event: string; payload: { change: string; id: string } }>((resolve) =>
      ws.once('message', (m: Buffer) => resolve(JSON.parse(m.toString()) as never)),
    );
    const added = (await (await call('fleet.add', { name: 'ws-test', address: '10.9.9.9', auth: { kind: 'password', password: 'never-logged' } })).json()) as {
      ok: true;
      result: { id: string };
    };
    expect(added.ok).toBe(true);
    const msg = await received;
    expect(msg).toEqual({ event: 'fleet.changed', payload: { change: 'added', id: added.result.id } });
    ws.close();

    const audit = (await (await call('audit.list', { limit: 50 })).json()) as { result: { entries: { method: string; result: string; host: string; target: string }[] } };
    const rows = audit.result.entries.filter((e) => e.method === 'fleet.add');
    expect(rows.some((r) => r.result === 'ok' && r.host === 'serve' && r.target === added.result.id)).toBe(true);
    expect(rows.some((r) => r.result === 'error')).toBe(true); // the invalid add above
    expect(host.output()).not.toContain('never-logged');
  });

  it('never writes a password, key passphrase, private key or sudo password to its output, its events or the audit log', async () => {
    const keyFile = path.join(tmp.dir, 'id_secret');
    const secrets = { password: 'serve-login-pw-5512', 'key passphrase': 'serve-passphrase-8841', 'sudo password': 'serve-sudo-pw-2290', 'new password': 'serve-new-pw-7314' };
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', secrets['key passphrase'], '-f', keyFile]);
    const privateKey = fs.readFileSync(keyFile, 'utf8');
    const frames: string[] = [];
    const ws = new WebSocket(`${host.url.replace('http', 'ws')}/api/events`, { headers: { Authorization: `Bearer ${host.token}`, Origin: host.url } });
    ws.on('message', (m: Buffer) => frames.push(m.toString()));
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    const body = async (r: Response) => (await r.json()) as { ok: boolean; result?: { id: string }; error?: { message: string } };
    const keyed = await body(await call('fleet.add', { name: 'secret-key', address: '10.9.8.1', user: 'ops', auth: { kind: 'private-key', privateKey, passphrase: secrets['key passphrase'] }, sudoPassword: secrets['sudo password'] }));
    expect(keyed.ok, keyed.error?.message).toBe(true);
    const pw = await body(await call('fleet.add', { name: 'secret-pw', address: '10.9.8.2', user: 'ops', auth: { kind: 'password', password: secrets.password }, sudoPassword: secrets['sudo password'] }));
    expect(pw.ok, pw.error?.message).toBe(true);
    expect((await body(await call('fleet.update', { id: pw.result!.id, patch: { auth: { kind: 'password', password: secrets['new password'] } } }))).ok).toBe(true);
    // Refused calls carrying secrets: a wrong passphrase, and a misspelt field holding a password.
    expect((await body(await call('fleet.add', { name: 'secret-bad', address: '10.9.8.3', auth: { kind: 'private-key', privateKey, passphrase: 'not-the-passphrase' } }))).ok).toBe(false);
    expect((await body(await call('fleet.update', { id: pw.result!.id, patch: { pasword: secrets.password } }))).ok).toBe(false);
    const audit = await (await call('audit.list', { limit: 50 })).text();
    // The events of the three changes have arrived when the third has.
    for (let waited = 0; frames.length < 3 && waited < 5000; waited += 25) await new Promise((r) => setTimeout(r, 25));
    ws.close();
    expect(frames.length).toBeGreaterThanOrEqual(3);
    expect(audit).toContain('"secret-key"');
    expectNoSecretLeaks('the host’s output, its event frames and the audit log', [host.output(), ...frames, audit], { ...secrets, 'wrong passphrase': 'not-the-passphrase', 'private key': privateKey });
  });

  it('serves over TLS when given a certificate', async () => {
    const cert = path.join(tmp.dir, 'cert.pem');
    const key = path.join(tmp.dir, 'key.pem');
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
    const tlsHost = await startServe({ dataDir: path.join(tmp.dir, 'tls'), uiDir, args: ['--tls-cert', cert, '--tls-key', key] });
    try {
      expect(tlsHost.url).toMatch(/^https:\/\/127\.0\.0\.1:/);
      const status = await new Promise<number>((resolve, reject) => {
        https.get(`${tlsHost.url}/healthz`, { ca: fs.readFileSync(cert) }, (res) => resolve(res.statusCode ?? 0)).on('error', reject);
      });
      expect(status).toBe(200);
      const login = await new Promise<string>((resolve, reject) => {
        https.get(tlsHost.loginUrl, { ca: fs.readFileSync(cert) }, (res) => resolve(String(res.headers['set-cookie']))).on('error', reject);
      });
      expect(login).toMatch(/; Secure/);
      expect(login).toMatch(/^__Host-ac_session_\d+=/);
    } finally {
      await tlsHost.stop();
    }
  });

  it('keeps every acknowledged write when the process is killed mid-write', async () => {
    const dataDir = path.join(tmp.dir, 'kill');
    const victim = await startServe({ dataDir, uiDir });
    const acknowledged: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; !stop; i++) {
        try {
          const r = await fetch(`${victim.url}/api/call/fleet.add`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${victim.token}` },
            body: JSON.stringify({ name: `w${w}-${i}`, address: `10.${w}.${(i >> 8) & 255}.${i & 255}`, notes: 'x'.repeat(500) }),
          });
          if (r.ok) acknowledged.push(`w${w}-${i}`);
        } catch {
          return; // connection reset: the process is gone
        }
      }
    });
    // Kill once enough writes have been acknowledged, whatever the machine's speed.
    for (let waited = 0; acknowledged.length < 30 && waited < 30_000; waited += 50) await new Promise((r) => setTimeout(r, 50));
    await victim.stop('SIGKILL');
    stop = true;
    await Promise.all(writers);
    expect(acknowledged.length).toBeGreaterThanOrEqual(30);

    const db = new Database(databasePath(dataDir));
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    const names = new Set(db.prepare('SELECT name FROM appliances').pluck().all() as string[]);
    db.close();
    expect(acknowledged.filter((n) => !names.has(n))).toEqual([]);
  });
});
