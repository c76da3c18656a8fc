/**
 * `appliance-agent bridge` and the console's opener, without SSH: the bridge pipes a byte stream to
 * a real Unix socket and says when it is ready; the opener answers sudo's prompt once, with the
 * password on stdin only, and turns a second prompt or an early exit into typed errors. The real
 * thing over SSH and sudo is tests/integration/agent-bridge.test.ts.
 */
import net from 'node:net';
import path from 'node:path';
import { Duplex, PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { runBridge } from '../../agents/agent/bridge';
import { parseCli } from '../../agents/agent/cli-args';
import { bridgeCommand, sshExecBridgeOpener, type SshExecChannel } from '../../agents/client/ssh-bridge-opener';
import { BRIDGE_READY_LINE } from '../../agents/protocol/bridge';
import { makeTempDir } from '../helpers/temp-dir';

/** A stand-in for an ssh2 exec channel: what the opener writes lands in `stdin`, `stderr` is ours to feed. */
class FakeChannel extends Duplex implements SshExecChannel {
  stderr = new PassThrough();
  written = '';
  override _read(): void {}
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.written += chunk.toString();
    cb();
  }
}

function fakeSsh(script: (channel: FakeChannel) => void) {
  const commands: string[] = [];
  const channels: FakeChannel[] = [];
  return {
    commands,
    channels,
    exec(command: string, cb: (err: Error | undefined, channel: SshExecChannel) => void) {
      commands.push(command);
      const channel = new FakeChannel();
      channels.push(channel);
      cb(undefined, channel);
      script(channel);
    },
  };
}

const promptOf = (command: string) => /-p '([^']+)'/.exec(command)![1]!;

describe('agent bridge', () => {
  const tmp = makeTempDir('agent-bridge');
  afterAll(() => tmp.cleanup());

  it('parses `bridge` as a subcommand with path options, and refuses it with another mode', () => {
    expect(parseCli(['bridge', '--socket', '/x/control.sock'], {})).toMatchObject({ mode: 'bridge', overrides: { socketPath: '/x/control.sock' } });
    expect(() => parseCli(['bridge', '--daemon'], {})).toThrow(/choose one of bridge, --daemon/);
  });

  it('pipes stdin/stdout to the socket after printing the ready line to stderr', async () => {
    const socketPath = path.join(tmp.dir, 'echo.sock');
    const server = net.createServer((c) => c.on('data', (d: Buffer) => c.end(`echo:${d.toString()}`)));
    await new Promise<void>((r) => server.listen(socketPath, r));
    const stdin = new PassThrough();
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = '';
    let err = '';
    stdout.on('data', (d: Buffer) => (out += d.toString()));
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    const done = runBridge(socketPath, { stdin, stdout, stderr });
    await new Promise((r) => setTimeout(r, 50));
    stdin.write('ping');
    expect(await done).toBe(0);
    expect(err).toBe(`${BRIDGE_READY_LINE}\n`);
    expect(out).toBe('echo:ping');
    server.close();
  });

  it('exits 1 with the reason when the socket cannot be reached', async () => {
    const stderr = new PassThrough();
    let err = '';
    stderr.on('data', (d: Buffer) => (err += d.toString()));
    expect(await runBridge(path.join(tmp.dir, 'none.sock'), { stdin: new PassThrough(), stdout: new PassThrough(), stderr })).toBe(1);
    expect(err).toMatch(/cannot connect .*ENOENT.*is the agent running/);
    expect(err).not.toContain(BRIDGE_READY_LINE);
  });

  it('keeps the sudo password out of the command line, and sends it only after sudo’s prompt', async () => {
    const password = 'pa$$ w0rd';
    expect(bridgeCommand({ sudoPassword: password }, '[p]')).toBe(`sudo -S -p '[p]' -- '/opt/appliance-agent/current/appliance-agent' 'bridge'`);
    const ssh = fakeSsh((ch) => {
      expect(ch.written).toBe(''); // nothing before the prompt
      ch.stderr.write(`We trust you have received the usual lecture\n${promptOf(ssh.commands[0]!)}`);
      setTimeout(() => ch.stderr.write(`${BRIDGE_READY_LINE}\n`), 10);
    });
    const stream = await sshExecBridgeOpener(ssh, { sudoPassword: password })();
    expect(ssh.commands[0]).not.toContain(password);
    expect(ssh.channels[0]!.written).toBe(`${password}\n`);
    stream.destroy();
  });

  it('does not send the password when sudo does not ask (cached or NOPASSWD)', async () => {
    const ssh = fakeSsh((ch) => ch.stderr.write(`${BRIDGE_READY_LINE}\n`));
    await sshExecBridgeOpener(ssh, { sudoPassword: 'secret-1' })();
    expect(ssh.channels[0]!.written).toBe('');
  });

  it('turns a second prompt into sudo-failed at once, and an early exit into bridge-failed, never quoting the password', async () => {
    const password = 'secret-2';
    const refused = fakeSsh((ch) => {
      const prompt = promptOf(refused.commands[0]!);
      ch.stderr.write(prompt);
      setTimeout(() => ch.stderr.write(`\nSorry, try again.\n${prompt}`), 10);
    });
    await expect(sshExecBridgeOpener(refused, { sudoPassword: password })()).rejects.toMatchObject({ name: 'AgentClientError', code: 'sudo-failed' });
    const exited = fakeSsh((ch) => {
      ch.stderr.write(`wrapper says ${password}: appliance-agent bridge: cannot connect to /run/appliance-agent/control.sock: ENOENT\n`);
      setTimeout(() => ch.emit('exit', 1), 10);
    });
    const err = await sshExecBridgeOpener(exited, { sudoPassword: password })().catch((e: unknown) => e as Error);
    expect(err).toMatchObject({ code: 'bridge-failed', message: expect.stringContaining('ENOENT') as string });
    expect((err as Error).message).not.toContain(password);
  });
});
