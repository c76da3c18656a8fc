import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { median, notMeasured, printFigures, saveResults, type Figure } from './report';
import { agentIdleRss } from './kodo/agent-idle';
import { applianceNode } from './kodo/appliance-node';
import { cephMissing, startCeph, type CephPeer } from './kodo/ceph-peer';
import { createCleanup, type Cleanup } from './kodo/cleanup';
import { buildKodoBundle, startKodo, type KodoProcess } from './kodo/kodo-process';
import { describeDisks, runPhase, type PhaseResult } from './kodo/load-runner';
import { createLoopDisks, dropFileCache, remount, sh, type LoopDisk } from './kodo/loop-disks';
import { rawRead, rawWrite, removeRawFiles } from './kodo/raw-disks';
import type { LoadJob } from './kodo/s3-load';
import { rssBytes } from './proc-tree';

/**
 * Kodo's throughput and memory (issue 9 §6), on real disks: six ext4 loop disks, Kodo's bundled
 * server as its own process over them (4+2), S3 clients (@aws-sdk/client-s3) in another process.
 *
 * - Against the raw disks: PUT and GET MB/s of 1 MiB and 64 MiB objects, 16 clients, vs dd with
 *   O_DIRECT on the same file systems, all disks at once, in alternating rounds. Writes: the same
 *   bytes Kodo writes, parity included ((k+m)/k × data). Reads: the bytes a healthy GET reads (the
 *   data shards; parity is read only to rebuild), each figure in MB/s of object data. Target ≥ 0.7×.
 * - Against Ceph RGW (./kodo/ceph-cluster.sh) on the same disks, its data pool erasure-coded
 *   4+2 too: 4 KiB PUT/s, 1 MiB and 64 MiB PUT/GET MB/s, and the time of one 1,000-key
 *   ListObjectsV2 page from a bucket filled with as many 4 KiB objects as RGW takes in FILL_SECONDS
 *   (the same count in Kodo's; far from the issue's 1,000,000, said in the figure). Target ≥ 1×.
 * - Memory: the agent's and Kodo's RSS when idle, and Kodo's per concurrent 64 MiB upload.
 *
 * Before every GET, caches are emptied on both sides (Kodo: the file systems remounted; Ceph: the
 * OSDs' BlueStore caches dropped), so reads come from the disks as the raw reference's do. The
 * two peers run one after the other, never together. Medians of ROUNDS rounds.
 */

const LAYOUT = { k: 4, m: 2 };
const DISKS = LAYOUT.k + LAYOUT.m;
const DISK_BYTES = 6 * 1024 ** 3;
const CLIENTS = 16;
const ROUNDS = Number(process.env.KODO_BENCH_ROUNDS ?? 3);
const FILL_SECONDS = Number(process.env.KODO_BENCH_FILL_SECONDS ?? 30);
const LIST_PAGES = 10;
const MiB = 1024 * 1024;
const MB = 1e6;
const SIZES = [
  { label: '1 MiB', size: MiB, perClient: 8 },
  { label: '64 MiB', size: 64 * MiB, perClient: 1 },
];

