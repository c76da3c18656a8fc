import net from 'node:net';
import { Client, type AnyAuthMethod, type AuthHandlerMiddleware, type AuthenticationType, type ConnectConfig, type ClientChannel, type KeyboardInteractiveCallback, type NextAuthHandler, type Prompt } from 'ssh2';
import type { Credential } from '../store/credential-store';
import { keyTypeOf, sha256Fingerprint } from './host-key';
import { describeSocketError, timeoutFailure, type SshFailure } from './ssh-failure';
import { formatEndpoint } from '../contract/network-address';

export interface SshTarget {
  address: string;
  port: number;
  user: string;
}

export interface TrustedKey {
  keyType: string;
  fingerprint: string;
}

export interface SeenHostKey {
  keyType: string;
  fingerprint: string;
  publicKey: Buffer;
  status: 'trusted' | 'unknown' | 'changed';
  /** The fingerprint we had accepted, when the key changed. */
  knownFingerprint?: string;
}

export interface AuthAttempt {
  method: string;
  accepted: boolean;
}

export interface AuthReport {
  /** Methods the server said it accepts (null if it never said). */
  offered: string[] | null;
  tried: AuthAttempt[];
}

export type ConnectOutcome =
  | {
      ok: true;
      client: Client;
      latencyMs: number;
      hostKey: SeenHostKey;
      auth: AuthReport;
      /**
       * Closes the connection, for certain: the SSH disconnect first, then the socket destroyed if
       * the peer has not closed it within CLOSE_GRACE_MS. `client.end()` alone waits for the peer,
       * which over a dead link is TCP's retry timeouts — and holds a stopping host's event loop
       * (ssh2's own destroy() does nothing once end() has begun). Every owner of a connection
       * closes it with this.
       */
      close(): void;
    }
  | { ok: false; failure: SshFailure; latencyMs?: number; hostKey?: SeenHostKey; auth?: AuthReport };

