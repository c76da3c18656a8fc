/**
 * The terminal (issue 10 §3) against a real OpenSSH server: a login shell in a pty through the
 * console's contract, typed input and its output (Chinese too), resize as the shell sees it, a
 * recording in asciicast v2, the link to the machine dropped and the session back on a new shell,
 * `exit` ending the session, and nothing run on the machine but what was typed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256Fingerprint } from '../../main/ssh/host-key';
import { CTX, makeConsole } from '../helpers/console-fixture';
import { startLocalSshd, sshdMissingReason, type LocalSshd } from '../helpers/local-sshd';

const skip = sshdMissingReason();
if (skip) console.warn(`[skip] terminal tests skipped: ${skip}`);

type Read = { chunks: { seq: number; text: string }[]; state: string; lost: boolean };

describe.skipIf(skip)('a terminal on a machine, over SSH', () => {
  let sshd: LocalSshd;
  let c: ReturnType<typeof makeConsole>;
  let applianceId = '';

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.message}`), { body: r.error });
    return r.result as T;
  }

  /** Reads output until `pattern` shows in what was read since `from`; returns the text and the last seq. */
  async function readUntil(sessionId: string, from: number, pattern: RegExp, timeoutMs = 15_000): Promise<{ text: string; seq: number; state: string }> {
    let text = '';
    let seq = from;
    let state = '';
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const r = await call<Read>('terminal.read', { sessionId, after: seq });
      for (const ch of r.chunks) text += ch.text;
      seq = r.chunks.at(-1)?.seq ?? seq;
      state = r.state;
      if (pattern.test(text) || r.state === 'closed') break;
    }
    if (!pattern.test(text)) throw new Error(`never saw ${pattern} in: ${JSON.stringify(text.slice(-500))}`);
    return { text, seq, state };
  }

  beforeAll(async () => {
    sshd = await startLocalSshd();
    c = makeConsole('terminal', undefined, true);
    const added = await call<{ id: string }>('fleet.add', { name: 'term-1', address: '127.0.0.1', port: sshd.port, auth: { kind: 'private-key', privateKey: sshd.clientKey } });
    applianceId = added.id;
    const keyBlob = Buffer.from(sshd.hostKeyPub.split(' ')[1]!, 'base64');
    await call('onboarding.acceptHostKey', { id: applianceId, fingerprint: sha256Fingerprint(keyBlob) });
  }, 60_000);
  afterAll(async () => {
    await c?.close();
    await sshd?.stop();
  });

  it('runs what is typed, in Chinese too, sees the size it is given, and records it as asciicast v2', async () => {
    const { sessionId, recording } = await call<{ sessionId: string; recording: string | null }>('terminal.open', { applianceId, cols: 100, rows: 30, record: true });
    expect(recording).toMatch(/^term-1-.*\.cast$/);
    await call('terminal.input', { sessionId, data: 'echo "hello-$((6*7))"\r' });
    let at = (await readUntil(sessionId, 0, /hello-42/)).seq;
    await call('terminal.input', { sessionId, data: 'printf "%s\\n" "中文-输入"\r' });
    at = (await readUntil(sessionId, at, /\r中文-输入\r\n/)).seq; // the output line, not the echoed command
    await call('terminal.resize', { sessionId, cols: 120, rows: 40 });
    await call('terminal.input', { sessionId, data: 'stty size\r' });
    at = (await readUntil(sessionId, at, /40 120/)).seq;
    expect(await call('terminal.close', { sessionId })).toEqual({ closed: true });
    const gone = await c.dispatcher.call('terminal.read', { sessionId, after: at }, CTX);
    expect(gone.ok ? null : gone.error.params?.reason).toBe('terminal.closed');

    const file = path.join(c.dataDir, 'recordings', recording!);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    const [header, ...events] = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(header).toMatchObject({ version: 2, width: 100, height: 30, env: { TERM: 'xterm-256color' } });
    const output = (events as [number, string, string][]).filter((e) => e[1] === 'o').map((e) => e[2]).join('');
    expect(output).toContain('hello-42');
    expect(output).toContain('中文-输入');
    expect(events).toContainEqual([expect.any(Number), 'r', '120x40']);
    // Times only go forward.
    const times = (events as [number][]).map((e) => e[0]);
    expect([...times].sort((a, b) => a - b)).toEqual(times);
    // The audit names the appliance and the recording; no keystroke is in it.
    const audit = c.db.prepare("SELECT method, input FROM audit_log WHERE method LIKE 'terminal.%'").all() as { method: string; input: string }[];
    expect(audit.map((a) => a.method)).toEqual(['terminal.open']);
    expect(audit[0]!.input).toContain('"record":true');
  }, 60_000);

  it('comes back on a new shell when the link to the machine drops, and ends when the shell exits', async () => {
    const { sessionId } = await call<{ sessionId: string }>('terminal.open', { applianceId, cols: 80, rows: 24, record: false });
    await call('terminal.input', { sessionId, data: 'echo first-$((1+1))\r' });
    let at = (await readUntil(sessionId, 0, /first-2/)).seq;
    c.reach.forget(applianceId); // the pooled connection goes, as in a network blip
    at = (await readUntil(sessionId, at, /reconnected to term-1: this is a new shell/, 30_000)).seq;
    await call('terminal.input', { sessionId, data: 'echo again-$((2+1))\r' });
    at = (await readUntil(sessionId, at, /again-3/)).seq;
    await call('terminal.input', { sessionId, data: 'exit\r' });
    const end = await readUntil(sessionId, at, /the shell ended/);
    expect(end.text).toContain('[the shell ended]');
  }, 60_000);

  it('refuses what is not a terminal session or too big to type', async () => {
    const bad = await c.dispatcher.call('terminal.input', { sessionId: 'not-a-uuid', data: 'x' } as never, CTX);
    expect(bad.ok ? null : bad.error.code).toBe('invalid-input');
    const unknown = await c.dispatcher.call('terminal.input', { sessionId: '00000000-0000-4000-8000-000000000000', data: 'x' }, CTX);
    expect(unknown.ok ? null : unknown.error.params?.reason).toBe('terminal.closed');
    const huge = await c.dispatcher.call('terminal.input', { sessionId: '00000000-0000-4000-8000-000000000000', data: 'x'.repeat(70_000) }, CTX);
    expect(huge.ok ? null : huge.error.code).toBe('invalid-input');
  });
});