interface Endpoint {
  endpoint: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** What each size's rounds measured on one peer. */
interface Throughput {
  put: PhaseResult[];
  get: PhaseResult[];
  rawWrite: number[];
  rawRead: number[];
  rssPerUpload: number[];
}

interface PeerResult {
  throughput: Map<string, Throughput>;
  fill?: PhaseResult;
  list?: PhaseResult;
}

const job = (ep: Endpoint, bucket: string, rest: Omit<LoadJob, 'endpoint' | 'accessKeyId' | 'secretAccessKey' | 'bucket'>): LoadJob => ({ ...ep, bucket, ...rest });
const mbps = (r: PhaseResult) => r.bytes / MB / r.seconds;
const log = (line: string) => console.log(`  [kodo bench ${new Date().toISOString().slice(11, 19)}] ${line}`);

export async function runKodoBenchmarks(): Promise<Figure[]> {
  const why = preflight();
  if (why) return finish([notMeasured('Kodo throughput and memory', why)]);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'kodo-bench-'));
  const cleanup = createCleanup();
  cleanup.add(`removing ${work}`, () => fs.rmSync(work, { recursive: true, force: true }));
  const figures: Figure[] = [];
  try {
    log(`${DISKS} loop disks of ${DISK_BYTES / 1024 ** 3} GiB in ${work}`);
    const disks = createLoopDisks(work, DISKS, DISK_BYTES, cleanup);
    const bundle = buildKodoBundle(path.join(work, 'build'));
    const runtime = applianceNode(work);
    log(`Kodo runs on ${runtime.label}`);

    // KODO_BENCH_CEPH=0 leaves the peer out (its figures then print NOT MEASURED): for a quick look at Kodo alone.
    const cephWhy = process.env.KODO_BENCH_CEPH === '0' ? 'left out by KODO_BENCH_CEPH=0' : cephMissing();
    let ceph: PeerResult | undefined;
    let cephIdle = NaN;
    let cephStart = NaN;
    if (!cephWhy) {
      // Ceph first: Kodo's list bucket then takes as many objects as RGW's got in FILL_SECONDS.
      const peer = startCeph({ dir: path.join(work, 'ceph'), osdDirs: disks.map((d) => path.join(d.mount, 'ceph')), layout: LAYOUT, osdSizeBytes: 4 * 1024 ** 3, cleanup });
      cephStart = peer.startSeconds;
      log(`Ceph up in ${peer.startSeconds.toFixed(0)} s`);
      await new Promise((r) => setTimeout(r, 3000));
      cephIdle = peer.rss();
      ceph = await measureCeph(peer, disks.map((d) => d.device));
      cleanup.runStep('stopping Ceph');
      for (const d of disks) fs.rmSync(path.join(d.mount, 'ceph'), { recursive: true, force: true });
    }

    const kodo = await measureKodo(disks, bundle, runtime.node, work, cleanup, ceph?.fill?.ops);
    figures.push(...rawFigures(kodo.result), ...rgwFigures(kodo.result, ceph, cephWhy), ...memoryFigures(kodo, cephIdle, cephStart));
  } catch (err) {
    figures.push(notMeasured('Kodo throughput and memory (the rest)', `the bench stopped: ${err instanceof Error ? err.message : String(err)}`));
  } finally {
    cleanup.runAll();
  }
  return finish(figures);
}

function preflight(): string | null {
  if (process.platform !== 'linux') return 'needs Linux (loop devices, ext4)';
  if (process.getuid?.() !== 0) return 'needs root for loop devices and mounts: run it as root (sudo npm run bench -- kodo)';
  for (const tool of ['losetup', 'mkfs.ext4', 'mount', 'dd', 'ip']) {
    if (sh('which', [tool], { allowFailure: true }).status !== 0) return `${tool} is not installed (sudo bash scripts/setup-system.sh)`;
  }
  return null;
}

