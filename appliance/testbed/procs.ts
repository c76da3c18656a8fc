/**
 * Finding processes that belong to a machine. A machine is not a container runtime object; what
 * identifies its processes is the kernel's namespace identity: /proc/PID/ns/net of every process in
 * the machine points at the same network namespace inode as /run/netns/<machine>. That holds for
 * processes the console starts over SSH, for daemons that double-fork, and after a crash of `up`.
 */
import fs from 'node:fs';
import { isAlive, isZombie, sleep } from './exec';

export interface ProcInfo {
  pid: number;
  /** Arguments as the process was started (argv), and joined with spaces. */
  argv: string[];
  cmdline: string;
}

function readArgv(pid: number): string[] {
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
  } catch {
    return [];
  }
}

function allPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .map(Number)
    .filter((pid) => pid !== process.pid);
}

/** Live (non-zombie) processes whose network namespace has inode `inode`. */
export function processesInNetns(inode: number): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const pid of allPids()) {
    let link: string;
    try {
      link = fs.readlinkSync(`/proc/${pid}/ns/net`);
    } catch {
      continue; // exited meanwhile, or a kernel thread
    }
    if (link === `net:[${inode}]` && !isZombie(pid)) {
      const argv = readArgv(pid);
      out.push({ pid, argv, cmdline: argv.join(' ') });
    }
  }
  return out;
}

/** Live processes whose command line contains `needle` (e.g. a state directory path). */
export function processesMatching(needle: string): ProcInfo[] {
  const out: ProcInfo[] = [];
  for (const pid of allPids()) {
    const argv = readArgv(pid);
    const cmdline = argv.join(' ');
    if (cmdline.includes(needle) && !isZombie(pid)) out.push({ pid, argv, cmdline });
  }
  return out;
}

export function kill(pid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(pid, signal);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, up to `graceMs` for them to exit (0: none), then SIGKILL; returns once all are gone (or 5 s). */
export async function killAndWait(pids: readonly number[], graceMs: number): Promise<void> {
  const alive = () => pids.filter(isAlive);
  if (graceMs > 0) {
    for (const pid of alive()) kill(pid, 'SIGTERM');
    for (let waited = 0; alive().length > 0 && waited < graceMs; waited += 25) await sleep(25);
  }
  for (const pid of alive()) kill(pid, 'SIGKILL');
  for (let waited = 0; alive().length > 0 && waited < 5_000; waited += 25) await sleep(25);
}

/** Host pids of the direct children of `pid` (used to find a machine's init under `unshare`). */
export function childrenOf(pid: number): number[] {
  try {
    return fs
      .readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8')
      .trim()
      .split(/\s+/)
      .filter(Boolean)
      .map(Number);
  } catch {
    return [];
  }
}
