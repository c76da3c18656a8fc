import { spawnSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { rssBytes } from '../proc-tree';
import type { Cleanup } from './cleanup';

/**
 * Ceph RGW, Kodo's S3 peer in the bench: started by ./ceph-cluster.sh (mon, mgr, one BlueStore OSD
 * per disk, RGW; RGW's data pool erasure-coded k+m as Kodo's set) in a network namespace of its own.
 */
export interface CephPeer {
  endpoint: string;
  netns: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Every Ceph daemon's pid (mon, mgr, OSDs, RGW). */
  pids(): number[];
  /** Resident memory of all its daemons, bytes. */
  rss(): number;
  /** Empties the OSDs' BlueStore caches, so reads after writes come from the disks, as Kodo's do. */
  dropCaches(): void;
  /** Seconds `up` took. */
  startSeconds: number;
}

const SCRIPT = path.join(__dirname, 'ceph-cluster.sh');
const PACKAGES = ['ceph-mon', 'ceph-osd', 'ceph-mgr', 'radosgw'];

/** Why Ceph cannot run here (a person reads it in a NOT MEASURED line), or null when it can. */
export function cephMissing(): string | null {
  const missing = ['ceph-mon', 'ceph-osd', 'ceph-mgr', 'radosgw', 'ceph'].filter((b) => spawnSync('which', [b]).status !== 0);
  if (missing.length === 0) return null;
  return `Ceph is not installed (${missing.join(', ')} missing; Debian ${PACKAGES.join(' ')}): run sudo bash bench/kodo/setup-ceph.sh, then the bench again`;
}

export function startCeph(opts: { dir: string; osdDirs: string[]; layout: { k: number; m: number }; osdSizeBytes: number; cleanup: Cleanup }): CephPeer {
  const netns = `kodo-bench-${process.pid}`;
  const accessKeyId = 'KODOBENCH' + crypto.randomBytes(6).toString('hex').toUpperCase();
  const secretAccessKey = crypto.randomBytes(24).toString('base64url');
  const env = {
    ...process.env,
    D: opts.dir,
    NS: netns,
    OSD_DIRS: opts.osdDirs.join(' '),
    K: String(opts.layout.k),
    M: String(opts.layout.m),
    RGW_PORT: '7480',
    OSD_SIZE: String(opts.osdSizeBytes),
    ACCESS_KEY: accessKeyId,
    SECRET_KEY: secretAccessKey,
  };
  // Registered before `up`, so a failure half-way still stops what did start.
  opts.cleanup.add('stopping Ceph', () => {
    const r = spawnSync('bash', [SCRIPT, 'down'], { env, encoding: 'utf8', timeout: 120_000 });
    if (r.status !== 0) throw new Error(`ceph-cluster.sh down: ${r.stderr}`);
  });
  const t0 = performance.now();
  const up = spawnSync('bash', [SCRIPT, 'up'], { env, encoding: 'utf8', timeout: 400_000, maxBuffer: 16 << 20 });
  if (up.status !== 0) throw new Error(`starting Ceph failed (${up.error?.message ?? up.status}): ${(up.stderr || up.stdout).trim().split('\n').slice(-6).join(' | ')}`);
  const startSeconds = (performance.now() - t0) / 1000;
  const runDir = path.join(opts.dir, 'run');
  const pids = () =>
    fs
      .readdirSync(runDir)
      .filter((f) => f.endsWith('.pid'))
      .map((f) => Number(fs.readFileSync(path.join(runDir, f), 'utf8').trim()))
      .filter((p) => p > 0);
  const ceph = (args: string[]) => spawnSync('ip', ['netns', 'exec', netns, 'ceph', '--connect-timeout', '30', ...args], { env: { ...process.env, CEPH_CONF: path.join(opts.dir, 'ceph.conf') }, encoding: 'utf8', timeout: 60_000 });
  return {
    endpoint: 'http://127.0.0.1:7480',
    netns,
    accessKeyId,
    secretAccessKey,
    pids,
    rss: () => pids().reduce((sum, p) => sum + rssBytes(p), 0),
    dropCaches: () => {
      const r = ceph(['tell', 'osd.*', 'cache', 'drop']);
      if (r.status !== 0) throw new Error(`ceph tell osd.* cache drop: ${r.stderr.trim()}`);
    },
    startSeconds,
  };
}