async function measureCeph(peer: CephPeer, devices: string[]): Promise<PeerResult> {
  const server = { pids: peer.pids, netns: peer.netns, devices };
  const result: PeerResult = { throughput: new Map() };
  await runPhase(job(peer, 'bench-objects', { op: 'create-bucket', clients: 1, perClient: 1 }), server);
  await runPhase(job(peer, 'bench-listing', { op: 'create-bucket', clients: 1, perClient: 1 }), server);
  for (const { label, size, perClient } of SIZES) {
    const t: Throughput = { put: [], get: [], rawWrite: [], rawRead: [], rssPerUpload: [] };
    for (let round = 0; round < ROUNDS; round++) {
      t.put.push(await runPhase(job(peer, 'bench-objects', { op: 'put', clients: CLIENTS, perClient, size, prefix: `o${size}-` }), server));
      peer.dropCaches();
      t.get.push(await runPhase(job(peer, 'bench-objects', { op: 'get', clients: CLIENTS, perClient, prefix: `o${size}-` }), server));
      log(`RGW ${label} round ${round + 1}: PUT ${mbps(t.put.at(-1)!).toFixed(0)} MB/s, GET ${mbps(t.get.at(-1)!).toFixed(0)} MB/s`);
    }
    result.throughput.set(label, t);
  }
  result.fill = await runPhase(job(peer, 'bench-listing', { op: 'put', clients: CLIENTS, perClient: 1_000_000, size: 4096, prefix: 'k', maxSeconds: FILL_SECONDS }), server);
  result.list = await runPhase(job(peer, 'bench-listing', { op: 'list', clients: 1, perClient: LIST_PAGES }), server);
  log(`RGW 4 KiB: ${result.fill.ops} objects at ${(result.fill.ops / result.fill.seconds).toFixed(0)} PUT/s; list ${median(result.list.pageMs ?? []).toFixed(0)} ms/page`);
  return result;
}

interface KodoRun {
  result: PeerResult;
  idleRss: number;
  agentRss: number;
  node: string;
}

async function measureKodo(disks: LoopDisk[], bundle: ReturnType<typeof buildKodoBundle>, node: string, work: string, cleanup: Cleanup, listObjects: number | undefined): Promise<KodoRun> {
  const kodoDisks = disks.map((d) => path.join(d.mount, 'kodo'));
  for (const d of kodoDisks) fs.mkdirSync(d, { recursive: true });
  const stateDir = path.join(work, 'kodo-state');
  let kodo: KodoProcess = await startKodo({ bundle, node, stateDir, disks: kodoDisks, layout: LAYOUT, init: true });
  cleanup.add('stopping kodo-server', () => kodo.kill());
  const key = { accessKeyId: kodo.accessKeyId, secretAccessKey: kodo.secretAccessKey };
  const restart = async (between: () => void) => {
    await kodo.stop();
    between();
    kodo = await startKodo({ bundle, node, stateDir, disks: kodoDisks, layout: LAYOUT, init: false, key });
  };
  const server = () => ({ pids: () => [kodo.pid], rssPid: kodo.pid, devices: disks.map((d) => d.device) });
  await new Promise((r) => setTimeout(r, 3000));
  const idleRss = rssBytes(kodo.pid);
  const agentRss = await agentIdleRss(bundle, node, path.join(work, 'agent'));

  const result: PeerResult = { throughput: new Map() };
  await runPhase(job(kodo, 'bench-objects', { op: 'create-bucket', clients: 1, perClient: 1 }), server());
  await runPhase(job(kodo, 'bench-listing', { op: 'create-bucket', clients: 1, perClient: 1 }), server());
  for (const { label, size, perClient } of SIZES) {
    const t: Throughput = { put: [], get: [], rawWrite: [], rawRead: [], rssPerUpload: [] };
    const data = size * perClient * CLIENTS;
    for (let round = 0; round < ROUNDS; round++) {
      // (k+m)/k × data over k+m disks: data/k on each.
      t.rawWrite.push(await rawWrite(disks, data / LAYOUT.k));
      const before = rssBytes(kodo.pid);
      const put = await runPhase(job(kodo, 'bench-objects', { op: 'put', clients: CLIENTS, perClient, size, prefix: `o${size}-` }), server());
      t.put.push(put);
      if (perClient === 1) t.rssPerUpload.push((put.peakRss - before) / CLIENTS);
      await restart(() => {
        for (const w of remount(disks)) log(`warning: ${w}`);
      });
      dropFileCache(kodoDisks);
      t.rawRead.push(await rawRead(disks, data / DISKS));
      removeRawFiles(disks);
      t.get.push(await runPhase(job(kodo, 'bench-objects', { op: 'get', clients: CLIENTS, perClient, prefix: `o${size}-` }), server()));
      log(`Kodo ${label} round ${round + 1}: PUT ${mbps(put).toFixed(0)} MB/s (raw ${(data / MB / t.rawWrite.at(-1)!).toFixed(0)}), GET ${mbps(t.get.at(-1)!).toFixed(0)} MB/s (raw ${(data / MB / t.rawRead.at(-1)!).toFixed(0)}, ${t.get.at(-1)!.disks?.reads} disk reads)`);
    }
    result.throughput.set(label, t);
  }
  // As many 4 KiB objects as RGW's bucket got (or FILL_SECONDS' worth without Ceph), so both lists page through the same count.
  const target = listObjects ?? CLIENTS * 1_000_000;
  result.fill = await runPhase(job(kodo, 'bench-listing', { op: 'put', clients: CLIENTS, perClient: Math.ceil(target / CLIENTS), size: 4096, prefix: 'k', maxSeconds: listObjects ? FILL_SECONDS * 4 : FILL_SECONDS }), server());
  result.list = await runPhase(job(kodo, 'bench-listing', { op: 'list', clients: 1, perClient: LIST_PAGES }), server());
  log(`Kodo 4 KiB: ${result.fill.ops} objects at ${(result.fill.ops / result.fill.seconds).toFixed(0)} PUT/s; list ${median(result.list.pageMs ?? []).toFixed(0)} ms/page`);
  await kodo.stop();
  return { result, idleRss, agentRss, node };
}

