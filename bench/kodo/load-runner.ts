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
}

export interface PhaseResult extends LoadResult {
  /** CPU seconds the server's processes spent during the load. */
  serverCpuSeconds: number;
  /** Highest RSS sampled of `rssPid`, bytes (NaN when not asked for). */
  peakRss: number;
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
    let serverCpuSeconds = 0;
    for (const [p, t] of after) serverCpuSeconds += t - (before.get(p) ?? 0);
    return { ...result, serverCpuSeconds, peakRss };
  } finally {
    if (sampler) clearInterval(sampler);
  }
}
