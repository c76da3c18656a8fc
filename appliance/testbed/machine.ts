/**
 * Starting a machine and acting inside it. A machine is a set of namespaces around one init process
 * (the boot script, which becomes sshd — see boot-script.ts); its host pid is the handle for
 * everything else: entering it (nsenter -t PID), writing files into it (/proc/PID/root), and killing
 * it (SIGKILL to a pid namespace's init takes every process of the machine with it).
 */
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { renderBootScript, READY_LINE, type BootScriptInput } from './boot-script';
import { isAlive, run, spawnDetached, waitFor, type RunOptions, type RunResult } from './exec';
import { childrenOf } from './procs';
import type { MachineFile } from './smart-double';

export interface BootInput extends BootScriptInput {
  netns: string;
  timeoutMs?: number;
}

/** Boot the machine; resolves with the host pid of its init once the boot script has finished. */
export async function bootMachine(input: BootInput): Promise<number> {
  const script = path.join(input.machineDir, 'boot.sh');
  const log = path.join(input.machineDir, 'boot.log');
  fs.mkdirSync(path.join(input.machineDir, 'scratch'), { recursive: true });
  fs.writeFileSync(script, renderBootScript(input), { mode: 0o700 });
  fs.writeFileSync(log, '');
  // nsenter --net joins the named namespace without `ip netns exec`'s throw-away mount namespace;
  // unshare --fork makes the boot script pid 1 of a new pid namespace. Not --kill-child: the
  // launcher may die (its parent, the CLI, exits) while the machine must keep running.
  const launcher = spawnDetached(
    'nsenter',
    [`--net=/run/netns/${input.netns}`, '--', 'unshare', '--pid', '--fork', '--mount', '--uts', '--ipc', '--propagation', 'private', '--', '/bin/sh', script],
    log,
  );
  const timeoutMs = input.timeoutMs ?? 20_000;
  await waitFor(`${input.hostname} to boot (see ${log})`, timeoutMs, () => {
    const text = fs.readFileSync(log, 'utf8');
    if (text.includes(READY_LINE)) return true;
    if (!isAlive(launcher)) throw new Error(`${input.hostname} failed to boot: ${lastLines(text)} (full log: ${log})`);
    return undefined;
  });
  return waitFor(`${input.hostname}'s init pid`, 2_000, () => childrenOf(launcher)[0]);
}

function lastLines(text: string): string {
  return text.trim().split('\n').slice(-5).join(' | ') || 'no output';
}

/** Run a command inside the machine: all its namespaces, its root, its pid namespace. */
export function machineExec(pid: number, args: readonly string[], opts?: RunOptions): Promise<RunResult> {
  return run('nsenter', ['-t', String(pid), '-m', '-u', '-i', '-n', '-p', '-r', '-w', '--', ...args], opts);
}

/** Run a POSIX shell script inside the machine; positional parameters are passed as $1, $2, ... */
export function machineShell(pid: number, script: string, params: readonly string[] = [], opts?: RunOptions): Promise<RunResult> {
  return machineExec(pid, ['/bin/sh', '-euc', script, 'testbed', ...params], opts);
}

/**
 * Write files into the machine through /proc/PID/root, which the kernel resolves inside the
 * machine's mount namespace. Our target paths have no symlinks in them (they are under tmpfs we
 * made), which matters because an absolute symlink there would resolve against the host's root.
 */
export function writeMachineFiles(pid: number, files: readonly MachineFile[]): void {
  const root = `/proc/${pid}/root`;
  for (const f of files) {
    const target = path.join(root, f.path);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.content, { mode: f.mode });
    fs.chmodSync(target, f.mode);
  }
}

/** Resolves once the machine's sshd answers with an SSH banner, i.e. is ready for a console. */
export async function waitForSsh(address: string, port: number, timeoutMs = 10_000): Promise<void> {
  await waitFor(`sshd on ${address}:${port}`, timeoutMs, () => probeSsh(address, port), 50);
}

function probeSsh(address: string, port: number): Promise<true | undefined> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: address, port, timeout: 1_000 });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok ? true : undefined);
    };
    socket.once('data', (d) => done(d.toString('latin1').startsWith('SSH-')));
    socket.once('timeout', () => done(false));
    socket.once('error', () => done(false));
  });
}
