/**
 * `down`: remove everything an instance made — processes, namespaces, interfaces, mounts, loop
 * devices, files — and nothing else. It must work after `up` was SIGKILLed halfway, so it does not
 * trust the state file to be complete: every kind of object is discovered by the instance's names
 * (namespaces and links `<prefix>-…`, loop devices backed by files under its directory, processes
 * inside its namespaces or naming its directory). Running it twice, or on nothing, is fine.
 *
 * Order matters: processes first (killing a machine's init ends its pid namespace, which releases
 * its mount namespace, which unmounts its disks), then loop devices, then the nbdfuse/nbdkit under
 * them, then namespaces and links, then files. A namespace is deleted only after its processes are
 * gone, so a `down` interrupted in the middle can still find them the next time.
 */
import fs from 'node:fs';
import path from 'node:path';
import { detachLoops, loopDevicesUnder } from './disks';
import { run, sleep } from './exec';
import { deleteLink, deleteNetns, listLinks, listNetns, netnsInode } from './network';
import { bridgeName, machinePattern, type InstancePaths } from './paths';
import { killAndWait, processesInNetns, processesMatching, type ProcInfo } from './procs';
import { releaseSubnet } from './subnet';

export interface TeardownReport {
  processes: number;
  netns: string[];
  links: string[];
  loopDevices: string[];
  mounts: string[];
  /** Objects that could not be removed (empty on success). */
  leftovers: string[];
}

export interface Leftovers {
  netns: string[];
  links: string[];
  loopDevices: string[];
  mounts: string[];
  processes: number[];
}

/** Everything of this instance that exists right now (used by down, by up's "already up" check, and by tests). */
export async function discover(prefix: string, paths: InstancePaths): Promise<Leftovers> {
  const pattern = machinePattern(prefix);
  const netns = (await listNetns()).filter((n) => pattern.test(n));
  const links = (await listLinks()).filter((l) => pattern.test(l) || l === bridgeName(prefix));
  const loopDevices = await loopDevicesUnder(paths.disksDir);
  const mounts = hostMountsUnder(paths.dir);
  const pids = new Set<number>();
  for (const n of netns) {
    const inode = netnsInode(n);
    if (inode !== undefined) for (const p of processesInNetns(inode)) pids.add(p.pid);
  }
  for (const p of ownHelpers(paths)) pids.add(p.pid);
  return { netns, links, loopDevices, mounts, processes: [...pids] };
}

/**
 * The testbed's own helper processes outside the machines: nbdfuse and its nbdkit, the `unshare`
 * and `nsenter` launchers, a boot script. They name the instance directory on their command line.
 * Only these programs are matched, so a person's `tail -f <state>/…/boot.log` is left alone.
 */
const HELPERS = new Set(['nbdfuse', 'nbdkit', 'unshare', 'nsenter', 'sh']);

function ownHelpers(paths: InstancePaths): ProcInfo[] {
  return processesMatching(`${paths.dir}/`).filter((p) => HELPERS.has(path.basename(p.argv[0] ?? '')));
}

export const isEmpty = (l: Leftovers): boolean =>
  l.netns.length + l.links.length + l.loopDevices.length + l.mounts.length + l.processes.length === 0;

/** Mount points in the host's mount table at or under `dir` (normally none: see disks.ts). */
function hostMountsUnder(dir: string): string[] {
  let text = '';
  try {
    text = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .map((line) => (line.split(' ')[4] ?? '').replace(/\\040/g, ' '))
    .filter((mp) => mp === dir || mp.startsWith(`${dir}/`))
    .reverse(); // deepest (latest) first
}

export async function teardown(prefix: string, paths: InstancePaths): Promise<TeardownReport> {
  const found = await discover(prefix, paths);
  const pattern = machinePattern(prefix);

  // 1. Machines: SIGKILL everything in their network namespaces (their inits first, which takes
  //    their whole pid namespace down). No grace: a testbed machine has nothing worth saving.
  const inNetns = new Set<number>();
  for (const n of found.netns) {
    const inode = netnsInode(n);
    if (inode !== undefined) for (const p of processesInNetns(inode)) inNetns.add(p.pid);
  }
  await killAndWait([...inNetns], 0);

  // 2. Loop devices (mark for release even if a file system on one is still being torn down).
  await detachLoops(found.loopDevices);

  // 3. The disk chains (nbdfuse and its nbdkit) and anything else naming our directory: TERM first,
  //    so nbdfuse unmounts cleanly.
  await killAndWait(ownHelpers(paths).map((p) => p.pid), 1_000);

  // 4. Mounts left in the host's table, namespaces, links.
  for (const mp of hostMountsUnder(paths.dir)) await run('umount', ['-l', mp], { allowFailure: true });
  for (const n of new Set([...found.netns, ...(await listNetns()).filter((x) => pattern.test(x))])) await deleteNetns(n);
  for (const l of (await listLinks()).filter((x) => pattern.test(x) || x === bridgeName(prefix))) await deleteLink(l);

  // 5. Loop devices detach once their file system is released (asynchronously after step 1).
  let loops = await loopDevicesUnder(paths.disksDir);
  for (let waited = 0; loops.length > 0 && waited < 5_000; waited += 50) {
    await sleep(50);
    await detachLoops(loops);
    loops = await loopDevicesUnder(paths.disksDir);
  }

  // 6. Files and the subnet reservation.
  fs.rmSync(paths.dir, { recursive: true, force: true });
  await releaseSubnet(paths.stateRoot, prefix);

  const after = await discover(prefix, paths);
  const leftovers = [
    ...after.netns.map((n) => `netns ${n}`),
    ...after.links.map((l) => `link ${l}`),
    ...after.loopDevices.map((d) => `loop device ${d}`),
    ...after.mounts.map((m) => `mount ${m}`),
    ...after.processes.map((p) => `process ${p}`),
    ...(fs.existsSync(paths.dir) ? [`directory ${paths.dir}`] : []),
  ];
  return {
    processes: inNetns.size,
    netns: found.netns,
    links: found.links,
    loopDevices: found.loopDevices,
    mounts: found.mounts,
    leftovers,
  };
}
