import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freeTcpPort } from './free-port';
import { makeTempDir } from './temp-dir';

export const SSHD = '/usr/sbin/sshd';

export function sshdMissingReason(): string | null {
  if (!fs.existsSync(SSHD)) return `${SSHD} not found; run scripts/setup-system.sh (openssh-server)`;
  if (process.getuid?.() !== 0) return 'a real sshd needs root to switch users; run the tests as root (CI does)';
  return null;
}


export interface LocalSshd {
  port: number;
  clientKey: string;
  hostKeyPub: string;
  dir: string;
  /** The listening sshd's pid (its sessions are its children). */
  readonly pid: number;
  /** Replace the host key and restart (what a reinstall, or an attacker, looks like). */
  rotateHostKey(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * A real OpenSSH server on a free loopback port, with its own host key and config, accepting the
 * test's client key for root. It never touches the machine's own sshd or /etc/ssh.
 */
export async function startLocalSshd(opts: { extraConfig?: string[] } = {}): Promise<LocalSshd> {
  const tmp = makeTempDir('sshd');
  const dir = tmp.dir;
  fs.mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const keygen = (file: string) => execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', file], { stdio: 'ignore' });
  keygen(path.join(dir, 'host_key'));
  keygen(path.join(dir, 'client_key'));
  fs.copyFileSync(path.join(dir, 'client_key.pub'), path.join(dir, 'authorized_keys'));
  fs.chmodSync(dir, 0o755);
  let child: ChildProcess | undefined;
  let port = 0;
  const writeConfig = () =>
    fs.writeFileSync(
      path.join(dir, 'sshd_config'),
      [
        `ListenAddress 127.0.0.1:${port}`,
        `HostKey ${path.join(dir, 'host_key')}`,
        `PidFile ${path.join(dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${path.join(dir, 'authorized_keys')}`,
        'PermitRootLogin prohibit-password',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'LogLevel ERROR',
        ...(opts.extraConfig ?? []),
      ].join('\n') + '\n',
    );
  /** Our sshd is up when *it* answers: it is still running and the port speaks OpenSSH's banner. */
  const answers = () =>
    new Promise<boolean>((resolve) => {
      const s = net.connect(port, '127.0.0.1');
      s.setTimeout(1000);
      s.once('data', (d: Buffer) => {
        s.destroy();
        resolve(d.toString().startsWith('SSH-2.0-OpenSSH'));
      });
      s.once('error', () => resolve(false));
      s.once('timeout', () => {
        s.destroy();
        resolve(false);
      });
    });
  // A free port can be taken between choosing and binding it (parallel test files): then sshd
  // exits at once, and we try another port.
  const start = async () => {
    for (let attempt = 0; attempt < 5; attempt++) {
      if (attempt > 0 || port === 0) port = await freeTcpPort();
      writeConfig();
      const proc = spawn(SSHD, ['-D', '-e', '-f', path.join(dir, 'sshd_config')], { stdio: ['ignore', 'ignore', 'pipe'] });
      child = proc;
      for (let i = 0; i < 100 && proc.exitCode === null; i++) {
        if (await answers()) return;
        await new Promise((r) => setTimeout(r, 50));
      }
      proc.kill('SIGKILL');
    }
    throw new Error('sshd did not start after 5 attempts');
  };
  const stopChild = async () => {
    if (!child || child.exitCode !== null) return;
    const done = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await done;
  };
  await start();
  const sshd: LocalSshd = {
    get port() {
      return port;
    },
    get pid() {
      return child!.pid!;
    },
    dir,
    clientKey: fs.readFileSync(path.join(dir, 'client_key'), 'utf8'),
    hostKeyPub: fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8'),
    async rotateHostKey() {
      await stopChild();
      fs.rmSync(path.join(dir, 'host_key'));
      fs.rmSync(path.join(dir, 'host_key.pub'));
      keygen(path.join(dir, 'host_key'));
      sshd.hostKeyPub = fs.readFileSync(path.join(dir, 'host_key.pub'), 'utf8');
      await start();
    },
    async stop() {
      await stopChild();
      tmp.cleanup();
    },
  };
  return sshd;
}
