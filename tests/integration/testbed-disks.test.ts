/**
 * A machine as wide as Kodo's widest layout (20 + 2) and more: 24 data disks, each a real ext4 on a
 * real block device, seen over SSH; and disk-replace, the field engineer's swap of a (failed) disk
 * for a blank one. Its own instance (this run's tag + tbd), removed at the start and the end.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isEmpty } from '../../appliance/testbed/cleanup';
import { hostSpaceWarning, loopDevicesUnder } from '../../appliance/testbed/disks';
import { UsageError } from '../../appliance/testbed/errors';
import { waitFor } from '../../appliance/testbed/exec';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import { processesMatching } from '../../appliance/testbed/procs';
import { HEALTHY_FIXTURES } from '../../appliance/testbed/smart-fixtures';
import type { DiskState, MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import { runOnMachine } from '../helpers/machine-shell';
import { testbedPrefix } from '../helpers/testbed-prefix';

const PREFIX = testbedPrefix('tbd');
const DISKS = 24;
const skipReason = netnsUnsupportedReason();
if (skipReason) console.warn(`testbed disk tests skipped: ${skipReason} (they need root and network namespaces)`);

/** One line per mounted data disk, as the machine itself reports it. */
interface SeenDisk {
  mount: string;
  source: string;
  fstype: string;
  isBlock: boolean;
  uuid: string;
  entries: string[];
}

/**
 * Everything about the data disks in one SSH round trip, with few processes (the box has 2 cores):
 * mount source and type from the kernel's table, block device or not, UUID as blkid reads it from
 * the device, and the entries of each file system.
 */
async function seenDisks(m: MachineState): Promise<SeenDisk[]> {
  const out = await runOnMachine(
    m,
    `findmnt -rn -o TARGET,SOURCE,FSTYPE | awk '$1 ~ "^/srv/disks/"' | sort -V | while read -r mp src fs; do
       if [ -b "$src" ]; then blk=block; else blk=other; fi
       entries=$(cd "$mp" && for f in * .[!.]*; do [ -e "$f" ] && printf '%s,' "$f"; done)
       echo "$mp $src $fs $blk $entries"
     done
     echo --
     blkid -s UUID -o export $(findmnt -rn -o SOURCE | grep '^/dev/loop')`,
  );
  const [mounts = '', ids = ''] = out.split('--\n');
  const uuidOf = new Map<string, string>();
  for (const block of ids.trim().split(/\n\n+/)) {
    const kv = Object.fromEntries(block.split('\n').map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]));
    if (kv.DEVNAME && kv.UUID) uuidOf.set(kv.DEVNAME, kv.UUID);
  }
  return mounts
    .trim()
    .split('\n')
    .map((line) => {
      const [mount = '', source = '', fstype = '', blk = '', entries = ''] = line.split(' ');
      return { mount, source, fstype, isBlock: blk === 'block', uuid: uuidOf.get(source) ?? '', entries: entries.split(',').filter(Boolean) };
    });
}

