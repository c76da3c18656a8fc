/**
 * Data disks: real block devices with real file systems, and real I/O errors on demand.
 *
 * The chain of one disk, bottom to top:
 *   sparse file (<state>/disks/<machine>-dN.img)
 *   → nbdkit file plugin with its error filter (`error-file=<...>.fail`: while that file exists,
 *     every read and write fails with EIO — the documented way to inject errors with nbdkit)
 *   → nbdfuse, which presents the NBD export as a plain file (<...>.dev) in a private mount namespace
 *   → a loop device over that file (direct I/O, so no cache above the error hides it)
 *   → ext4, mounted at /srv/disks/dN inside the machine.
 *
 * Why not device-mapper (dmsetup linear → error target), the usual tool: this kernel is built
 * without device-mapper (CONFIG_BLK_DEV_DM unset, no modules to load), and without nbd, ublk,
 * null_blk or scsi_debug. FUSE and loop are built in; nbdkit's error filter is the most real fault
 * left: the kernel's block layer logs "I/O error, dev loopN", ext4 aborts its journal and remounts
 * read-only, just as with a dying drive. If dm is available elsewhere, this module is the one place
 * to swap the middle of the chain.
 *
 * The FUSE mount lives in its own mount namespace (`unshare --mount` around nbdfuse), so it never
 * appears in the host's mount table nor gets copied into the namespaces of other testbed machines.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { isAlive, run, sleep, spawnDetached, waitFor } from './exec';
import { machineShell } from './machine';
import { killAndWait, processesMatching } from './procs';

export interface DiskFiles {
  image: string;
  devFile: string;
  failFile: string;
  pidFile: string;
  logFile: string;
}

export function diskFiles(disksDir: string, machine: string, disk: string): DiskFiles {
  const base = `${disksDir}/${machine}-${disk}`;
  return { image: `${base}.img`, devFile: `${base}.dev`, failFile: `${base}.fail`, pidFile: `${base}.pid`, logFile: `${base}.log` };
}

/** Parse "2G", "512M", "1.5G", "1073741824" into bytes (binary units, as truncate(1) reads them). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([KMGT]?)i?B?$/i.exec(text.trim());
  if (!m) throw new Error(`not a size: "${text}" (use e.g. 512M or 2G)`);
  const unit = { '': 0, K: 1, M: 2, G: 3, T: 4 }[(m[2] ?? '').toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  const bytes = Math.floor(Number(m[1]) * 1024 ** unit);
  return bytes - (bytes % 4096);
}

export interface AttachedDisk {
  /** The loop device, e.g. /dev/loop3. */
  device: string;
  fusePid: number;
  /** UUID of the new ext4 file system (what `blkid` shows; a replaced disk gets a new one). */
  fsUuid: string;
}

/** Build the chain up to a formatted loop device: a new sparse image, a new file system. */
export async function attachDisk(files: DiskFiles, sizeBytes: number, label: string): Promise<AttachedDisk> {
  const image = fs.openSync(files.image, 'w', 0o600);
  fs.ftruncateSync(image, sizeBytes); // sparse: costs no space until written
  fs.closeSync(image);
  fs.writeFileSync(files.devFile, ''); // nbdfuse mounts over a regular file ("naked" mountpoint)
  for (const f of [files.failFile, files.pidFile]) fs.rmSync(f, { force: true });
  const launcher = spawnDetached(
    'unshare',
    ['--mount', '--propagation', 'private', '--', 'nbdfuse', '-P', files.pidFile, files.devFile,
      '[', 'nbdkit', '--filter=error', 'file', files.image, 'error-rate=100%', `error-file=${files.failFile}`, ']'],
    files.logFile,
  );
  const fusePid = await waitFor(`nbdfuse for ${files.devFile}`, 10_000, () => {
    const pid = Number.parseInt(readOr(files.pidFile, ''), 10);
    if (Number.isInteger(pid) && pid > 0) return pid;
    if (!isAlive(launcher)) throw new Error(`nbdfuse for ${files.devFile} exited: ${readOr(files.logFile, '').trim()}`);
    return undefined;
  });
  const device = await losetup(fusePid, files.devFile);
  // -m 0: no blocks reserved for root, as on a dedicated data disk — and so that "full" means 0 bytes
  // available to everyone. Lazy init + nodiscard: a 2 GB disk formats in milliseconds. The UUID is
  // chosen here (mkfs would pick a random one too) so the state records it without asking blkid.
  const fsUuid = crypto.randomUUID();
  await run('mkfs.ext4', ['-q', '-F', '-m', '0', '-L', label, '-U', fsUuid, '-E', 'lazy_itable_init=1,lazy_journal_init=1,nodiscard', device]);
  return { device, fusePid, fsUuid };
}

