import crypto from 'node:crypto';
import type { Duplex, Readable } from 'node:stream';
import { BRIDGE_READY_LINE, BRIDGE_SUBCOMMAND, DEFAULT_AGENT_COMMAND } from '../protocol/bridge';
import { AgentClientError } from './client-errors';

/**
 * Reaches the agent through `appliance-agent bridge` on an SSH exec channel instead of forwarding
 * the socket: sshd opens a forwarded socket as the login user, and the socket is root's (0600), so
 * a console logged in as a sudo user could not connect. The bridge runs as root through sudo and
 * pipes the channel's stdin/stdout to the socket, and the client speaks the same HTTP over it. It
 * also works where sshd has `AllowStreamLocalForwarding no` (cockpit-bridge is the precedent).
 *
 * The sudo password is written to the channel's stdin only after sudo's own prompt (a random string
 * given with `-p`) appears on stderr: it never goes into the command line (`ps`), and a sudo that
 * asks for nothing (cached or NOPASSWD) never sees it pass on to the agent. A second prompt means it
 * was refused; the channel is closed at once instead of waiting for sudo's three tries. Any stderr
 * quoted in an error has the password masked, whatever sudo or a wrapper prints.
 */
export interface SshExecChannel extends Duplex {
  stderr: Readable;
}

/** The part of an ssh2 `Client` the opener uses (structural, so this file does not import ssh2). */
export interface SshExecutor {
  exec(command: string, cb: (err: Error | undefined, channel: SshExecChannel) => void): unknown;
}

export interface SshBridgeOptions {
  /** Run the bridge through sudo with this password (the login user is not root). */
  sudoPassword?: string;
  /** Run through `sudo -n` without a password (NOPASSWD); implied by `sudoPassword`. */
  sudo?: boolean;
  /** The launcher on the appliance; default /opt/appliance-agent/current/appliance-agent. */
  command?: string;
  /** Extra arguments for the bridge, e.g. `['--config', '/etc/appliance-agent/agent.json']`. */
  args?: string[];
  /** How long sudo and the bridge may take to be ready (the call's own timeout also applies). */
  readyTimeoutMs?: number;
}

const STDERR_KEEP = 4096;

function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The remote command line. Exported for tests: it must never contain the password. */
export function bridgeCommand(opts: SshBridgeOptions, prompt: string): string {
  const bridge = [opts.command ?? DEFAULT_AGENT_COMMAND, BRIDGE_SUBCOMMAND, ...(opts.args ?? [])].map(shellQuote).join(' ');
  if (opts.sudoPassword !== undefined) return `sudo -S -p ${shellQuote(prompt)} -- ${bridge}`;
  if (opts.sudo === true) return `sudo -n -- ${bridge}`;
  return bridge;
}

export function sshExecBridgeOpener(ssh: SshExecutor, opts: SshBridgeOptions = {}): () => Promise<Duplex> {
  const readyTimeoutMs = opts.readyTimeoutMs ?? 20_000;
  const password = opts.sudoPassword;
  const mask = (text: string) => (password ? text.split(password).join('***') : text);
  return () =>
    new Promise((resolve, reject) => {
      // Random per channel, so nothing else on stderr (a banner, a lecture) can pass for the prompt.
      const prompt = `[appliance-agent sudo ${crypto.randomBytes(6).toString('hex')}]`;
      ssh.exec(bridgeCommand(opts, prompt), (err, channel) => {
        if (err) return reject(err);
        let stderr = '';
        let prompts = 0;
        let unscanned = '';
        let done = false;
        const finish = (error: Error | null) => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          channel.off('close', onClose);
          channel.off('exit', onExit);
          if (error) {
            channel.destroy();
            return reject(error);
          }
          // Keep draining stderr so a chatty bridge can never stall the channel's window.
          channel.stderr.removeAllListeners('data');
          channel.stderr.resume();
          resolve(channel);
        };
        const tail = () => mask(stderr.split(prompt).join('').replace(/\s+/g, ' ').trim()).slice(-512);
        const onClose = () => finish(new AgentClientError('bridge-failed', `appliance-agent bridge ended before it reached the agent${tail() ? `: ${tail()}` : ''}`));
        const onExit = () => setImmediate(onClose);
        const timer = setTimeout(() => finish(new AgentClientError('bridge-failed', `appliance-agent bridge was not ready within ${readyTimeoutMs / 1000} s${tail() ? `: ${tail()}` : ''}`)), readyTimeoutMs);
        // 'exit' (the exit-status message) comes even while nobody reads stdout; 'close' may not.
        channel.once('exit', onExit);
        channel.once('close', onClose);
        channel.on('error', (e: Error) => finish(new AgentClientError('bridge-failed', mask(`SSH exec channel failed: ${e.message}`))));
        channel.stderr.on('data', (chunk: Buffer) => {
          const text = chunk.toString('utf8');
          stderr = (stderr + text).slice(-STDERR_KEEP);
          // Count prompts in what was not scanned yet (a prompt may arrive split over chunks).
          unscanned += text;
          for (let at = unscanned.indexOf(prompt); at >= 0; at = unscanned.indexOf(prompt)) {
            unscanned = unscanned.slice(at + prompt.length);
            prompts += 1;
            // Only the sudo variant uses a prompt, so a password is there when it shows.
            if (prompts === 1 && password !== undefined) channel.write(`${password}\n`);
            else return finish(new AgentClientError('sudo-failed', 'sudo refused the password (or asked again): check the sudo password stored for this appliance'));
          }
          unscanned = unscanned.slice(-prompt.length);
          if (stderr.includes(`${BRIDGE_READY_LINE}\n`)) return finish(null);
          if (/not in the sudoers|may not run sudo|a password is required|incorrect password/i.test(stderr)) {
            finish(new AgentClientError('sudo-failed', `sudo refused to run the bridge as root: ${tail()}`));
          }
        });
      });
    });
}
