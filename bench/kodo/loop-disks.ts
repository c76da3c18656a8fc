import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { Cleanup } from './cleanup';

/**
 * Real disks for the bench: ext4 on loop devices over sparse files, as appliance/testbed/disks.ts
 * makes them (without its nbdfuse layer, which is there for fault injection). The loop devices run
 * with direct I/O, so the backing files' page cache on the host does not flatter any side.
 */
export interface LoopDisk {
  image: string;
  device: string;
  mount: string;
}

export function sh(cmd: string, args: string[], opts: { allowFailure?: boolean; input?: string; timeoutMs?: number } = {}): { stdout: string; stderr: string; status: number } {
  const r = spawnSync(cmd, args, { encoding: 'utf8', input: opts.input, timeout: opts.timeoutMs ?? 300_000, maxBuffer: 64 << 20 });
  const status = r.status ?? -1;
  if (status !== 0 && !opts.allowFailure) throw new Error(`${cmd} ${args.join(' ')} failed (${r.error?.message ?? status}): ${(r.stderr || r.stdout || '').trim().slice(0, 500)}`);
  return { stdout: r.stdout ?? '', stderr: r.stderr ?? '', status };
}

export function createLoopDisks(dir: string, count: number, sizeBytes: number, cleanup: Cleanup): LoopDisk[] {
  const disks: LoopDisk[] = [];
  for (let i = 0; i < count; i++) {
    const image = path.join(dir, `disk${i}.img`);
    const mount = path.join(dir, `d${i}`);
    fs.mkdirSync(mount, { recursive: true });
    const fd = fs.openSync(image, 'w');
    fs.ftruncateSync(fd, sizeBytes); // sparse: costs no space until written
    fs.closeSync(fd);
    cleanup.add(`removing ${image}`, () => fs.rmSync(image, { force: true }));
    const device = sh('losetup', ['-f', '--show', '--direct-io=on', image]).stdout.trim();
    cleanup.add(`detaching ${device}`, () => void sh('losetup', ['-d', device], { allowFailure: true }));
    sh('mkfs.ext4', ['-q', '-F', '-m', '0', '-E', 'lazy_itable_init=0,lazy_journal_init=0,nodiscard', device]);
    sh('mount', ['-o', 'noatime', device, mount]);
    cleanup.add(`unmounting ${mount}`, () => {
      // A process that still holds the mount (a Ceph OSD being stopped) makes umount fail for a
      // moment: retry, then detach lazily so the loop device can go.
      for (let t = 0; t < 20 && sh('umount', [mount], { allowFailure: true }).status !== 0; t++) spawnSync('sleep', ['0.25']);
      if (sh('mountpoint', ['-q', mount], { allowFailure: true }).status === 0) sh('umount', ['-l', mount]);
    });
    disks.push({ image, device, mount });
  }
  return disks;
}

/**
 * Drops the cached pages of every file under `dirs` (posix_fadvise DONTNEED through
 * `dd iflag=nocache count=0`), so reads after writes come from the disks, as the raw reference's
 * O_DIRECT reads do. Per file, not by remounting: Ceph's OSDs hold the disks (and `ip netns exec`
 * copies the mounts into their namespace, keeping the file systems and their cache alive anyway);
 * and not drop_caches, which would empty the whole machine's cache under other people's work.
 */
export function dropFileCache(dirs: string[]): void {
  const script = `find "$@" -type f -print0 | xargs -0 -r -n 256 sh -c 'for f; do dd if="$f" iflag=nocache count=0 status=none; done' _`;
  sh('sh', ['-c', script, '_', ...dirs]);
}