/**
 * Stop one disk's nbdfuse and nbdkit (found by the image they serve, so a chain whose pid was never
 * recorded is found too) and delete its files: the drive leaves the host. TERM first, so nbdfuse
 * unmounts its FUSE file; a loop device still open above it then fails its I/O, as a pulled drive does.
 */
export async function removeChain(files: DiskFiles): Promise<void> {
  const chain = new Set(['nbdfuse', 'nbdkit', 'unshare']);
  const pids = [files.image, files.devFile].flatMap((f) => processesMatching(f).filter((p) => chain.has(path.basename(p.argv[0] ?? '')) && p.argv.includes(f)));
  await killAndWait([...new Set(pids.map((p) => p.pid))], 1_000);
  for (const f of [files.image, files.devFile, files.failFile, files.pidFile]) fs.rmSync(f, { force: true });
}

/**
 * Sparse images take host space only as they are written, so `up` does not need it all at once; but a
 * disk written full on a host that runs out first fails with errors a test would misread as a disk
 * fault. Returns a warning when the disks could outgrow the free space under `dir`, else undefined.
 */
export function hostSpaceWarning(dir: string, declaredBytes: number): string | undefined {
  const { bavail, bsize } = fs.statfsSync(dir);
  const free = bavail * bsize;
  if (declaredBytes <= free) return undefined;
  const gib = (n: number) => `${(n / 1024 ** 3).toFixed(1)} GiB`;
  return `the data disks can hold ${gib(declaredBytes)} but ${dir} has ${gib(free)} free: filling them all would run the host out of space (I/O errors in the machines); use fewer or smaller disks, or free space there`;
}

/** losetup -f can race with another testbed allocating the same free device; retry then. */
async function losetup(fusePid: number, devFile: string): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    const r = await run('nsenter', ['-t', String(fusePid), '-m', '--', 'losetup', '-f', '--show', '--direct-io=on', devFile], { allowFailure: true });
    if (r.code === 0) return r.stdout.trim();
    if (attempt >= 8) throw new Error(`losetup ${devFile}: ${r.stderr.trim()}`);
    await sleep(20 + Math.random() * 80);
  }
}

const MOUNT_OPTS = 'noinit_itable'; // no background inode-table zeroing through the FUSE chain

/** Mount each disk inside the machine: one nsenter and one mkdir for all of them (32 disks, 2 cores). */
export async function mountDisks(pid: number, disks: ReadonlyArray<{ device: string; mount: string }>): Promise<void> {
  if (disks.length === 0) return;
  const params = disks.flatMap((d) => [d.device, d.mount]);
  await machineShell(
    pid,
    `mkdir -p ${disks.map((_, i) => `"\${${2 * i + 2}}"`).join(' ')}
     while [ $# -gt 0 ]; do mount -o ${MOUNT_OPTS} "$1" "$2"; shift 2; done`,
    params,
  );
}

/** disk-fail: from the next request on, every read and write of the disk fails with EIO. */
export function failDisk(failFile: string): void {
  fs.writeFileSync(failFile, '');
}

/**
 * disk-restore after disk-fail: the device answers again, but ext4 has seen errors (journal aborted,
 * read-only), so it is unmounted, checked and mounted again — what an operator does after replacing
 * a cable or a drive. Fails with a clear message if something inside the machine still uses it.
 */
