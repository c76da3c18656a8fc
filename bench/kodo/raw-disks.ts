import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import type { LoopDisk } from './loop-disks';

/**
 * The raw reference: sequential writes and reads with dd and O_DIRECT, one dd per disk, all
 * disks at once, on the same file systems Kodo stores on. dd rather than fio: it is on every
 * machine, and one sequential stream per disk is all the reference needs.
 */
const BLOCK = 1 << 20;

function dd(args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('dd', [...args, 'status=none'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`dd ${args.join(' ')}: ${err.trim() || `exit ${code}`}`))));
  });
}

function fileOf(disk: LoopDisk): string {
  return path.join(disk.mount, 'raw-reference.bin');
}

/** Seconds to write `bytesPerDisk` to every disk at once (O_DIRECT, and fsync before dd ends). */
export async function rawWrite(disks: LoopDisk[], bytesPerDisk: number): Promise<number> {
  const count = String(Math.ceil(bytesPerDisk / BLOCK));
  const t0 = performance.now();
  await Promise.all(disks.map((d) => dd(['if=/dev/zero', `of=${fileOf(d)}`, `bs=${BLOCK}`, `count=${count}`, 'oflag=direct', 'conv=fsync'])));
  return (performance.now() - t0) / 1000;
}

/** Seconds to read `bytesPerDisk` back from every disk at once (O_DIRECT: from the disk, not the cache). */
export async function rawRead(disks: LoopDisk[], bytesPerDisk: number): Promise<number> {
  const count = String(Math.ceil(bytesPerDisk / BLOCK));
  const t0 = performance.now();
  await Promise.all(disks.map((d) => dd([`if=${fileOf(d)}`, 'of=/dev/null', `bs=${BLOCK}`, `count=${count}`, 'iflag=direct'])));
  return (performance.now() - t0) / 1000;
}

export function removeRawFiles(disks: LoopDisk[]): void {
  for (const d of disks) fs.rmSync(fileOf(d), { force: true });
}
