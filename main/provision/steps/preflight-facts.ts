/**
 * What preflight learns about a machine, parsed from one shell script's `key=value` output. Pure,
 * so the parsing and the verdicts are unit-tested without a machine.
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
  cronDir: boolean;
}

export const REQUIRED_TOOLS = ['sh', 'tar', 'gzip', 'sha256sum', 'flock', 'mktemp', 'mv', 'ln'] as const;
export const FREE_SPACE_PATHS = ['/opt', '/var/lib'] as const;

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
  `[ -d /etc/cron.d ] && echo cron_dir=1`,
  `echo end=1`,
].join('\n');

const ARCH: Record<string, AgentTarget> = { x86_64: 'linux-x64', amd64: 'linux-x64', aarch64: 'linux-arm64', arm64: 'linux-arm64' };

export function parsePreflight(out: string, consoleNowMs: number): PreflightFacts {
  const kv = new Map<string, string>();
  const missing: string[] = [];
  const free: Record<string, number> = {};
  for (const line of out.split('\n')) {
    const eq = line.indexOf('=');
    if (eq < 0) continue;
    const key = line.slice(0, eq);
    const value = line.slice(eq + 1).trim();
    if (key === 'missing') missing.push(value);
    else if (key.startsWith('free ')) free[key.slice(5)] = Number(value) * 1024;
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
    cronDir: kv.get('cron_dir') === '1',
  };
}

export interface PreflightLimits {
  minMemoryBytes: number;
  /** Free bytes needed per path. */
  minFree: Record<string, number>;
  maxClockSkewSeconds: number;
  minKernelMajor: number;
}

const TOOL_PACKAGE: Record<string, string> = { flock: 'util-linux', sha256sum: 'coreutils', mktemp: 'coreutils', mv: 'coreutils', ln: 'coreutils', tar: 'tar', gzip: 'gzip', sh: 'dash' };
const MiB = 1024 * 1024;

/** Each problem with the remedy a person can act on; empty when the machine is fit. */
export function preflightProblems(f: PreflightFacts, limits: PreflightLimits): string[] {
  const problems: string[] = [];
  if (!f.target) problems.push(`unsupported platform ${f.os} on ${f.machine || 'unknown hardware'}: the agent runs on Linux x86_64 or aarch64; use a supported machine`);
  const major = Number(f.kernel.split('.')[0]);
  if (!(major >= limits.minKernelMajor)) problems.push(`kernel ${f.kernel} is too old (need ${limits.minKernelMajor}.x or newer): upgrade the operating system`);
  if (f.memoryBytes < limits.minMemoryBytes) {
    problems.push(`only ${Math.round(f.memoryBytes / MiB)} MiB of memory (need ${Math.round(limits.minMemoryBytes / MiB)} MiB): add memory or use a larger machine`);
  }
  for (const [p, need] of Object.entries(limits.minFree)) {
    const have = f.freeBytes[p];
    if (have === undefined || !Number.isFinite(have)) problems.push(`could not read free space on ${p}: check that df works on the machine`);
    else if (have < need) problems.push(`only ${Math.round(have / MiB)} MiB free on ${p} (need ${Math.round(need / MiB)} MiB): free space there or grow the file system`);
  }
  if (!Number.isFinite(f.clockSkewSeconds)) problems.push('could not read the machine clock: check that `date` works');
  else if (Math.abs(f.clockSkewSeconds) > limits.maxClockSkewSeconds) {
    problems.push(`the machine clock is ${f.clockSkewSeconds > 0 ? 'ahead of' : 'behind'} the console by ${Math.abs(f.clockSkewSeconds)} s (at most ${limits.maxClockSkewSeconds} s): enable NTP (timedatectl set-ntp true) or set the clock`);
  }
  for (const t of f.missingTools) problems.push(`${t} is missing: install ${TOOL_PACKAGE[t] ?? t} (apt-get install ${TOOL_PACKAGE[t] ?? t})`);
  return problems;
}