/** Why a throughput fell short, from the same run's figures: where the CPU went and what else ran. */
function cpuNote(phases: PhaseResult[], who: string): string {
  const server = median(phases.map((p) => p.serverCpuSeconds / p.seconds));
  const client = median(phases.map((p) => p.cpuSeconds / p.seconds));
  // The median phase's disk activity: what the server asked of the disks, next to its CPU.
  const mid = [...phases].sort((a, b) => a.seconds - b.seconds)[Math.floor(phases.length / 2)];
  const disks = describeDisks(mid?.disks, DISKS);
  return `${who} used ${server.toFixed(2)} cores, the S3 client ${client.toFixed(2)}, of ${os.cpus().length}${disks ? `; ${disks}` : ''} (load average ${os.loadavg()[0]!.toFixed(1)} at the end: other work shares the machine)`;
}

function rawFigures(kodo: PeerResult): Figure[] {
  const out: Figure[] = [];
  for (const { label, size, perClient } of SIZES) {
    const t = kodo.throughput.get(label)!;
    const data = size * perClient * CLIENTS;
    const rawW = median(t.rawWrite.map((s) => data / MB / s));
    const rawR = median(t.rawRead.map((s) => data / MB / s));
    const put = median(t.put.map(mbps));
    const get = median(t.get.map(mbps));
    out.push({
      name: `Kodo PUT ${label} objects, ${CLIENTS} clients`,
      value: put,
      unit: 'MB/s',
      reference: { name: `dd O_DIRECT writing the same bytes incl. parity over ${DISKS} disks at once`, value: rawW },
      targetRatio: 0.7,
      higherIsBetter: true,
      limitedBy: cpuNote(t.put, 'kodo-server'),
    });
    out.push({
      name: `Kodo GET ${label} objects, ${CLIENTS} clients`,
      value: get,
      unit: 'MB/s',
      reference: { name: `dd O_DIRECT reading the same data bytes over ${DISKS} disks at once`, value: rawR },
      targetRatio: 0.7,
      higherIsBetter: true,
      limitedBy: cpuNote(t.get, 'kodo-server'),
    });
  }
  return out;
}

