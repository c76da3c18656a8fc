import crypto from 'node:crypto';
import fs from 'node:fs';
import type { Duplex, Readable } from 'node:stream';

/**
 * The provisioner's one adapter to the machine: commands and file streams over exec channels of a
 * single SSH connection. Privileged work runs directly for root and through `sudo -S -p <random
 * prompt>` otherwise. The sudo password goes to stdin only after sudo's own prompt shows on
 * stderr (never in argv, never when sudo asks for nothing), and is masked in everything returned.
 * Each command first prints a random "ready" marker to stderr from inside the privileged shell, so
 * a payload on stdin is sent only once sudo is done reading its password: the two can never mix.
 */
export interface RemoteResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Run as root (through sudo when the login user is not root). */
  privileged?: boolean;
  /** Sent on stdin once the command runs; a string or a local file (streamed, with progress). */
  stdin?: string | { file: string; onBytes?: (bytes: number) => void };
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface Remote {
  readonly user: string;
  /** Runs a POSIX sh script; output is capped at 1 MiB per stream. */
  run(script: string, opts?: RunOptions): Promise<RemoteResult>;
  /** Like `run`, but a non-zero exit rejects with a `RemoteCommandError`. */
  check(script: string, opts?: RunOptions): Promise<RemoteResult>;
}

export class RemoteCommandError extends Error {
  constructor(
    message: string,
    readonly result: RemoteResult,
  ) {
    super(message);
    this.name = 'RemoteCommandError';
  }
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled');
    this.name = 'CancelledError';
  }
}

const MAX_OUTPUT = 1024 * 1024;

export function shellQuote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/** The remote command line; exported for tests, which check the password is never in it. */
export function remoteCommand(script: string, ready: string, sudo: { prompt: string } | null): string {
  const inner = `printf '%s\\n' ${shellQuote(ready)} >&2; ${script}`;
  // LC_ALL=C: sudo's and tools' messages are matched and shown; a localized shell would hide them.
  if (!sudo) return `LC_ALL=C sh -c ${shellQuote(inner)}`;
  return `LC_ALL=C sudo -S -p ${shellQuote(sudo.prompt)} -- sh -c ${shellQuote(inner)}`;
}

/** The part of an ssh2 `Client` used here (structural, so tests can drive the protocol without sshd). */
export interface ExecChannel extends Duplex {
  stderr: Readable;
  close(): void;
}
export interface SshExec {
  exec(command: string, cb: (err: Error | undefined, channel: ExecChannel) => void): unknown;
}

export function createRemote(client: SshExec, opts: { user: string; sudoPassword?: string | null; onOutput?: (text: string) => void }): Remote {
  const password = opts.sudoPassword ?? null;
  const mask = (text: string) => (password ? text.split(password).join('***') : text);

  const run = (script: string, ro: RunOptions = {}): Promise<RemoteResult> =>
    new Promise<RemoteResult>((resolve, reject) => {
      if (ro.signal?.aborted) return reject(new CancelledError());
      const useSudo = ro.privileged === true && opts.user !== 'root';
      const token = crypto.randomBytes(8).toString('hex');
      const prompt = `[provision sudo ${token}]`;
      const ready = `[provision ready ${token}]`;
      client.exec(remoteCommand(script, ready, useSudo ? { prompt } : null), (err, channel) => {
        if (err) return reject(err);
        let stdout = '';
        let stderr = '';
        let scanned = '';
        let started = false;
        let prompts = 0;
        let settled = false;
        let stream: fs.ReadStream | null = null;
        const settle = (fn: () => void) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          ro.signal?.removeEventListener('abort', onAbort);
          stream?.destroy();
          fn();
        };
        const kill = () => {
          // OpenSSH ignores most signal requests; closing the channel makes sshd hang up the
          // session, so the remote shell gets SIGHUP/EPIPE and stops.
          channel.close();
        };
        const onAbort = () => settle(() => (kill(), reject(new CancelledError())));
        ro.signal?.addEventListener('abort', onAbort, { once: true });
        const timeoutMs = ro.timeoutMs ?? 60_000;
        const timer = setTimeout(() => settle(() => (kill(), reject(new Error(`a command on the machine did not finish within ${Math.round(timeoutMs / 1000)} s`)))), timeoutMs);

        const startPayload = () => {
          const input = ro.stdin;
          if (input === undefined) return channel.end();
          if (typeof input === 'string') return channel.end(input);
          let sent = 0;
          stream = fs.createReadStream(input.file, { highWaterMark: 256 * 1024 });
          stream.on('data', (chunk: Buffer | string) => {
            sent += chunk.length;
            input.onBytes?.(sent);
          });
          stream.on('error', (e) => settle(() => (kill(), reject(e))));
          stream.pipe(channel);
        };

        channel.on('data', (d: Buffer) => {
          if (stdout.length < MAX_OUTPUT) stdout += d.toString('utf8');
        });
        channel.stderr.on('data', (d: Buffer) => {
          const text = d.toString('utf8');
          if (started) {
            if (stderr.length < MAX_OUTPUT) stderr += text;
            return;
          }
          scanned += text;
          for (;;) {
            const p = useSudo ? scanned.indexOf(prompt) : -1;
            const r = scanned.indexOf(ready);
            if (p >= 0 && (r < 0 || p < r)) {
              scanned = scanned.slice(p + prompt.length);
              prompts += 1;
              if (prompts > 1 || password === null) {
                const why = password === null ? `sudo asks ${opts.user} for a password; enter the sudo password for this appliance` : `sudo refused the password for ${opts.user}: check the sudo password stored for this appliance`;
                return settle(() => (kill(), reject(new RemoteCommandError(why, { code: null, stdout: '', stderr: mask(scanned) }))));
              }
              channel.write(`${password}\n`);
              continue;
            }
            if (r >= 0) {
              started = true;
              stderr += scanned.slice(r + ready.length).replace(/^\n/, '');
              scanned = '';
              startPayload();
            }
            break;
          }
        });
        channel.on('close', (code: number | null) => {
          settle(() => {
            if (!started) stderr = scanned.split(prompt).join('');
            resolve({ code: code ?? null, stdout: mask(stdout), stderr: mask(stderr) });
          });
        });
        channel.on('error', (e: Error) => settle(() => reject(e)));
      });
    }).then((r) => {
      opts.onOutput?.(`${r.stdout}${r.stderr}`);
      return r;
    });

  return {
    user: opts.user,
    run,
    async check(script, ro) {
      const r = await run(script, ro);
      if (r.code !== 0) {
        const detail = (r.stderr || r.stdout).trim().split('\n').slice(-6).join('\n');
        throw new RemoteCommandError(`command on the machine failed (exit ${r.code ?? 'signal'})${detail ? `: ${detail}` : ''}`, r);
      }
      return r;
    },
  };
}
