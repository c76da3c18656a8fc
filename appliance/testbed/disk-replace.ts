/**
 * disk-replace: a field engineer swaps a data disk (the failed one, or any) for a blank drive.
 *
 * What the machine goes through is what an appliance goes through:
 *   1. the old drive is pulled: from that moment every I/O still aimed at it fails with EIO
 *      (the error filter's trigger, as disk-fail);
 *   2. its file system is unmounted at /srv/disks/dN, lazily if something still holds files there
 *      (a store with open shards): those holders keep their descriptors and meet what a pulled drive
 *      gives (EIO on what is not cached, ext4 turning read-only), nothing hangs; the old loop device
 *      goes when they let go, at the latest at `down`;
 *   3. its loop device, nbdfuse, nbdkit and sparse image leave the host (the image is deleted: the
 *      old data is gone for good, as with a drive sent back);
 *   4. a new sparse image gets a new chain, a new loop device (the kernel may hand out the same
 *      number or another one, as a hot-swapped drive may come back as sdc or sdd) and a new ext4
 *      (new UUID, only lost+found on it), mounted at the same /srv/disks/dN;
 *   5. the smartctl double learns the new device and replays a healthy drive for it.
 * A store like Kodo then finds a blank disk where one of its disks was, and heals onto it.
 *
 * It is re-runnable: if a step fails after the old disk was removed, the state says the disk has no
 * device, and running disk-replace again builds the new one.
 */
import { attachDisk, detachLoops, diskFiles, failDisk, loopDevicesOver, mountDisks, removeChain } from './disks';
import { machineShell, writeMachineFiles } from './machine';
import { smartDoubleFilesFor } from './smart-double';
import { describeFixture, replacementFixture } from './smart-fixtures';
import type { DiskState, MachineState } from './state';

export interface DiskPlaces {
  /** The instance's disks directory (InstancePaths.disksDir). */
  disksDir: string;
  /** SMART recordings, for the double's files (defaultFixturesDir()). */
  fixturesDir: string;
}

/** Swap `d` of machine `m` (its init is `pid`) for a blank disk; mutates `d`; returns a one-line report. */
export async function replaceDisk(pid: number, m: MachineState, d: DiskState, places: DiskPlaces): Promise<string> {
  const files = diskFiles(places.disksDir, m.name, d.name);
  const previous = d.device;

  failDisk(files.failFile);
  const unmounted = await unmountPulled(pid, d.mount);
  // Before the chain stops: once nbdfuse is gone the loop device no longer names our file (disks.ts).
  // A loop still held by a lazily unmounted file system is only marked to go when that is released.
  await detachLoops(await loopDevicesOver(files.devFile));
  await removeChain(files);
  d.device = null;
  d.fusePid = null;
  d.fsUuid = null;

  let chain;
  try {
    chain = await attachDisk(files, d.sizeBytes, d.name);
    await mountDisks(pid, [{ device: chain.device, mount: d.mount }]);
  } catch (err) {
    throw new Error(`${m.name} ${d.name}: the old disk is removed but the new one could not be put in (${(err as Error).message}); run disk-replace ${d.name} again`);
  }
  d.device = chain.device;
  d.fusePid = chain.fusePid;
  d.fsUuid = chain.fsUuid;
  d.faults = { failed: false, full: false, readOnly: false };
  d.replacements += 1;
  const { text: _text, ...smart } = describeFixture(places.fixturesDir, replacementFixture(d.index, d.replacements));
  d.smart = smart;
  writeMachineFiles(pid, smartDoubleFilesFor(m.disks, places.fixturesDir));

  const was = previous === null ? '' : previous === chain.device ? ' (the number the old one had)' : ` (was ${previous})`;
  const held =
    unmounted === 'lazy'
      ? '; files were still open on the old disk, so it was unmounted lazily: their holders now meet I/O errors and a read-only file system'
      : '';
  return `${m.name} ${d.name} replaced by a blank disk: ${chain.device}${was}, new ext4 ${chain.fsUuid} mounted at ${d.mount}; old image discarded${held}`;
}

/** Unmount the pulled disk inside the machine: normally if nothing uses it, else lazily (umount -l). */
async function unmountPulled(pid: number, mount: string): Promise<'not-mounted' | 'clean' | 'lazy'> {
  const r = await machineShell(
    pid,
    `if ! mountpoint -q "$1"; then echo not-mounted
     elif umount "$1" 2>/dev/null; then echo clean
     else umount -l "$1"; echo lazy; fi`,
    [mount],
  );
  const how = r.stdout.trim();
  if (how !== 'not-mounted' && how !== 'clean' && how !== 'lazy') throw new Error(`unmounting ${mount}: unexpected output "${how}"`);
  return how;
}
