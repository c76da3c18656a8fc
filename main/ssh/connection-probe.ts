import { execCommand, type AuthReport, type ConnectOutcome, type SeenHostKey, type SshTarget } from './ssh-connect';
import type { SshFailure } from './ssh-failure';

export type ProbeStage = 'connect' | 'host-key' | 'auth' | 'sudo' | 'platform' | 'done';
export type SudoAccess = 'root' | 'passwordless' | 'with-password';

export interface Platform {
  os: string;
  kernel: string;
  /** Node's name for the architecture (x64, arm64), or the raw `uname -m` when unsupported. */
  arch: string;
  supported: boolean;
}

export interface ProbeReport {
  ok: boolean;
  /** The last stage reached: where it stopped, or `done`. */
  stage: ProbeStage;
  latencyMs: number | null;
  hostKey: Omit<SeenHostKey, 'publicKey'> | null;
  auth: AuthReport | null;
  sudo: SudoAccess | null;
  platform: Platform | null;
  failure: SshFailure | null;
}

const ARCH: Record<string, string> = { x86_64: 'x64', amd64: 'x64', aarch64: 'arm64', arm64: 'arm64' };

export function parseUname(out: string): Platform {
  const [os = '', kernel = '', machine = ''] = out.trim().split(/\s+/);
  const arch = ARCH[machine] ?? machine;
  return { os, kernel, arch, supported: os === 'Linux' && (arch === 'x64' || arch === 'arm64') };
}

/**
 * "Test connection": how far a login gets, stage by stage, and why it stopped. It never sends a
 * credential to a host whose key is not accepted, and never sends the sudo password unless sudo
 * asks for one.
 */
export async function probeConnection(opts: {
  target: SshTarget;
  /** Opens the connection (main/reach: host key checked against the accepted ones first). */
  connect(): Promise<ConnectOutcome>;
  sudoPassword: string | null;
}): Promise<ProbeReport> {
  const conn = await opts.connect();
  const base = {
    latencyMs: conn.latencyMs !== undefined ? Math.round(conn.latencyMs * 10) / 10 : null,
    hostKey: conn.hostKey ? { keyType: conn.hostKey.keyType, fingerprint: conn.hostKey.fingerprint, status: conn.hostKey.status, ...(conn.hostKey.knownFingerprint ? { knownFingerprint: conn.hostKey.knownFingerprint } : {}) } : null,
    auth: conn.auth && (conn.auth.tried.length || conn.auth.offered) ? conn.auth : null,
  };
  if (!conn.ok) {
    const stage: ProbeStage = !conn.hostKey ? 'connect' : conn.hostKey.status !== 'trusted' ? 'host-key' : 'auth';
    return { ok: false, stage, ...base, sudo: null, platform: null, failure: conn.failure };
  }
  const client = conn.client;
  let stage: ProbeStage = 'platform';
  try {
    const uname = await execCommand(client, 'uname -s -r -m', { timeoutMs: 10_000 });
    if (uname.code !== 0 || uname.stdout.trim() === '') throw new Error(`uname exited with ${uname.code ?? 'a signal'}${uname.stderr ? `: ${uname.stderr.trim().slice(0, 200)}` : ''}`);
    const platform = parseUname(uname.stdout);
    if (!platform.supported) {
      return {
        ok: false,
        stage: 'platform',
        ...base,
        sudo: null,
        platform,
        failure: {
          code: 'unsupported-platform',
          message: `${opts.target.address} runs ${platform.os} on ${platform.arch}; the agent supports Linux on x86_64 and aarch64`,
          params: { os: platform.os, arch: platform.arch },
        },
      };
    }
    stage = 'sudo';
    const sudo = await checkSudo(client, opts.target.user, opts.sudoPassword);
    if ('failure' in sudo) return { ok: false, stage: 'sudo', ...base, sudo: null, platform, failure: sudo.failure };
    return { ok: true, stage: 'done', ...base, sudo: sudo.access, platform, failure: null };
  } catch (err) {
    // The login worked but running a command did not (a restricted shell, ForceCommand, a hang):
    // say so at the stage it happened rather than as an internal error.
    const message = err instanceof Error ? err.message : String(err);
    const timedOut = /did not finish within/.test(message);
    return {
      ok: false,
      stage,
      ...base,
      sudo: null,
      platform: null,
      failure: {
        code: timedOut ? 'timeout' : 'protocol-error',
        message: timedOut
          ? `${opts.target.address} accepted the login but a check command did not finish (${message})`
          : `${opts.target.address} accepted the login but would not run a command (${message}); is the account limited to a restricted shell or ForceCommand?`,
        params: { stage },
      },
    };
  } finally {
    conn.close();
  }
}

async function checkSudo(client: import('ssh2').Client, user: string, password: string | null): Promise<{ access: SudoAccess } | { failure: SshFailure }> {
  if (user === 'root') return { access: 'root' };
  // LC_ALL=C: sudo's messages are matched below; -n never prompts, so this cannot hang.
  const quiet = await execCommand(client, 'LC_ALL=C sudo -n true', { timeoutMs: 10_000 });
  if (quiet.code === 0) return { access: 'passwordless' };
  if (/not found/.test(quiet.stderr)) return { failure: { code: 'sudo-denied', message: `sudo is not installed on the machine; log in as root or install sudo`, params: { user } } };
  if (/not in the sudoers|not allowed|may not run sudo/i.test(quiet.stderr)) {
    return { failure: { code: 'sudo-denied', message: `${user} may not use sudo on this machine; add it to the sudo group or log in as root`, params: { user } } };
  }
  if (!password) {
    return { failure: { code: 'sudo-password-required', message: `sudo asks ${user} for a password; enter the sudo password for this appliance`, params: { user } } };
  }
  const withPassword = await execCommand(client, "LC_ALL=C sudo -S -p '' true", { stdin: password + '\n', timeoutMs: 15_000 });
  if (withPassword.code === 0) return { access: 'with-password' };
  return { failure: { code: 'sudo-denied', message: `sudo refused the password for ${user} (wrong password, or ${user} is not allowed to use sudo)`, params: { user } } };
}
