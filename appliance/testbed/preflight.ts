/**
 * What the host must have before `up` can work, checked up front so a missing package is reported by
 * name instead of as a cryptic failure halfway through. The package list is the same one the
 * README gives to scripts/setup-system.sh.
 */
import fs from 'node:fs';
import path from 'node:path';
import { EnvironmentError } from './errors';

/** Debian packages the testbed needs, with the commands we use from each. */
export const APT_PACKAGES: Readonly<Record<string, readonly string[]>> = {
  iproute2: ['ip'],
  'util-linux': ['unshare', 'nsenter', 'losetup', 'mount', 'umount', 'pivot_root', 'fallocate'],
  'e2fsprogs': ['mkfs.ext4', 'e2fsck'],
  'openssh-server': ['sshd'],
  'openssh-client': ['ssh-keygen'],
  passwd: ['useradd', 'chpasswd'],
  sudo: ['sudo'],
  // The disk chain (see disks.ts): nbdkit with its error filter injects real I/O errors, nbdfuse
  // turns the NBD export into a file a loop device can sit on. Used instead of device-mapper, which
  // this kernel does not have.
  nbdkit: ['nbdkit'],
  'libnbd-bin': ['nbdfuse'],
  fuse3: ['fusermount3'],
  // Clock skew (see faults.ts).
  libfaketime: [],
  procps: ['ps'],
};

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

export function requireRoot(what: string): void {
  if (!isRoot()) {
    throw new EnvironmentError(
      `${what} needs root: the testbed creates network namespaces, loop devices and mounts. Run it with sudo (or as root).`,
    );
  }
}

function onPath(cmd: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  return dirs.some((d) => {
    try {
      fs.accessSync(path.join(d, cmd), fs.constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** libfaketime lives under the multiarch directory, which differs between amd64 and arm64. */
export function findLibfaketime(): string | undefined {
  let dirs: string[] = [];
  try {
    dirs = fs.readdirSync('/usr/lib');
  } catch {
    return undefined;
  }
  for (const d of ['faketime', ...dirs.map((x) => path.join(x, 'faketime'))]) {
    const candidate = path.join('/usr/lib', d, 'libfaketime.so.1');
    if (fs.existsSync(candidate)) return candidate;
  }
  return undefined;
}

/** Everything `up` needs; throws one error naming every missing piece. */
export function checkHost(): { libfaketime: string } {
  requireRoot('testbed up');
  const missing = new Set<string>();
  for (const [pkg, cmds] of Object.entries(APT_PACKAGES)) {
    if (cmds.some((c) => !onPath(c))) missing.add(pkg);
  }
  const libfaketime = findLibfaketime();
  if (!libfaketime) missing.add('libfaketime');
  const problems: string[] = [];
  if (missing.size > 0) problems.push(`missing packages: apt-get install -y ${[...missing].join(' ')}`);
  const filesystems = readOr('/proc/filesystems', '');
  for (const fsType of ['overlay', 'tmpfs', 'fuse', 'ext4']) {
    if (!new RegExp(`\\s${fsType}$`, 'm').test(filesystems)) problems.push(`kernel has no ${fsType} file system`);
  }
  for (const dev of ['/dev/loop-control', '/dev/fuse']) {
    if (!fs.existsSync(dev)) problems.push(`${dev} is missing (loop devices / FUSE unavailable)`);
  }
  if (!fs.existsSync('/proc/self/ns/net')) problems.push('kernel has no network namespaces');
  if (problems.length > 0 || !libfaketime) throw new EnvironmentError(`host is not ready for the testbed:\n  ${problems.join('\n  ')}`);
  return { libfaketime };
}

/** Network namespaces can be unavailable even as root (e.g. inside an unprivileged container). */
export function netnsUnsupportedReason(): string | undefined {
  if (!isRoot()) return 'not running as root';
  if (!fs.existsSync('/proc/self/ns/net')) return 'kernel has no network namespaces';
  return undefined;
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}
