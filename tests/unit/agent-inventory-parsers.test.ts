/**
 * The inventory's readers of system tool output, and its fallbacks, fed with output recorded from a
 * Debian 12 testbed appliance (no udev: lsblk knows no file system types there).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { collectBlockDevices, parseBlkidExport, parseLsblk, type BlockDeviceProbes } from '../../agents/agent/inventory/block-devices';
import type { CommandResult } from '../../agents/agent/inventory/command-runner';
import { collectFilesystems, parseDf, type FilesystemProbes } from '../../agents/agent/inventory/filesystems';
import { deviceIdLinks, deviceSlot, parseMountInfo } from '../../agents/agent/inventory/mount-table';
import { parseOsRelease } from '../../agents/agent/inventory/system-info';

const LSBLK = JSON.stringify({
  blockdevices: [
    { name: 'loop0', path: '/dev/loop0', type: 'loop', size: 268435456, fstype: null, mountpoint: '/srv/disks/d1', uuid: null, label: null, model: null, serial: null, rm: false, ro: false, pkname: null },
    { name: 'sda', path: '/dev/sda', type: 'disk', size: '4000787030016', fstype: null, mountpoint: null, uuid: null, label: null, model: 'HGST HUS726040ALE614', serial: 'K4K1ABCD', rm: '0', ro: '0', pkname: null },
    { name: 'sda1', path: '/dev/sda1', type: 'part', size: 4000785956864, fstype: 'xfs', mountpoint: null, uuid: '1b2c', label: 'data', model: null, serial: null, rm: false, ro: true, pkname: 'sda' },
  ],
});

const BLKID = `DEVNAME=/dev/loop0
LABEL=d1
UUID=a93cca53-b3da-4f5b-a708-b1e4200af242
VERSION=1.0
BLOCK_SIZE=1024
TYPE=ext4
USAGE=filesystem

DEVNAME=/dev/sda
PTUUID=5d1f
PTTYPE=gpt
`;

const MOUNTINFO = `108 94 0:52 / /srv rw,relatime - tmpfs tb-srv rw,mode=755
69 108 7:0 / /srv/disks/d1 rw,relatime - ext4 /dev/loop0 rw,noinit_itable
70 108 8:1 / /srv/with\\040space ro,relatime - xfs /dev/sda1 ro
`;

const DF = `Filesystem                 Type        1-blocks  Used   Available Capacity Mounted on
tb-root                    overlay  12638253056 73728 12638179328       1% /
proc                       proc               0     0           0        - /proc
/dev/loop0                 ext4       241081344 14336   236872704       1% /srv/disks/d1
/dev/sda1                  xfs       1000000000 500000000 500000000    50% /srv/with space
`;

const ok = (stdout: string, code = 0): CommandResult => ({ code, stdout, stderr: '', error: null });
const missing: CommandResult = { code: null, stdout: '', stderr: '', error: 'ENOENT' };

describe('tool output readers', () => {
  it('reads lsblk -J in both value styles (numbers/booleans and strings)', () => {
    const devices = parseLsblk(LSBLK);
    expect(devices.map((d) => [d.name, d.sizeBytes, d.removable, d.readOnly, d.parent])).toEqual([
      ['loop0', 268435456, false, false, null],
      ['sda', 4000787030016, false, false, null],
      ['sda1', 4000785956864, false, true, 'sda'],
    ]);
  });

  it('reads blkid export blocks', () => {
    const found = parseBlkidExport(BLKID);
    expect(found.get('/dev/loop0')).toMatchObject({ TYPE: 'ext4', LABEL: 'd1' });
    expect(found.get('/dev/sda')?.TYPE).toBeUndefined();
  });

  it('reads mountinfo with escaped mount points', () => {
    expect(parseMountInfo(MOUNTINFO)).toEqual([
      { devNumber: '0:52', mountpoint: '/srv', fsType: 'tmpfs', source: 'tb-srv', readOnly: false },
      { devNumber: '7:0', mountpoint: '/srv/disks/d1', fsType: 'ext4', source: '/dev/loop0', readOnly: false },
      { devNumber: '8:1', mountpoint: '/srv/with space', fsType: 'xfs', source: '/dev/sda1', readOnly: true },
    ]);
  });

  it('reads df -B1 -T -P, mount points with spaces included', () => {
    const list = parseDf(DF);
    expect(list.find((f) => f.mountpoint === '/srv/with space')).toEqual({ source: '/dev/sda1', fsType: 'xfs', mountpoint: '/srv/with space', sizeBytes: 1e9, usedBytes: 5e8, availableBytes: 5e8, usePercent: 50, readOnly: null });
  });

  it('reads os-release', () => {
    expect(parseOsRelease('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nVERSION_CODENAME=bookworm\n')).toMatchObject({ NAME: 'Debian GNU/Linux', VERSION_ID: '12', VERSION_CODENAME: 'bookworm' });
  });
});

describe('fallbacks without udev', () => {
  const mounts = () => parseMountInfo(MOUNTINFO);
  // A real directory tree shaped like /dev/disk/by-id and /sys/block on a server with one SATA disk.
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'ac-devtree-'));
  const devRoot = path.join(root, 'dev');
  const sysRoot = path.join(root, 'sys');
  fs.mkdirSync(path.join(devRoot, 'disk/by-id'), { recursive: true });
  fs.symlinkSync('../../sda', path.join(devRoot, 'disk/by-id/wwn-0x5000c500a1b2c3d4'));
  fs.symlinkSync('../../sda', path.join(devRoot, 'disk/by-id/ata-ST4000NM0035_ZC1A2B3C'));
  fs.symlinkSync('../../sda1', path.join(devRoot, 'disk/by-id/ata-ST4000NM0035_ZC1A2B3C-part1'));
  const scsi = path.join(sysRoot, 'devices/pci0000:00/0000:00:17.0/ata3/host2/target2:0:0/2:0:0:0');
  fs.mkdirSync(scsi, { recursive: true });
  fs.mkdirSync(path.join(sysRoot, 'block/sda'), { recursive: true });
  fs.symlinkSync(scsi, path.join(sysRoot, 'block/sda/device'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));
  const devNumbers: Record<string, string> = { loop0: '7:0', sda: '8:0', sda1: '8:1' };

  it('completes systeminformation with lsblk, the mount table and blkid', async () => {
    const calls: string[][] = [];
    const probes: BlockDeviceProbes = {
      // What systeminformation says on a machine without udev: no fsType, no parent.
      blockDevices: async () => [{ name: 'loop0', identifier: '', type: 'loop', fsType: '', mount: '/srv/disks/d1', size: 268435456, physical: 'SSD', uuid: '', label: '', model: '', serial: '', removable: false, protocol: '' }],
      diskLayout: async () => [],
      run: async (command, args) => {
        calls.push([command, ...args]);
        return command === 'lsblk' ? ok(LSBLK) : ok(BLKID, 2);
      },
      mounts,
      devNumber: (name) => devNumbers[name] ?? null,
      idLinks: () => deviceIdLinks(devRoot),
      slot: (name) => deviceSlot(name, sysRoot),
    };
    const section = await collectBlockDevices(probes);
    expect(section.sources).toEqual(['systeminformation', 'lsblk', 'mounts', 'blkid']);
    expect(section.warnings).toEqual([]);
    expect(section.value.find((d) => d.name === 'loop0')).toMatchObject({ path: '/dev/loop0', type: 'loop', sizeBytes: 268435456, fsType: 'ext4', mountpoint: '/srv/disks/d1', uuid: 'a93cca53-b3da-4f5b-a708-b1e4200af242', label: 'd1', readOnly: false });
    expect(section.value.find((d) => d.name === 'sda1')).toMatchObject({ fsType: 'xfs', mountpoint: '/srv/with space', parent: 'sda', slot: null });
    // udev's stable names and the controller address, from a /dev and /sys laid out as the kernel does.
    expect(section.value.find((d) => d.name === 'sda')).toMatchObject({ idPaths: [`${devRoot}/disk/by-id/ata-ST4000NM0035_ZC1A2B3C`, `${devRoot}/disk/by-id/wwn-0x5000c500a1b2c3d4`], slot: '2:0:0:0' });
    expect(section.value.find((d) => d.name === 'loop0')).toMatchObject({ idPaths: [], slot: null });
    // One device per blkid run: blkid gives up on the rest after one it may not open.
    expect(calls.filter((c) => c[0] === 'blkid')).toEqual([
      ['blkid', '-p', '-o', 'export', '/dev/loop0'],
      ['blkid', '-p', '-o', 'export', '/dev/sda'],
    ]);
  });

  it('falls back to lsblk alone when systeminformation fails', async () => {
    const section = await collectBlockDevices({
      blockDevices: () => Promise.reject(new Error('lsblk: not found')),
      diskLayout: async () => [],
      run: async (command) => (command === 'lsblk' ? ok(LSBLK) : missing),
      mounts,
      devNumber: (name) => devNumbers[name] ?? null,
      idLinks: () => new Map(),
      slot: () => null,
    });
    expect(section.sources).toEqual(['lsblk', 'mounts']);
    expect(section.warnings).toEqual(['block devices: lsblk: not found', 'blkid: ENOENT']);
    expect(section.value.map((d) => d.name)).toEqual(['loop0', 'sda', 'sda1']);
  });

  it('takes read-only from the mount table, not from systeminformation', async () => {
    const section = await collectFilesystems({
      // systeminformation calls every mount whose source is not a path read-only.
      fsSize: async () => [{ fs: 'tb-root', type: 'overlay', size: 100, used: 10, available: 90, use: 10, mount: '/srv', rw: false }],
      diskInfo: () => Promise.reject(new Error('unused')),
      run: async () => missing,
      mounts,
    });
    expect(section.value).toEqual([{ source: 'tb-root', fsType: 'overlay', mountpoint: '/srv', sizeBytes: 100, usedBytes: 10, availableBytes: 90, usePercent: 10, readOnly: false }]);
    expect(parseMountInfo('69 108 7:0 / /d rw,relatime - ext4 /dev/loop0 ro,errors=remount-ro\n')[0]?.readOnly).toBe(true);
  });

  it('falls back from systeminformation to node-disk-info to df for file systems', async () => {
    const base: FilesystemProbes = {
      fsSize: () => Promise.reject(new Error('df failed')),
      diskInfo: async () => [{ filesystem: '/dev/loop0', blocks: 235431, used: 14, available: 231321, capacity: '1%', mounted: '/srv/disks/d1' }],
      run: async () => ok(DF, 1),
      mounts,
    };
    const viaDiskInfo = await collectFilesystems(base);
    expect(viaDiskInfo.sources).toEqual(['node-disk-info', 'mounts']);
    expect(viaDiskInfo.value).toEqual([{ source: '/dev/loop0', fsType: 'ext4', mountpoint: '/srv/disks/d1', sizeBytes: 235431 * 1024, usedBytes: 14 * 1024, availableBytes: 231321 * 1024, usePercent: 0.01, readOnly: false }]);

    const viaDf = await collectFilesystems({ ...base, diskInfo: () => Promise.reject(new Error('no df -kPl')) });
    expect(viaDf.sources).toEqual(['df', 'mounts']);
    expect(viaDf.warnings).toEqual(['file systems: systeminformation: df failed', 'file systems: node-disk-info: no df -kPl']);
    expect(viaDf.value.map((f) => f.mountpoint)).toEqual(['/', '/srv/disks/d1', '/srv/with space']); // /proc left out
    expect(viaDf.value.find((f) => f.mountpoint === '/srv/with space')?.readOnly).toBe(true);
  });
});
