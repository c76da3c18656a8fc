import { DISKS_SCRIPT, parseDisks, type DiskFact } from './preflight-disks';

/**
 * What preflight learns about a machine, parsed from one shell script's `key=value` output. Pure,
 * so the parsing and the verdicts are unit-tested without a machine. The verdicts, row by row,
 * are `preflightReport` (../preflight-report.ts).
 */
export type AgentTarget = 'linux-x64' | 'linux-arm64';

export interface PreflightFacts {
  os: string;
  osId: string;
  osVersion: string;
  kernel: string;
  machine: string;
  target: AgentTarget | null;
  cpus: number;
  memoryBytes: number;
  /** Bytes available to new files, by path. */
  freeBytes: Record<string, number>;
  init: 'systemd' | 'none';
  /** Remote clock minus the console's, in seconds. */
  clockSkewSeconds: number;
  missingTools: string[];
  /** `zstd` is on the PATH: the runtime can travel zstd-compressed (smaller, 4x cheaper to unpack). */
  zstd: boolean;
  cronDir: boolean;
  /** `getconf GNU_LIBC_VERSION`: the official Node.js builds need glibc; null when it is not glibc. */
  glibcVersion: string | null;
  disks: DiskFact[];
  /** TCP ports something listens on (any address, IPv4 or IPv6). */
  listeningPorts: number[];
  /** Tools the services use (not the installer): where each was found, null when missing. */
  serviceTools: Record<string, string | null>;
  /**
   * Whether administrator rights work (root, or sudo with the stored password); null until the
   * step or probe has tried (the script itself never runs privileged).
   */
  privilege: { mode: 'root' | 'sudo'; error: string | null } | null;
}

export const REQUIRED_TOOLS = ['sh', 'tar', 'gzip', 'sha256sum', 'flock', 'mktemp', 'mv', 'ln'] as const;
export const FREE_SPACE_PATHS = ['/opt', '/var/lib'] as const;
/** Used by the media services (transcoding, disk health); their absence is a warning, not a stop. */
export const SERVICE_TOOLS = ['ffmpeg', 'smartctl'] as const;

/** Runs under plain POSIX sh with coreutils; every line is `key=value`. */
export const PREFLIGHT_SCRIPT = [
  `echo "now=$(date +%s)"`,
  `echo "uname=$(uname -s)|$(uname -r)|$(uname -m)"`,
  `if [ -r /etc/os-release ]; then . /etc/os-release; echo "os_id=$ID"; echo "os_version=$VERSION_ID"; echo "os_name=$PRETTY_NAME"; fi`,
  `echo "cpus=$(getconf _NPROCESSORS_ONLN 2>/dev/null || nproc)"`,
  `echo "mem_kb=$(awk '/^MemTotal:/ {print $2}' /proc/meminfo)"`,
  // df on the nearest existing ancestor: /var/lib exists everywhere, /opt may not yet.
  ...FREE_SPACE_PATHS.map((p) => `d=${p}; while [ ! -e "$d" ]; do d=$(dirname "$d"); done; echo "free ${p}=$(df -Pk "$d" | awk 'NR==2 {print $4}')"`),
  `if [ -d /run/systemd/system ]; then echo init=systemd; else echo init=none; fi`,
  `for t in ${REQUIRED_TOOLS.join(' ')}; do command -v "$t" >/dev/null 2>&1 || echo "missing=$t"; done`,
  `command -v zstd >/dev/null 2>&1 && echo zstd=1`,
  `[ -d /etc/cron.d ] && echo cron_dir=1`,
  `echo "glibc=$(getconf GNU_LIBC_VERSION 2>/dev/null)"`,
  // A non-root login's PATH often lacks the sbin directories where smartctl lives.
  `for t in ${SERVICE_TOOLS.join(' ')}; do echo "tool $t=$(PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin" command -v "$t" 2>/dev/null)"; done`,
  // Listening sockets (state 0A) from /proc rather than ss: no iproute2 needed, no root needed.
  `awk 'NR>1 && $4=="0A" {n=split($2,a,":"); print "listen=" a[n]}' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u`,
  DISKS_SCRIPT,
  `echo end=1`,
].join('\n');

const ARCH: Record<string, AgentTarget> = { x86_64: 'linux-x64', amd64: 'linux-x64', aarch64: 'linux-arm64', arm64: 'linux-arm64' };

export function parsePreflight(out: string, consoleNowMs: number): PreflightFacts {
  const kv = new Map<string, string>();
  const missing: string[] = [];
  const free: Record<string, number> = {};
  const tools: Record<string, string | null> = {};
  const ports = new Set<number>();
  const disk = { blk: [] as string[], part: [] as string[], mnt: [] as string[] };
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'missing') missing.push(value);
    else if (key.startsWith('free ')) free[key.slice(5)] = Number(value) * 1024;
    else if (key.startsWith('tool ')) tools[key.slice(5)] = value || null;
    else if (key === 'listen') {
      const port = parseInt(value, 16);
      if (port > 0) ports.add(port);
    } else if (key === 'blk' || key === 'part' || key === 'mnt') disk[key].push(line.slice(eq + 1));
    else kv.set(key, value);
  }
  if (kv.get('end') !== '1') throw new Error(`the preflight script did not finish; its output was: ${out.slice(0, 300)}`);
  const [os = '', kernel = '', machine = ''] = (kv.get('uname') ?? '').split('|');
  const remoteNow = Number(kv.get('now') ?? NaN);
  return {
    os: kv.get('os_name') ?? os,
    osId: kv.get('os_id') ?? '',
    osVersion: kv.get('os_version') ?? '',
    kernel,
    machine,
    target: os === 'Linux' ? (ARCH[machine] ?? null) : null,
    cpus: Number(kv.get('cpus') ?? 0),
    memoryBytes: Number(kv.get('mem_kb') ?? 0) * 1024,
    freeBytes: free,
    init: kv.get('init') === 'systemd' ? 'systemd' : 'none',
    clockSkewSeconds: Number.isFinite(remoteNow) ? Math.round(remoteNow - consoleNowMs / 1000) : Number.NaN,
    missingTools: missing,
    zstd: kv.get('zstd') === '1',
    cronDir: kv.get('cron_dir') === '1',
    glibcVersion: /^glibc (\S+)/.exec(kv.get('glibc') ?? '')?.[1] ?? null,
    disks: parseDisks(disk),
    listeningPorts: [...ports].sort((a, b) => a - b),
    serviceTools: tools,
    privilege: null,
  };
}