describe.skipIf(skipReason !== undefined)('testbed: 24 data disks, disk-replace', () => {
  const tb = createTestbed({ prefix: PREFIX });
  let m: MachineState;
  const disk = async (name: string): Promise<DiskState> => {
    const d = (await tb.status()).machines[0]?.disks.find((x) => x.name === name);
    if (!d) throw new Error(`no disk ${name}`);
    return d;
  };

  beforeAll(async () => {
    await tb.down(); // leftovers of a crashed earlier run
    const started = Date.now();
    const status = await tb.up({ appliances: 1, disks: DISKS, diskSize: '1G', smartProfile: 'mixed' });
    console.log(`testbed up (1 appliance × ${DISKS} disks of 1G) in ${Date.now() - started} ms`);
    const first = status.machines[0];
    if (!first) throw new Error('no machine');
    m = first;
  }, 120_000);

  afterAll(async () => {
    await tb.down();
  }, 60_000);

  it('refuses more disks than a machine may have, saying the limit', async () => {
    await expect(createTestbed({ prefix: PREFIX }).up({ disks: 33 })).rejects.toThrow(UsageError);
    await expect(createTestbed({ prefix: PREFIX }).up({ disks: 33 })).rejects.toThrow(/from 0 to 32/);
  });

  it('warns only when the sparse disks could outgrow the free space where the state lives', () => {
    const { bavail, bsize } = fs.statfsSync(tb.paths.stateRoot);
    expect(hostSpaceWarning(tb.paths.stateRoot, DISKS * 1024 ** 3)).toBeUndefined(); // this very testbed fits
    expect(hostSpaceWarning(tb.paths.stateRoot, bavail * bsize + 1024 ** 3)).toMatch(/free: filling them all would run the host out of space.*use fewer or smaller disks/);
  });

  it('gives the machine 24 mounted ext4 file systems on distinct block devices, as the status says', async () => {
    const seen = await seenDisks(m);
    expect(seen.map((s) => s.mount)).toEqual(Array.from({ length: DISKS }, (_, i) => `/srv/disks/d${i + 1}`));
    for (const [i, s] of seen.entries()) {
      const d = m.disks[i];
      expect(s).toEqual({ mount: d?.mount, source: d?.device, fstype: 'ext4', isBlock: true, uuid: d?.fsUuid, entries: ['lost+found'] });
    }
    expect(new Set(seen.map((s) => s.source)).size).toBe(DISKS);
    expect(new Set(seen.map((s) => s.uuid)).size).toBe(DISKS);
    // Each takes a write that reaches its device (O_DIRECT: no cache between the file and the chain).
    const written = await runOnMachine(m, `for mp in /srv/disks/d*; do dd if=/dev/zero of="$mp/probe" bs=4k count=1 oflag=direct status=none && echo ok; done | grep -c ok`);
    expect(Number(written.trim())).toBe(DISKS);
  });

  it('disk-fail then disk-replace: a blank disk with a new file system where the failed one was', async () => {
    const before = await disk('d8');
    expect(HEALTHY_FIXTURES).not.toContain(before.smart.fixture); // mixed profile: a1/d8 replays a worn drive
    const oldImageInode = fs.statSync(before.image).ino;
    await runOnMachine(m, 'echo precious > /srv/disks/d8/data && sync');
    await tb.fault('a1', 'disk-fail', 'd8');
    const failed = await runOnMachine(m, 'dd if=/dev/zero of=/srv/disks/d8/more bs=4k count=1 oflag=direct 2>&1 || true');
    expect(failed).toMatch(/Input\/output error/);

    const report = await tb.fault('a1', 'disk-replace', 'd8');
    expect(report).toMatch(/d8 replaced by a blank disk: \/dev\/loop\d+.*mounted at \/srv\/disks\/d8; old image discarded$/);

    const after = await disk('d8');
    expect(after.faults).toEqual({ failed: false, full: false, readOnly: false });
    expect(after.replacements).toBe(1);
    expect(after.fsUuid).not.toBe(before.fsUuid);
    expect(HEALTHY_FIXTURES).toContain(after.smart.fixture); // a new drive, whatever the old one replayed
    expect(fs.statSync(after.image).ino).not.toBe(oldImageInode);
    expect(fs.statSync(after.image).blocks * 512).toBeLessThan(64 * 1024 * 1024); // sparse: only ext4's metadata written

    const seen = (await seenDisks(m)).find((s) => s.mount === '/srv/disks/d8');
    expect(seen).toEqual({ mount: '/srv/disks/d8', source: after.device, fstype: 'ext4', isBlock: true, uuid: after.fsUuid, entries: ['lost+found'] });
    const works = await runOnMachine(m, `dd if=/dev/zero of=/srv/disks/d8/probe bs=4k count=1 oflag=direct status=none && findmnt -n -o OPTIONS /srv/disks/d8 && smartctl --scan`);
    expect(works).toMatch(/^rw,/);
    expect(works).toContain(`${after.device ?? '?'} -d`); // the smartctl double knows the new device

    expect(await tb.fault('a1', 'disk-restore', 'd8')).toMatch(/nothing to restore \(it is the blank disk of disk-replace/);
    // The new disk fails and heals like any other.
    await tb.fault('a1', 'disk-fail', 'd8');
    expect(await runOnMachine(m, 'dd if=/dev/zero of=/srv/disks/d8/more bs=4k count=1 oflag=direct 2>&1 || true')).toMatch(/Input\/output error/);
    await tb.fault('a1', 'disk-restore', 'd8');
    expect(await runOnMachine(m, 'dd if=/dev/zero of=/srv/disks/d8/probe bs=4k count=1 oflag=direct status=none && findmnt -n -o OPTIONS /srv/disks/d8')).toMatch(/^rw,/);
  });

  let pulledDevice = '';
  it('disk-replace of a disk something still holds open: unmounted lazily, the new disk mounted', async () => {
    const before = await disk('d7');
    pulledDevice = before.device ?? '';
    // A holder with a file open on the disk, as a store with open shards, detached from the session.
    await runOnMachine(m, `nohup sh -c 'exec 3>/srv/disks/d7/held; exec sleep 600' >/dev/null 2>&1 & for i in $(seq 100); do [ -e /srv/disks/d7/held ] && exit 0; sleep 0.05; done; exit 1`);
    const report = await tb.fault('a1', 'disk-replace', 'd7');
    expect(report).toMatch(/unmounted lazily/);
    const after = await disk('d7');
    const seen = (await seenDisks(m)).find((s) => s.mount === '/srv/disks/d7');
    expect(seen).toEqual({ mount: '/srv/disks/d7', source: after.device, fstype: 'ext4', isBlock: true, uuid: after.fsUuid, entries: ['lost+found'] });
    expect(await runOnMachine(m, `pgrep -x sleep >/dev/null && echo holder-alive`)).toBe('holder-alive\n');
    // Only d7's chain was replaced: every disk still has exactly one nbdkit.
    expect(processesMatching(`${tb.paths.disksDir}/`).filter((p) => p.argv[0] === 'nbdkit')).toHaveLength(DISKS);
  });

  it('down leaves nothing behind, the lazily pulled disk included', async () => {
    const report = await tb.down();
    expect(report.leftovers).toEqual([]);
    expect(await loopDevicesUnder(tb.paths.disksDir)).toEqual([]);
    expect(processesMatching(tb.paths.dir)).toEqual([]);
    expect(isEmpty(await tb.leftovers())).toBe(true);
    // The old d7 loop device was marked to go when its file system is released, i.e. once the machine
    // (and the holder in it) is gone. Its number may meanwhile serve someone else's disk, but never
    // again the released "/" of our pulled one.
    const loop = pulledDevice.replace('/dev/', '');
    expect(loop).toMatch(/^loop\d+$/);
    await waitFor(`${pulledDevice} to be released`, 10_000, () => {
      try {
        return fs.readFileSync(`/sys/block/${loop}/loop/backing_file`, 'utf8').trim() === '/' ? undefined : true;
      } catch {
        return true; // no backing file: detached
      }
    });
  });
});
