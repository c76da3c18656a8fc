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
import { createLoopDisks, dropFileCache, sh, type LoopDisk } from './kodo/loop-disks';
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
 * Before every GET, caches are emptied on both sides (Kodo: its files' pages dropped; Ceph: the
 * OSDs' BlueStore caches dropped), so reads come from the disks as the raw reference's do. Both
 * peers are up together and measured in alternation with the raw reference, round after round, so
 * the machine's other work weighs on all three alike. Medians of ROUNDS rounds.
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
    let peer: CephPeer | undefined;
    let cephIdle = NaN;
    if (!cephWhy) {
      peer = startCeph({ dir: path.join(work, 'ceph'), osdDirs: disks.map((d) => path.join(d.mount, 'ceph')), layout: LAYOUT, osdSizeBytes: 4 * 1024 ** 3, cleanup });
      log(`Ceph up in ${peer.startSeconds.toFixed(0)} s`);
      await new Promise((r) => setTimeout(r, 3000));
      cephIdle = peer.rss();
    }
    const run = await measureBoth(disks, bundle, runtime.node, work, cleanup, peer);
    figures.push(...rawFigures(run.kodo), ...rgwFigures(run.kodo, run.ceph, cephWhy), ...memoryFigures(run, cephIdle, peer?.startSeconds ?? NaN));
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

interface BothRun {
  kodo: PeerResult;
  ceph?: PeerResult;
  idleRss: number;
  agentRss: number;
}

const newThroughput = (): Throughput => ({ put: [], get: [], rawWrite: [], rawRead: [], rssPerUpload: [] });

/**
 * Kodo and RGW both up on the same disks, measured in alternation (raw reference, Kodo, RGW, round
 * after round), so a change in what else runs on the machine hits all three alike; the one being
 * measured has the machine's work to itself (the other idles).
 */
async function measureBoth(disks: LoopDisk[], bundle: ReturnType<typeof buildKodoBundle>, node: string, work: string, cleanup: Cleanup, peer: CephPeer | undefined): Promise<BothRun> {
  const devices = disks.map((d) => d.device);
  const kodoDisks = disks.map((d) => path.join(d.mount, 'kodo'));
  for (const d of kodoDisks) fs.mkdirSync(d, { recursive: true });
  const kodo: KodoProcess = await startKodo({ bundle, node, stateDir: path.join(work, 'kodo-state'), disks: kodoDisks, layout: LAYOUT, init: true });
  cleanup.add('stopping kodo-server', () => kodo.kill());
  const kodoSide = { pids: () => [kodo.pid], rssPid: kodo.pid, devices };
  const cephSide = peer ? { pids: peer.pids, netns: peer.netns, devices } : undefined;
  await new Promise((r) => setTimeout(r, 3000));
  const idleRss = rssBytes(kodo.pid);
  const agentRss = await agentIdleRss(bundle, node, path.join(work, 'agent'));

  const k: PeerResult = { throughput: new Map() };
  const c: PeerResult | undefined = peer ? { throughput: new Map() } : undefined;
  for (const bucket of ['bench-objects', 'bench-listing']) {
    await runPhase(job(kodo, bucket, { op: 'create-bucket', clients: 1, perClient: 1 }), kodoSide);
    if (peer) await runPhase(job(peer, bucket, { op: 'create-bucket', clients: 1, perClient: 1 }), cephSide!);
  }
  for (const { label, size, perClient } of SIZES) {
    const kt = newThroughput();
    const ct = newThroughput();
    const data = size * perClient * CLIENTS;
    const objects = { clients: CLIENTS, perClient, prefix: `o${size}-` };
    for (let round = 0; round < ROUNDS; round++) {
      // (k+m)/k × data over k+m disks: data/k on each.
      kt.rawWrite.push(await rawWrite(disks, data / LAYOUT.k));
      const before = rssBytes(kodo.pid);
      const put = await runPhase(job(kodo, 'bench-objects', { op: 'put', size, ...objects }), kodoSide);
      kt.put.push(put);
      if (perClient === 1) kt.rssPerUpload.push((put.peakRss - before) / CLIENTS);
      // Kodo's files' cached pages dropped one by one: the disks cannot be remounted while Ceph's OSDs hold them.
      dropFileCache(kodoDisks);
      kt.rawRead.push(await rawRead(disks, data / DISKS));
      removeRawFiles(disks);
      kt.get.push(await runPhase(job(kodo, 'bench-objects', { op: 'get', ...objects }), kodoSide));
      let line = `${label} round ${round + 1}: raw write ${(data / MB / kt.rawWrite.at(-1)!).toFixed(0)} MB/s, read ${(data / MB / kt.rawRead.at(-1)!).toFixed(0)}; Kodo PUT ${mbps(put).toFixed(0)}, GET ${mbps(kt.get.at(-1)!).toFixed(0)} (${kt.get.at(-1)!.disks?.reads} disk reads)`;
      if (peer) {
        ct.put.push(await runPhase(job(peer, 'bench-objects', { op: 'put', size, ...objects }), cephSide!));
        peer.dropCaches();
        ct.get.push(await runPhase(job(peer, 'bench-objects', { op: 'get', ...objects }), cephSide!));
        line += `; RGW PUT ${mbps(ct.put.at(-1)!).toFixed(0)}, GET ${mbps(ct.get.at(-1)!).toFixed(0)} (${ct.get.at(-1)!.disks?.reads} disk reads)`;
      }
      log(line);
    }
    k.throughput.set(label, kt);
    c?.throughput.set(label, ct);
  }
  // The list buckets: as many 4 KiB objects as RGW takes in FILL_SECONDS, then the same count in
  // Kodo's (FILL_SECONDS' worth without Ceph), so both list buckets of one size.
  if (peer) c!.fill = await runPhase(job(peer, 'bench-listing', { op: 'put', clients: CLIENTS, perClient: 1_000_000, size: 4096, prefix: 'k', maxSeconds: FILL_SECONDS }), cephSide!);
  const target = c?.fill?.ops;
  k.fill = await runPhase(job(kodo, 'bench-listing', { op: 'put', clients: CLIENTS, perClient: target ? Math.ceil(target / CLIENTS) : 1_000_000, size: 4096, prefix: 'k', maxSeconds: target ? FILL_SECONDS * 4 : FILL_SECONDS }), kodoSide);
  if (peer) c!.list = await runPhase(job(peer, 'bench-listing', { op: 'list', clients: 1, perClient: LIST_PAGES }), cephSide!);
  k.list = await runPhase(job(kodo, 'bench-listing', { op: 'list', clients: 1, perClient: LIST_PAGES }), kodoSide);
  const summary = (who: string, r: PeerResult) => `${who} 4 KiB: ${r.fill!.ops} objects at ${(r.fill!.ops / r.fill!.seconds).toFixed(0)} PUT/s; list ${median(r.list!.pageMs ?? []).toFixed(0)} ms/page`;
  log(summary('Kodo', k) + (c ? `; ${summary('RGW', c)}` : ''));
  await kodo.stop();
  return { kodo: k, ceph: c, idleRss, agentRss };
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
  // The median is of pages after the first: Kodo keeps a listed directory's names and its keys'
  // figures in memory (store/listing-names.ts, listing-infos.ts). The first time, it reads them
  // from the disks (page cache warm from the fill, as RGW's index is).
  out.push({
    name: 'Kodo ListObjectsV2, the same page the first time (Kodo reads the directory and k meta.json per key from the disks)',
    value: kl.pageMs?.[0] ?? NaN,
    unit: 'ms/page',
    reference: { name: 'Ceph RGW, its first', value: cl.pageMs?.[0] ?? NaN },
    targetRatio: 1,
    limitedBy: `the first page reads the directory's names from m + 1 = 3 disks and k = 4 meta.json per listed key (${(4 * (kl.keysPerPage?.[0] ?? 0)).toLocaleString('en')} small files, read one after another on the server's one thread); RGW reads one range of its bucket index. Kodo's later pages: ${median(kl.pageMs?.slice(1) ?? []).toFixed(0)} ms`,
  });
  return out;
}

function memoryFigures(kodo: BothRun, cephIdle: number, cephStart: number): Figure[] {
  const perUpload = median(kodo.kodo.throughput.get('64 MiB')!.rssPerUpload);
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
