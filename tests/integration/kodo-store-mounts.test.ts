/**
 * An empty mount point looks exactly like a blank disk. When the set's disks are mount points, a
 * disk that is not mounted (at boot, a pulled cable) must not be formatted as a replacement —
 * that would turn the real disk into "an old disk put back" once it is mounted again. A fresh disk
 * mounted there is taken. Real tmpfs mounts (root only).
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../agents/services/kodo/store';
import { makeTempDir } from '../helpers/temp-dir';

const skip = process.getuid?.() === 0 ? undefined : 'mounting tmpfs needs root';
if (skip) console.warn(`[skip] Kodo mount-point test skipped: ${skip}`);

describe.skipIf(skip !== undefined)('a disk that is not mounted is not taken for a blank replacement', () => {
  const work = makeTempDir('kodo-mounts');
  const disks = Array.from({ length: 3 }, (_, i) => path.join(work.dir, `d${i}`));
  const mount = (dir: string) => execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=32m', 'tmpfs', dir]);
  const umount = (dir: string) => execFileSync('umount', [dir]);
  const mounted = () => fs.readFileSync('/proc/self/mounts', 'utf8');
  afterAll(() => {
    for (const d of disks) if (mounted().includes(` ${d} `)) umount(d);
    work.cleanup();
  });

  it('creates a store only on blank disks, all mounted', async () => {
    for (const d of disks) fs.mkdirSync(d);
    mount(disks[0]!);
    mount(disks[1]!); // d2 "failed to mount": an empty directory on the system disk
    await expect(openStore({ disks, layout: { k: 2, m: 1 } })).rejects.toThrow(/d2 is not mounted/);
    mount(disks[2]!);
    fs.writeFileSync(path.join(disks[1]!, 'someone-elses.txt'), 'data');
    await expect(openStore({ disks, layout: { k: 2, m: 1 } })).rejects.toThrow(/d1 \(has files but no Kodo format.json/);
    expect(fs.readdirSync(disks[1]!)).toEqual(['someone-elses.txt']); // nothing written beside it
    expect(fs.readdirSync(disks[0]!)).toEqual([]);
    fs.rmSync(path.join(disks[1]!, 'someone-elses.txt'));
  });

  it('keeps the empty mount point offline, then takes a fresh disk mounted there', async () => {
    const created = await openStore({ disks, layout: { k: 2, m: 1 } });
    await created.createBucket('media');
    await created.putObject('media', 'k', [Buffer.from('kept')]);
    await created.close();

    umount(disks[2]!); // the disk is not mounted: its mount point is an empty directory
    const degraded = await openStore({ disks });
    expect(degraded.disks()[2]).toMatchObject({ state: 'offline' });
    expect(degraded.disks()[2]!.reason).toMatch(/not a mount point/);
    expect(fs.readdirSync(disks[2]!)).toEqual([]);
    await degraded.close();

    mount(disks[2]!); // a fresh (blank) disk in its place
    const healed = await openStore({ disks });
    expect(healed.disks()[2]).toMatchObject({ state: 'online', healing: true });
    const { stream } = await healed.getObject('media', 'k');
    expect(Buffer.concat(await stream.toArray()).toString()).toBe('kept');
    await healed.close();
  });
});