export interface ConnectOptions {
  target: SshTarget;
  credential: Credential | null;
  /** Host keys a person accepted for this endpoint. An unknown or changed key stops before any credential is sent. */
  trustedKeys: TrustedKey[];
  /** Whole budget: resolve, connect, key exchange and authentication. */
  timeoutMs?: number;
  /** Interval of SSH keepalives on a connection kept open. */
  keepaliveMs?: number;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 15_000;
/** How long a closed connection gets to end politely before its socket is destroyed. */
export const CLOSE_GRACE_MS = 1_000;

/** The polite close, then the socket destroyed after CLOSE_GRACE_MS if the peer has not closed it. */
function closeWithGrace(client: Client, sock: net.Socket): void {
  if (sock.destroyed) return;
  const timer = setTimeout(() => sock.destroy(), CLOSE_GRACE_MS);
  timer.unref();
  sock.once('close', () => clearTimeout(timer));
  client.end();
}

function classifyHostKey(blob: Buffer, trusted: TrustedKey[]): SeenHostKey {
  const keyType = keyTypeOf(blob);
  const fingerprint = sha256Fingerprint(blob);
  if (trusted.some((k) => k.fingerprint === fingerprint)) return { keyType, fingerprint, publicKey: blob, status: 'trusted' };
  const sameType = trusted.find((k) => k.keyType === keyType);
  if (sameType) return { keyType, fingerprint, publicKey: blob, status: 'changed', knownFingerprint: sameType.fingerprint };
  // A key of another type than the one we know is a change too: we asked for the known type first.
  if (trusted.length > 0) return { keyType, fingerprint, publicKey: blob, status: 'changed', knownFingerprint: trusted[0]!.fingerprint };
  return { keyType, fingerprint, publicKey: blob, status: 'unknown' };
}

/** The auth sequence: `none` first (it makes the server list its methods), then the stored credential. */
function authPlan(user: string, credential: Credential | null): AnyAuthMethod[] {
  if (!credential) return [];
  if (credential.kind === 'private-key') {
    return [{ type: 'publickey', username: user, key: credential.privateKey, ...(credential.passphrase ? { passphrase: credential.passphrase } : {}) }];
  }
  const password = credential.password;
  let rounds = 0;
  return [
    { type: 'password', username: user, password },
    {
      // Many servers accept passwords only through PAM's keyboard-interactive prompt. Answer one
      // round, and only prompts that ask for a password: an OTP or "new password" prompt gets an
      // empty answer, so the login fails instead of sending the password where it was not asked for.
      type: 'keyboard-interactive',
      username: user,
      prompt: (_name: string, _instructions: string, _lang: string, prompts: Prompt[], finish: KeyboardInteractiveCallback) => {
        rounds += 1;
        finish(prompts.map((p) => (rounds === 1 && /password/i.test(p.prompt) && !/new|again|retype/i.test(p.prompt) ? password : '')));
      },
    },
  ];
}

/**
 * Opens an authenticated SSH connection, verifying the host key against the accepted ones before
 * any credential leaves this machine. Never throws: every failure is an `SshFailure` that says
 * what to do, with the host key and auth attempts seen so far.
 */
export function connectSsh(opts: ConnectOptions): Promise<ConnectOutcome> {
  const timeoutMs = opts.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
  const { target } = opts;
  const started = performance.now();
  const auth: AuthReport = { offered: null, tried: [] };
  let hostKey: SeenHostKey | undefined;
  let latencyMs: number | undefined;

  return new Promise((resolve) => {
    let settled = false;
    const client = new Client();
    const sock = new net.Socket();
    const finish = (outcome: ConnectOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      if (!outcome.ok) {
        client.end();
        sock.destroy();
      }
      resolve(outcome);
    };
    const deadline = setTimeout(() => finish({ ok: false, failure: timeoutFailure(target, timeoutMs), latencyMs, hostKey, auth }), timeoutMs);

    sock.on('error', (err: NodeJS.ErrnoException) => {
      if (latencyMs === undefined) finish({ ok: false, failure: describeSocketError(err, target, timeoutMs) });
    });
    sock.connect({ host: target.address, port: target.port }, () => {
      latencyMs = performance.now() - started;
      // Nagle off, as OpenSSH does for its own connections: every exec, control call and health
      // check is a small request waiting for a small answer, and Nagle holding a request back
      // until the server's delayed ACK costs ~40 ms each (an exec round trip measured 48 ms with
      // it, 4.5 ms without, on the testbed). Bulk transfers already send whole SSH packets.
      sock.setNoDelay(true);
      const plan = authPlan(target.user, opts.credential);
      let current: string | null = null;
      client.connect({
        sock,
        username: target.user,
        readyTimeout: Math.max(1000, timeoutMs - latencyMs),
        keepaliveInterval: opts.keepaliveMs ?? 15_000,
        keepaliveCountMax: 3,
        // Ask for the key type we already trust first, so a server with several keys shows us that one.
        ...(opts.trustedKeys[0] ? { algorithms: { serverHostKey: preferKeyType(opts.trustedKeys[0].keyType) as NonNullable<ConnectConfig['algorithms']>['serverHostKey'] } } : {}),
        hostVerifier: (key: Buffer) => {
          hostKey = classifyHostKey(key, opts.trustedKeys);
          return hostKey.status === 'trusted';
        },
        // ssh2 calls this with `null` methods first (its typings say otherwise), then after each failure.
        authHandler: ((methodsLeft: AuthenticationType[] | null, _partial: boolean | null, next: NextAuthHandler) => {
          if (current !== null) auth.tried.push({ method: current, accepted: false });
          if (methodsLeft) auth.offered = methodsLeft;
          if (current === null && auth.tried.length === 0 && !methodsLeft) {
            current = 'none';
            return next({ type: 'none', username: target.user });
          }
          const step = plan.find((p) => !auth.tried.some((t) => t.method === p.type) && (!methodsLeft || methodsLeft.includes(p.type)));
          if (!step) {
            current = null;
            // ssh2 treats `false` as "no more methods" (its typings omit it).
            return (next as (auth: AnyAuthMethod | false) => void)(false);
          }
          current = step.type;
          return next(step);
        }) as AuthHandlerMiddleware,
      });
      client.once('ready', () => {
        if (current) auth.tried.push({ method: current, accepted: true });
        finish({ ok: true, client, latencyMs: latencyMs!, hostKey: hostKey!, auth: { ...auth, tried: auth.tried.filter((t) => t.method !== 'none') }, close: () => closeWithGrace(client, sock) });
      });
      client.on('error', (err: Error & { level?: string }) => {
        const tried = auth.tried.filter((t) => t.method !== 'none');
        const report = { offered: auth.offered, tried };
        if (hostKey && hostKey.status !== 'trusted') {
          return finish({ ok: false, failure: hostKeyFailure(target, hostKey), latencyMs, hostKey, auth: report });
        }
        if (err.level === 'client-authentication') {
          return finish({ ok: false, failure: authFailure(target, opts.credential, report), latencyMs, hostKey, auth: report });
        }
        if (err.level === 'client-timeout') return finish({ ok: false, failure: timeoutFailure(target, timeoutMs), latencyMs, hostKey, auth: report });
        const errno = err as NodeJS.ErrnoException;
        if (errno.code) return finish({ ok: false, failure: describeSocketError(errno, target, timeoutMs), latencyMs, hostKey, auth: report });
        finish({ ok: false, failure: { code: 'protocol-error', message: `SSH with ${formatEndpoint(target.address, target.port)} failed: ${err.message}` }, latencyMs, hostKey, auth: report });
      });
    });
  });
}

function preferKeyType(keyType: string): string[] {
  const all = ['ssh-ed25519', 'ecdsa-sha2-nistp256', 'ecdsa-sha2-nistp384', 'ecdsa-sha2-nistp521', 'rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'];
  const wanted = keyType === 'ssh-rsa' ? ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'] : [keyType];
  return [...wanted, ...all.filter((a) => !wanted.includes(a))];
}

function hostKeyFailure(target: SshTarget, key: SeenHostKey): SshFailure {
  if (key.status === 'changed') {
    return {
      code: 'host-key-changed',
      message:
        `The host key of ${formatEndpoint(target.address, target.port)} has CHANGED (now ${key.fingerprint}, accepted ${key.knownFingerprint}). ` +
        `This happens after a reinstall, or when someone intercepts the connection. Check the fingerprint on the machine's console ` +
        `(ssh-keygen -lf /etc/ssh/ssh_host_${key.keyType.replace(/^ssh-|-.*$/g, '')}_key.pub) before accepting the new key.`,
      params: { fingerprint: key.fingerprint, known: key.knownFingerprint ?? '', keyType: key.keyType },
    };
  }
  return {
    code: 'host-key-unknown',
    message: `${formatEndpoint(target.address, target.port)} presents a host key this console has not seen (${key.keyType} ${key.fingerprint}). Compare it with the machine and accept it to continue.`,
    params: { fingerprint: key.fingerprint, keyType: key.keyType },
  };
}

function authFailure(target: SshTarget, credential: Credential | null, report: AuthReport): SshFailure {
  if (!credential) {
    return { code: 'no-credential', message: `No password or key is stored for ${target.user}@${target.address}; add one to log in`, params: { user: target.user } };
  }
  const tried = report.tried.map((t) => t.method).join(', ') || 'none';
  const offered = report.offered?.join(', ') ?? 'unknown';
  return {
    code: 'auth-failed',
    message: `${target.address} refused the login as ${target.user} (tried: ${tried}; the server accepts: ${offered}). Check the user name and the ${credential.kind === 'password' ? 'password' : 'key and passphrase'}.`,
    params: { user: target.user, tried, offered },
  };
}

/** Runs one command on an open connection; output is capped so a chatty command cannot fill memory. */
export function execCommand(client: Client, command: string, opts: { stdin?: string; timeoutMs?: number; maxBytes?: number } = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const max = opts.maxBytes ?? 1024 * 1024;
  return new Promise((resolve, reject) => {
    client.exec(command, (err: Error | undefined, channel: ClientChannel) => {
      if (err) return reject(err);
      let stdout = '';
      let stderr = '';
      const timer = setTimeout(() => {
        channel.close();
        reject(new Error(`"${command}" did not finish within ${Math.round((opts.timeoutMs ?? 30_000) / 1000)} s`));
      }, opts.timeoutMs ?? 30_000);
      channel.on('data', (d: Buffer) => {
        if (stdout.length < max) stdout += d.toString('utf8');
      });
      channel.stderr.on('data', (d: Buffer) => {
        if (stderr.length < max) stderr += d.toString('utf8');
      });
      channel.on('close', (code: number | null) => {
        clearTimeout(timer);
        resolve({ code, stdout, stderr });
      });
      if (opts.stdin !== undefined) channel.end(opts.stdin);
    });
  });
}
