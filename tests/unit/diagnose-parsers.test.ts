import { describe, expect, it } from 'vitest';
import type { CheckContext } from '../../main/diagnose/check';
import { evidence } from '../../main/diagnose/check';
import { filesystemsCheck, ioErrorsByDevice, parseMounts } from '../../main/diagnose/checks/disk-checks';
import { listeningPorts } from '../../main/diagnose/checks/network-checks';
import { clockCheck } from '../../main/diagnose/checks/system-checks';
import { worstOf } from '../../main/diagnose/diagnose-service';

/** A check context whose machine answers from a table of (script → stdout); the rest fails. */
function fakeMachine(answers: Record<string, string>, now = () => Date.now()): CheckContext {
  return {
    sh: async (script) => {
      const key = Object.keys(answers).find((k) => script.startsWith(k));
      return key === undefined ? { code: 127, stdout: '', stderr: `not recorded: ${script}` } : { code: 0, stdout: answers[key]!, stderr: '' };
    },
    facts: { address: '10.0.0.5', port: 22, user: 'root', dataDiskMounts: [], expectedPorts: [] },
    now,
  };
}

describe('diagnose parsers and checks, on recorded output', () => {
  it('reads /proc/self/mounts with its octal escapes', () => {
    const m = parseMounts('/dev/sdb1 /data/disk\\0400 ext4 rw,relatime 0 0\n/dev/sdc1 /data/disk1 xfs ro,noatime 0 0\n');
    expect(m).toEqual([
      { device: '/dev/sdb1', target: '/data/disk 0', fstype: 'ext4', options: ['rw', 'relatime'] },
      { device: '/dev/sdc1', target: '/data/disk1', fstype: 'xfs', options: ['ro', 'noatime'] },
    ]);
  });

  it('counts a device’s I/O errors since its file system was last mounted, not another device’s', () => {
    const dmesg = [
      '[  10.1] blk_update_request: I/O error, dev sdb, sector 2048 op 0x0:(READ)',
      '[  12.0] EXT4-fs (sdb): mounted filesystem with ordered data mode. Quota mode: none.',
      '[  50.2] I/O error, dev sdb, sector 4096 op 0x1:(WRITE) flags 0x800 phys_seg 1 prio class 2',
      '[  50.3] Buffer I/O error on dev sdb, logical block 512, lost async page write',
      '[  51.0] I/O error, dev sdbx, sector 1',
      '[  52.0] I/O error, dev sdc, sector 8',
    ].join('\n');
    const found = ioErrorsByDevice(dmesg, ['sdb', 'sdd']);
    expect([...found.keys()]).toEqual(['sdb']);
    expect(found.get('sdb')).toHaveLength(2);
    // A mounted partition: the block layer names its disk, the file system the partition.
    const partition = ioErrorsByDevice(['[  1.0] EXT4-fs (sdc1): mounted filesystem', '[  9.0] I/O error, dev sdc, sector 8', '[  9.1] EXT4-fs error (device sdc1): lost page'].join('\n'), ['sdc1', 'nvme0n1p2']);
    expect(partition.get('sdc1')).toHaveLength(2);
    expect(partition.has('nvme0n1p2')).toBe(false);
  });

  it('reads listening ports from /proc/net/tcp and tcp6 (state 0A only)', () => {
    const tcp = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 00000000:2328 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1 1',
      '   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 2 1',
      '   0: 00000000000000000000000000000000:2332 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 3 1',
    ].join('\n');
    expect([...listeningPorts(tcp)].sort()).toEqual([9000, 9010]);
  });

  it('judges file systems by df: 85 % is a warning, 95 % critical, a read-only disk critical, tmpfs ignored', async () => {
    const ctx = fakeMachine({
      'df -PT': ['Filesystem Type 1-blocks Used Available Capacity Mounted on', '/dev/sda1 ext4 100000 50000 50000 50% /', '/dev/sdb1 ext4 100000 86000 14000 86% /data/disk 0', '/dev/sdc1 xfs 100000 99000 1000 99% /data/disk1'].join('\n'),
      'df -Pi': ['Filesystem Inodes IUsed IFree IUse% Mounted on', '/dev/sda1 1000 10 990 1% /', '/dev/sdb1 0 0 0 - /data/disk 0'].join('\n'),
      'cat /proc/self/mounts': '/dev/sda1 / ext4 rw 0 0\n/dev/sdb1 /data/disk\\0400 ext4 rw 0 0\n/dev/sdc1 /data/disk1 xfs ro 0 0\ntmpfs /run tmpfs ro 0 0\n',
    });
    const found = await filesystemsCheck.run(ctx);
    expect(found.map((f) => [f.code, f.severity, f.subject])).toEqual([
      ['disk.fs-full', 'warning', '/data/disk 0'],
      ['disk.fs-full', 'critical', '/data/disk1'],
      ['disk.fs-readonly', 'critical', '/data/disk1'],
    ]);
    expect(found[1]!.evidence.output.split('\n')).toEqual(['Filesystem Type 1-blocks Used Available Capacity Mounted on', '/dev/sdc1 xfs 100000 99000 1000 99% /data/disk1']);
  });

  it('measures clock skew against the middle of the round trip', async () => {
    const consoleNow = Date.UTC(2026, 11, 4, 3, 0, 0);
    const ctx = fakeMachine({ 'date +%s%N': `${(consoleNow - 42_000) * 1e6}`, 'for p in': 'chronyd\n' }, () => consoleNow);
    expect(await clockCheck.run(ctx)).toMatchObject([{ code: 'time.skew-behind', severity: 'warning', params: { seconds: 42 } }]);
  });

  it('keeps evidence to the lines that matter, bounded', () => {
    const long = Array.from({ length: 100 }, (_, i) => `line ${i}`).join('\n');
    const e = evidence('cmd', long);
    expect(e.output.split('\n')).toHaveLength(24);
    expect(e.output).toContain('… 77 more lines');
    expect(worstOf([{ severity: 'info' }, { severity: 'critical' }, { severity: 'warning' }])).toBe('critical');
    expect(worstOf([])).toBeNull();
  });
});
