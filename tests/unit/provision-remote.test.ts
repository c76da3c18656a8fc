/**
 * The sudo conversation of main/provision/remote.ts against a scripted exec channel (the remote
 * edge is the only fake): the password goes to stdin only after sudo's own prompt, a payload only
 * after the privileged shell announced itself, and neither ever reaches argv or returned output.
 * The real thing (testbed `operator`, sudo asking for its password) is in
 * tests/integration/provision-testbed.test.ts.
 */
import { Duplex, PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CancelledError, createRemote, type ExecChannel, type SshExec } from '../../main/provision/remote';

const PASSWORD = 'correct horse battery';

class FakeChannel extends Duplex implements ExecChannel {
  stderr = new PassThrough();
  input = '';
  wasClosed = false;
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.input += chunk.toString('utf8');
    cb();
  }
  close(): void {
    this.wasClosed = true;
    this.emit('close', null);
  }
}

/** Runs `script` and hands the test the command line and the channel to play the machine's part. */
function harness() {
  const calls: { command: string; channel: FakeChannel }[] = [];
  const ssh: SshExec = {
    exec(command, cb) {
      const channel = new FakeChannel();
      calls.push({ command, channel });
      setImmediate(() => cb(undefined, channel));
    },
  };
  const next = async () => {
    while (calls.length === 0) await new Promise((r) => setImmediate(r));
    const call = calls.shift()!;
    await new Promise((r) => setImmediate(r));
    const prompt = /\[provision sudo [0-9a-f]+\]/.exec(call.command)?.[0] ?? null;
    const ready = /\[provision ready [0-9a-f]+\]/.exec(call.command)![0];
    return { ...call, prompt, ready };
  };
  return { ssh, next };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('remote commands', () => {
  it('as root: no sudo, the payload follows the ready line, the marker is not in the output', async () => {
    const { ssh, next } = harness();
    const remote = createRemote(ssh, { user: 'root' });
    const result = remote.run('cat > /etc/x', { privileged: true, stdin: 'payload' });
    const { command, channel, prompt, ready } = await next();
    expect(command).not.toContain('sudo');
    expect(prompt).toBeNull();
    await tick();
    expect(channel.input).toBe('');
    channel.stderr.write(`${ready}\nwarning\n`);
    await tick();
    expect(channel.input).toBe('payload');
    channel.push('out');
    await tick();
    channel.emit('close', 0);
    expect(await result).toEqual({ code: 0, stdout: 'out', stderr: 'warning\n' });
  });

  it('as a sudo user: the password after the prompt only, then the payload; masked in output', async () => {
    const { ssh, next } = harness();
    const remote = createRemote(ssh, { user: 'operator', sudoPassword: PASSWORD });
    const result = remote.run('cat > /etc/x', { privileged: true, stdin: 'payload' });
    const { command, channel, prompt, ready } = await next();
    expect(command).toMatch(/^LC_ALL=C sudo -S -p '\[provision sudo [0-9a-f]+\]' -- sh -c /);
    expect(command).not.toContain(PASSWORD);
    await tick();
    expect(channel.input).toBe('');
    channel.stderr.write(prompt!);
    await tick();
    expect(channel.input).toBe(`${PASSWORD}\n`);
    channel.stderr.write(`${ready}\n`);
    await tick();
    expect(channel.input).toBe(`${PASSWORD}\npayload`);
    channel.push(`echoed ${PASSWORD}`);
    await tick();
    channel.emit('close', 0);
    expect((await result).stdout).toBe('echoed ***');
  });

  it('never sends the password when sudo does not ask (NOPASSWD or cached)', async () => {
    const { ssh, next } = harness();
    const remote = createRemote(ssh, { user: 'operator', sudoPassword: PASSWORD });
    const result = remote.run('true', { privileged: true });
    const { channel, ready } = await next();
    channel.stderr.write(`${ready}\n`);
    await tick();
    channel.emit('close', 0);
    await result;
    expect(channel.input).toBe('');
  });

  it('stops at a second prompt (wrong password) and when sudo asks but no password is known', async () => {
    const { ssh, next } = harness();
    const wrong = createRemote(ssh, { user: 'operator', sudoPassword: PASSWORD }).run('true', { privileged: true });
    const first = await next();
    first.channel.stderr.write(`${first.prompt!}Sorry, try again.\n${first.prompt!}`);
    await expect(wrong).rejects.toThrow(/sudo refused the password for operator/);
    expect(first.channel.wasClosed).toBe(true);

    const none = createRemote(ssh, { user: 'operator' }).run('true', { privileged: true });
    const second = await next();
    second.channel.stderr.write(second.prompt!);
    await expect(none).rejects.toThrow(/sudo asks operator for a password/);
    expect(second.channel.input).toBe('');
  });

  it('an abort closes the channel and rejects as cancelled', async () => {
    const { ssh, next } = harness();
    const abort = new AbortController();
    const result = createRemote(ssh, { user: 'root' }).run('sleep 100', { signal: abort.signal });
    const { channel } = await next();
    abort.abort();
    await expect(result).rejects.toBeInstanceOf(CancelledError);
    expect(channel.wasClosed).toBe(true);
  });
});
