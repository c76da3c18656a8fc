import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export const ROOT = path.resolve(__dirname, '../..');

export interface ServeProcess {
  url: string;
  loginUrl: string;
  token: string;
  child: ChildProcess;
  output(): string;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/**
 * Starts the real headless host as its own process (the launcher in scripts/, which runs the
 * built CLI or, without a build, the TypeScript through tsx) on a free loopback port, and waits for
 * the login URL it prints.
 */
export function startServe(opts: { dataDir: string; uiDir?: string; env?: NodeJS.ProcessEnv; args?: string[]; umask?: number }): Promise<ServeProcess> {
  const command = [process.execPath, path.join(ROOT, 'scripts/appliance-console.mjs'), 'serve', '--listen', '127.0.0.1:0', '--data-dir', opts.dataDir, ...(opts.args ?? [])];
  // A umask is a property of the process that a shell sets before exec'ing it, as a person's shell would.
  const [file, args]: [string, string[]] = opts.umask === undefined ? [command[0]!, command.slice(1)] : ['/bin/sh', ['-c', `umask ${opts.umask.toString(8).padStart(3, '0')} && exec "$@"`, 'sh', ...command]];
  const child = spawn(file, args, {
    cwd: ROOT,
    env: { ...process.env, ...(opts.uiDir ? { APPLIANCE_CONSOLE_UI_DIR: opts.uiDir } : {}), ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not print a login URL within 60 s:\n${out}`));
    }, 60_000);
    const check = () => {
      const m = /(https?:\/\/[^\s]+)\/login\?token=([A-Za-z0-9_-]+)/.exec(out);
      if (!m) return;
      clearTimeout(timer);
      child.stdout!.off('data', check);
      resolve({
        url: m[1]!,
        token: m[2]!,
        loginUrl: m[0],
        child,
        output: () => out,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code} before it was ready:\n${out}`));
    });
  });
}