export async function healDisk(pid: number, failFile: string, device: string, mount: string): Promise<void> {
  fs.rmSync(failFile, { force: true });
  const r = await machineShell(
    pid,
    `if mountpoint -q "$2"; then umount "$2" 2>/dev/null || { echo "$2 is busy: stop what uses it, then disk-restore again"; exit 3; }; fi
     rc=0; e2fsck -fy "$1" >/dev/null 2>&1 || rc=$?
     [ "$rc" -le 3 ] || { echo "e2fsck $1 exited $rc"; exit 4; }
     mkdir -p "$2"; mount -o ${MOUNT_OPTS} "$1" "$2"`,
    [device, mount],
    { allowFailure: true },
  );
  if (r.code !== 0) throw new Error((r.stdout + r.stderr).trim());
}

const FILL = '.testbed-fill';

/**
 * disk-full: fill the file system to 0 bytes available, with files a person can see (and delete).
 * fallocate takes all but a few MiB in one step (no data written through the chain); dd then writes
 * until ENOSPC so the last blocks — which extent metadata also needs — are used up as well.
 */
export async function fillDisk(pid: number, mount: string): Promise<number> {
  const r = await machineShell(
    pid,
    `avail=$(df -B1 --output=avail "$1" | tail -n 1 | tr -d ' ')
     chunk=$((avail - 8388608))
     [ "$chunk" -le 0 ] || fallocate -l "$chunk" "$1/${FILL}"
     dd if=/dev/zero of="$1/${FILL}-1" bs=1M status=none 2>/dev/null || true
     dd if=/dev/zero of="$1/${FILL}-2" bs=4k status=none 2>/dev/null || true
     sync -f "$1"
     df -B1 --output=avail "$1" | tail -n 1 | tr -d ' '`,
    [mount],
  );
  return Number(r.stdout.trim());
}

/** Remounts the disk's file system read-only or read-write, as the kernel does after I/O errors (errors=remount-ro). */
export async function remountDisk(pid: number, mount: string, mode: 'ro' | 'rw'): Promise<void> {
  await machineShell(pid, `mount -o remount,${mode} "$1"`, [mount]);
}

export async function unfillDisk(pid: number, mount: string): Promise<void> {
  await machineShell(pid, `rm -f "$1/${FILL}" "$1/${FILL}-1" "$1/${FILL}-2"`, [mount]);
}

const LosetupList = z.object({
  loopdevices: z.array(z.object({ name: z.string(), 'back-file': z.string().nullable().optional() })),
});

async function listLoops(): Promise<Array<{ name: string; backFile: string }>> {
  const { stdout } = await run('losetup', ['-J', '-l'], { allowFailure: true });
  if (!stdout.trim()) return [];
  return LosetupList.parse(JSON.parse(stdout)).loopdevices.map((l) => ({ name: l.name, backFile: l['back-file'] ?? '' }));
}

/**
 * Loop devices whose backing file is under `dir`. The name is the path of our nbdfuse file, readable
 * while its nbdfuse (and so the private mount namespace holding the FUSE mount) lives; once that is
 * gone the kernel reports "/" for it, which is why cleanup detaches loops before stopping nbdfuse.
 */
export async function loopDevicesUnder(dir: string): Promise<string[]> {
  return (await listLoops()).filter((l) => l.backFile.startsWith(`${dir}/`)).map((l) => l.name);
}

/** Loop devices over exactly this nbdfuse file (one, unless an interrupted attach made a second). */
export async function loopDevicesOver(devFile: string): Promise<string[]> {
  return (await listLoops()).filter((l) => l.backFile === devFile).map((l) => l.name);
}

export async function detachLoops(devices: readonly string[]): Promise<void> {
  if (devices.length === 0) return;
  // One losetup for all: it goes on past a device that fails (already gone) and detaches the rest,
  // and one process instead of 32 matters on a loaded 2-core machine. A device whose file system is
  // still being released is marked autoclear instead, and goes away then.
  await run('losetup', ['-d', ...devices], { allowFailure: true });
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
