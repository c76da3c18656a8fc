import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { rssBytes } from '../proc-tree';
import type { LoadJob, LoadResult } from './s3-load';

/**
 * Runs one S3 load (./s3-load.ts) in its own process, optionally inside a network namespace (Ceph's),
 * and measures the server's side meanwhile: the CPU its processes spent and the peak RSS of one of
 * them, sampled every 100 ms.
 */
export interface ServerSide {
  /** The server's processes, for CPU time. */
  pids: () => number[];
  /** The process whose resident memory is sampled (Kodo's). */
  rssPid?: number;
  netns?: string;
  /** Block devices under the server's data (loop0…), for what the disks did during the load. */
  devices?: string[];
}

/** What the disks did during a load, summed over them (from /sys/block/<dev>/stat). */
export interface DiskActivity {
  /** Mean fraction of the phase each disk had I/O in flight (io_ticks): 1 = always busy. */
  busy: number;
  writes: number;
  writeBytes: number;
  reads: number;
  flushes: number;
}

export interface PhaseResult extends LoadResult {
  /** CPU seconds the server's processes spent during the load. */
  serverCpuSeconds: number;
  /** Highest RSS sampled of `rssPid`, bytes (NaN when not asked for). */
  peakRss: number;
  disks?: DiskActivity;
}

function diskStat(device: string): number[] {
  try {
    return fs.readFileSync(`/sys/block/${path.basename(device)}/stat`, 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    return [];
  }
}

function diskActivity(before: number[][], after: number[][], ms: number): DiskActivity {
  const d = (i: number, field: number) => (after[i]![field] ?? 0) - (before[i]![field] ?? 0);
  const a: DiskActivity = { busy: 0, writes: 0, writeBytes: 0, reads: 0, flushes: 0 };
  for (let i = 0; i < before.length; i++) {
    a.reads += d(i, 0);
    a.writes += d(i, 4);
    a.writeBytes += d(i, 6) * 512;
    a.busy += d(i, 9) / ms / before.length;
    a.flushes += d(i, 15);
  }
  return a;
}

export function describeDisks(a: DiskActivity | undefined, count: number): string {
  if (!a) return '';
  return `the ${count} disks were busy ${(a.busy * 100).toFixed(0)} % of the time, with ${a.flushes.toLocaleString('en')} flushes (fsync), ${a.writes.toLocaleString('en')} writes of ${(a.writeBytes / Math.max(1, a.writes) / 1024).toFixed(0)} KiB average and ${a.reads.toLocaleString('en')} reads`;
}

const TICKS = 100; // USER_HZ

export function cpuSecondsOf(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / TICKS;
  } catch {
    return 0;
  }
}

function totalCpu(pids: number[]): Map<number, number> {
  return new Map(pids.map((p) => [p, cpuSecondsOf(p)]));
}

const SCRIPT = path.join(__dirname, 's3-load.ts');

export async function runPhase(job: LoadJob, server: ServerSide): Promise<PhaseResult> {
  const pids = server.pids();
  const before = totalCpu(pids);
  const disksBefore = (server.devices ?? []).map(diskStat);
  const t0 = performance.now();
  let peakRss = server.rssPid ? rssBytes(server.rssPid) : NaN;
  const sampler = server.rssPid ? setInterval(() => (peakRss = Math.max(peakRss, rssBytes(server.rssPid!))), 100) : undefined;
  const argv = [process.execPath, '--import', 'tsx', SCRIPT, JSON.stringify(job)];
  const [cmd, ...args] = server.netns ? ['ip', 'netns', 'exec', server.netns, ...argv] : argv;
  try {
    const result = await new Promise<LoadResult>((resolve, reject) => {
      const child = spawn(cmd!, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NODE_NO_WARNINGS: '1' } });
      let out = '';
      let err = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('exit', (code) => {
        if (code === 0) resolve(JSON.parse(out.trim().split('\n').pop()!) as LoadResult);
        else reject(new Error(`${job.op} of ${job.clients}×${job.perClient} ${job.size ?? ''} B at ${job.endpoint}: ${err.trim().split('\n').pop() || `exit ${code}`}`));
      });
    });
    const after = totalCpu(pids);
    const disks = server.devices?.length ? diskActivity(disksBefore, server.devices.map(diskStat), performance.now() - t0) : undefined;
    let serverCpuSeconds = 0;
    for (const [p, t] of after) serverCpuSeconds += t - (before.get(p) ?? 0);
    return { ...result, serverCpuSeconds, peakRss, ...(disks ? { disks } : {}) };
  } finally {
    if (sampler) clearInterval(sampler);
  }
}