function rgwFigures(kodo: PeerResult, ceph: PeerResult | undefined, cephWhy: string | null): Figure[] {
  const names = [
    'Kodo 4 KiB PUT/s vs Ceph RGW',
    ...SIZES.flatMap((s) => [`Kodo PUT ${s.label} vs Ceph RGW`, `Kodo GET ${s.label} vs Ceph RGW`]),
    'Kodo ListObjectsV2 1,000-key page vs Ceph RGW',
  ];
  if (!ceph) return names.map((n) => notMeasured(n, cephWhy ?? 'Ceph did not run'));
  const rgwRef = (value: number) => ({ name: 'Ceph RGW (EC 4+2, same disks)', value });
  const out: Figure[] = [];
  const kf = kodo.fill!;
  const cf = ceph.fill!;
  out.push({ name: `Kodo 4 KiB PUT, ${CLIENTS} clients`, value: kf.ops / kf.seconds, unit: 'PUT/s', reference: rgwRef(cf.ops / cf.seconds), targetRatio: 1, higherIsBetter: true, limitedBy: `${cpuNote([kf], 'kodo-server')}; RGW: ${cpuNote([cf], 'Ceph')}` });
  for (const { label } of SIZES) {
    const k = kodo.throughput.get(label)!;
    const c = ceph.throughput.get(label)!;
    for (const op of ['put', 'get'] as const) {
      out.push({
        name: `Kodo ${op.toUpperCase()} ${label}, ${CLIENTS} clients`,
        value: median(k[op].map(mbps)),
        unit: 'MB/s',
        reference: rgwRef(median(c[op].map(mbps))),
        targetRatio: 1,
        higherIsBetter: true,
        limitedBy: `${cpuNote(k[op], 'kodo-server')}; RGW: ${cpuNote(c[op], 'Ceph (all daemons)')}`,
      });
    }
  }
  const kl = kodo.list!;
  const cl = ceph.list!;
  out.push({
    name: `Kodo ListObjectsV2, the first 1,000-key page (median of ${LIST_PAGES}), bucket of ${kf.ops.toLocaleString('en')} objects (RGW's: ${cf.ops.toLocaleString('en')}; NOT the 1,000,000 of the target: filled by S3 PUTs in ${FILL_SECONDS} s)`,
    value: median(kl.pageMs ?? []),
    unit: 'ms/page',
    reference: { name: 'Ceph RGW', value: median(cl.pageMs ?? []) },
    targetRatio: 1,
    limitedBy: `${cpuNote([kl], 'kodo-server')}; keys per page: Kodo ${kl.keysPerPage?.[0]}, RGW ${cl.keysPerPage?.[0]}`,
  });
  return out;
}

function memoryFigures(kodo: KodoRun, cephIdle: number, cephStart: number): Figure[] {
  const perUpload = median(kodo.result.throughput.get('64 MiB')!.rssPerUpload);
  const out: Figure[] = [
    { name: 'agent + Kodo RSS, idle (agent alone, no services, + kodo-server after init)', value: (kodo.agentRss + kodo.idleRss) / MiB, unit: 'MiB' },
    { name: '  of which the agent', value: kodo.agentRss / MiB, unit: 'MiB' },
    { name: '  of which kodo-server', value: kodo.idleRss / MiB, unit: 'MiB' },
    { name: `Kodo RSS per concurrent 64 MiB upload (peak during ${CLIENTS} at once − before, ÷ ${CLIENTS})`, value: perUpload / MiB, unit: 'MiB' },
  ];
  if (Number.isFinite(cephIdle)) out.push({ name: 'Ceph RSS, idle (mon + mgr + 6 OSDs + RGW), for comparison', value: cephIdle / MiB, unit: 'MiB' });
  if (Number.isFinite(cephStart)) out.push({ name: 'Ceph start-up (mkfs of 6 OSDs, pools, RGW answering)', value: cephStart, unit: 's' });
  return out;
}

function finish(figures: Figure[]): Figure[] {
  printFigures(`kodo: Kodo (4+2 on ${DISKS} ext4 loop disks) vs raw disks and Ceph RGW; ${CLIENTS} S3 clients; medians of ${ROUNDS} rounds`, figures);
  saveResults('kodo', figures);
  return figures;
}
