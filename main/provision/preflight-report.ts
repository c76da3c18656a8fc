import type { ServicePort } from './service-ports';
import { isDataDiskCandidate, type DiskFact } from './steps/preflight-disks';
import type { PreflightFacts } from './steps/preflight-facts';

/**
 * Preflight as a table: one row per thing looked at, each `ok`, `warning` (provisioning goes on,
 * something will not work as well — a missing ffmpeg, a port already taken) or `fail` (the install
 * would break: provisioning stops before changing anything). Pure, so the same verdicts serve the
 * preflight step (fail rows stop the run, warnings go in its log) and `provision.preflight` (the
 * wizard's table), and are unit-tested over captured outputs.
 *
 * Texts are a translation key with params plus the English sentence (for the CLI, logs and the
 * step's error), the way SSH failures are reported.
 */
export type RowStatus = 'ok' | 'warning' | 'fail';
type Params = Record<string, string | number>;

export interface Say {
  key: string;
  params: Params;
  text: string;
}

export interface PreflightRow {
  id: string;
  /** Translation key of the row's name (`preflight.row.*`), with its params. */
  label: string;
  labelParams?: Params;
  /** What was found; numbers come with their unit so the UI can format them. */
  value: string | number | null;
  unit?: 'bytes' | 'seconds' | 'count';
  /** More about the value (where a disk is mounted, what holds a port). */
  detail?: Say;
  status: RowStatus;
  /** What is wrong and what to do; present on every warning and fail row. */
  remedy?: Say;
}

export interface PreflightLimits {
  minMemoryBytes: number;
  /** Below this the services run, slowly: a warning. */
  recommendedMemoryBytes: number;
  recommendedCpus: number;
  /** Free bytes needed per path. */
  minFree: Record<string, number>;
  maxClockSkewSeconds: number;
  /** Above this (and within the maximum) a warning: metrics and logs are stamped off by that much. */
  warnClockSkewSeconds: number;
  minKernelMajor: number;
  /** The official Node.js 20+ Linux builds need glibc 2.28 or newer. */
  minGlibc: string;
  /** Ports the agent and this role's services listen on (service-ports.ts). */
  ports: readonly ServicePort[];
  /** Whether the role stores data (servers): then no data disk is worth a warning. */
  needsDataDisks: boolean;
}

const MiB = 1024 * 1024;
const mib = (bytes: number) => Math.round(bytes / MiB);
const say = (key: string, params: Params, text: string): Say => ({ key, params, text });

const TOOL_PACKAGE: Record<string, string> = {
  flock: 'util-linux',
  sha256sum: 'coreutils',
  mktemp: 'coreutils',
  mv: 'coreutils',
  ln: 'coreutils',
  tar: 'tar',
  gzip: 'gzip',
  sh: 'dash',
  ffmpeg: 'ffmpeg',
  smartctl: 'smartmontools',
};

const RPM_FAMILY = new Set(['rhel', 'centos', 'rocky', 'almalinux', 'fedora', 'ol', 'openEuler', 'anolis', 'kylin']);

/** The install command for this machine's package manager (apt-get unless the os-release ID says otherwise). */
export function installCommand(osId: string, pkg: string): string {
  if (RPM_FAMILY.has(osId)) return `dnf install ${pkg}`;
  if (osId === 'alpine') return `apk add ${pkg}`;
  return `apt-get install ${pkg}`;
}

function compareVersions(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

function systemRows(f: PreflightFacts, limits: PreflightLimits): PreflightRow[] {
  const rows: PreflightRow[] = [];
  rows.push({ id: 'os', label: 'preflight.row.os', value: f.os || null, status: 'ok' });
  rows.push(
    f.target
      ? { id: 'arch', label: 'preflight.row.arch', value: f.machine, status: 'ok' }
      : {
          id: 'arch',
          label: 'preflight.row.arch',
          value: f.machine || null,
          status: 'fail',
          remedy: say(
            'preflight.remedy.arch',
            { os: f.os, arch: f.machine || '?' },
            `unsupported platform ${f.os} on ${f.machine || 'unknown hardware'}: the agent runs on Linux x86_64 or aarch64; use a supported machine`,
          ),
        },
  );
  const major = Number(f.kernel.split('.')[0]);
  rows.push(
    major >= limits.minKernelMajor
      ? { id: 'kernel', label: 'preflight.row.kernel', value: f.kernel, status: 'ok' }
      : {
          id: 'kernel',
          label: 'preflight.row.kernel',
          value: f.kernel || null,
          status: 'fail',
          remedy: say('preflight.remedy.kernel', { min: limits.minKernelMajor }, `kernel ${f.kernel} is too old (need ${limits.minKernelMajor}.x or newer): upgrade the operating system`),
        },
  );
  if (f.glibcVersion === null) {
    rows.push({
      id: 'libc',
      label: 'preflight.row.libc',
      value: null,
      status: 'warning',
      remedy: say('preflight.remedy.libcUnknown', { min: limits.minGlibc }, `could not confirm the C library is glibc: the agent's Node.js runtime needs glibc ${limits.minGlibc} or newer (musl systems such as Alpine are not supported)`),
    });
  } else if (compareVersions(f.glibcVersion, limits.minGlibc) < 0) {
    rows.push({
      id: 'libc',
      label: 'preflight.row.libc',
      value: `glibc ${f.glibcVersion}`,
      status: 'fail',
      remedy: say('preflight.remedy.libc', { min: limits.minGlibc }, `glibc ${f.glibcVersion} is too old for the agent's Node.js runtime (need ${limits.minGlibc} or newer): upgrade the operating system`),
    });
  } else rows.push({ id: 'libc', label: 'preflight.row.libc', value: `glibc ${f.glibcVersion}`, status: 'ok' });

  const init: PreflightRow = { id: 'init', label: 'preflight.row.init', value: f.init, status: 'ok' };
  if (f.init === 'none') {
    if (f.cronDir) init.detail = say('preflight.detail.initWatchdog', {}, 'no systemd: the agent supervises itself, started at boot by cron');
    else {
      init.status = 'warning';
      init.remedy = say('preflight.remedy.init', { command: installCommand(f.osId, 'cron') }, `no systemd and no /etc/cron.d: the agent will run, but will not start again after a reboot; install cron (${installCommand(f.osId, 'cron')})`);
    }
  }
  rows.push(init);
  return rows;
}

function resourceRows(f: PreflightFacts, limits: PreflightLimits): PreflightRow[] {
  const rows: PreflightRow[] = [];
  const cpu: PreflightRow = { id: 'cpu', label: 'preflight.row.cpu', value: f.cpus, unit: 'count', status: 'ok' };
  if (f.cpus < limits.recommendedCpus) {
    cpu.status = 'warning';
    cpu.remedy = say('preflight.remedy.cpu', { min: limits.recommendedCpus }, `only ${f.cpus} CPU (${limits.recommendedCpus} recommended): transcoding and erasure coding will be slow`);
  }
  rows.push(cpu);

  const memory: PreflightRow = { id: 'memory', label: 'preflight.row.memory', value: f.memoryBytes, unit: 'bytes', status: 'ok' };
  if (f.memoryBytes < limits.minMemoryBytes) {
    memory.status = 'fail';
    memory.remedy = say('preflight.remedy.memory', { min: mib(limits.minMemoryBytes) }, `only ${mib(f.memoryBytes)} MiB of memory (need ${mib(limits.minMemoryBytes)} MiB): add memory or use a larger machine`);
  } else if (f.memoryBytes < limits.recommendedMemoryBytes) {
    memory.status = 'warning';
    memory.remedy = say('preflight.remedy.memoryLow', { min: mib(limits.recommendedMemoryBytes) }, `only ${mib(f.memoryBytes)} MiB of memory (${mib(limits.recommendedMemoryBytes)} MiB recommended): the services may run short`);
  }
  rows.push(memory);

  for (const [path, need] of Object.entries(limits.minFree)) {
    const have = f.freeBytes[path];
    const row: PreflightRow = { id: `free:${path}`, label: 'preflight.row.free', labelParams: { path }, value: have ?? null, unit: 'bytes', status: 'ok' };
    if (have === undefined || !Number.isFinite(have)) {
      row.value = null;
      row.status = 'fail';
      row.remedy = say('preflight.remedy.freeUnknown', { path }, `could not read free space on ${path}: check that df works on the machine`);
    } else if (have < need) {
      row.status = 'fail';
      row.remedy = say('preflight.remedy.free', { path, need: mib(need) }, `only ${mib(have)} MiB free on ${path} (need ${mib(need)} MiB): free space there or grow the file system`);
    }
    rows.push(row);
  }

  const clock: PreflightRow = { id: 'clock', label: 'preflight.row.clock', value: Number.isFinite(f.clockSkewSeconds) ? f.clockSkewSeconds : null, unit: 'seconds', status: 'ok' };
  const skew = Math.abs(f.clockSkewSeconds);
  const direction = f.clockSkewSeconds > 0 ? 'ahead of' : 'behind';
  if (!Number.isFinite(f.clockSkewSeconds)) {
    clock.status = 'fail';
    clock.remedy = say('preflight.remedy.clockUnknown', {}, 'could not read the machine clock: check that `date` works');
  } else if (skew > limits.maxClockSkewSeconds) {
    clock.status = 'fail';
    clock.remedy = say(
      'preflight.remedy.clock',
      { max: limits.maxClockSkewSeconds },
      `the machine clock is ${direction} the console by ${skew} s (at most ${limits.maxClockSkewSeconds} s): enable NTP (timedatectl set-ntp true) or set the clock`,
    );
  } else if (skew > limits.warnClockSkewSeconds) {
    clock.status = 'warning';
    clock.remedy = say('preflight.remedy.clockDrift', {}, `the machine clock is ${direction} the console by ${skew} s: enable NTP (timedatectl set-ntp true) so logs and metrics line up`);
  }
  rows.push(clock);
  return rows;
}

function accessRows(f: PreflightFacts): PreflightRow[] {
  const rows: PreflightRow[] = [];
  if (f.privilege) {
    const { mode, error } = f.privilege;
    rows.push(
      error === null
        ? { id: 'sudo', label: 'preflight.row.sudo', value: mode, status: 'ok' }
        : { id: 'sudo', label: 'preflight.row.sudo', value: mode, status: 'fail', remedy: say('preflight.remedy.sudo', {}, error) },
    );
  }
  const missing = f.missingTools;
  rows.push(
    missing.length === 0
      ? { id: 'tools', label: 'preflight.row.tools', value: null, detail: say('preflight.detail.toolsPresent', {}, 'all present'), status: 'ok' }
      : {
          id: 'tools',
          label: 'preflight.row.tools',
          value: missing.join(', '),
          status: 'fail',
          remedy: say(
            'preflight.remedy.tools',
            { tools: missing.join(', '), command: installCommand(f.osId, [...new Set(missing.map((t) => TOOL_PACKAGE[t] ?? t))].join(' ')) },
            missing.map((t) => `${t} is missing: install ${TOOL_PACKAGE[t] ?? t} (${installCommand(f.osId, TOOL_PACKAGE[t] ?? t)})`).join('; '),
          ),
        },
  );
  for (const [tool, path] of Object.entries(f.serviceTools)) {
    const pkg = TOOL_PACKAGE[tool] ?? tool;
    rows.push(
      path
        ? { id: `tool:${tool}`, label: 'preflight.row.tool', labelParams: { tool }, value: path, status: 'ok' }
        : {
            id: `tool:${tool}`,
            label: 'preflight.row.tool',
            labelParams: { tool },
            value: null,
            status: 'warning',
            remedy: say(`preflight.remedy.tool.${tool}`, { command: installCommand(f.osId, pkg) }, `${tool} is missing: the services that need it will not work until you install ${pkg} (${installCommand(f.osId, pkg)})`),
          },
    );
  }
  return rows;
}

function diskDetail(d: DiskFact): Say {
  if (d.mounts.length > 0) return say('preflight.detail.diskMounted', { mounts: d.mounts.join(', ') }, `mounted at ${d.mounts.join(', ')}`);
  if (d.holders.length > 0) return say('preflight.detail.diskHeld', { holders: d.holders.join(', ') }, `in use by ${d.holders.join(', ')} (LVM or RAID)`);
  return say('preflight.detail.diskUnused', {}, 'not mounted, not in use');
}

function diskRows(f: PreflightFacts, limits: PreflightLimits): PreflightRow[] {
  const rows: PreflightRow[] = f.disks.map((d) => ({
    id: `disk:${d.name}`,
    label: d.system ? 'preflight.row.systemDisk' : 'preflight.row.disk',
    labelParams: { name: d.name },
    value: d.sizeBytes,
    unit: 'bytes' as const,
    detail: diskDetail(d),
    status: 'ok' as const,
  }));
  // A USB stick or a read-only device is no place for data, whatever its size.
  const data = f.disks.filter(isDataDiskCandidate);
  const summary: PreflightRow = { id: 'data-disks', label: 'preflight.row.dataDisks', value: data.length, unit: 'count', status: 'ok' };
  if (data.length === 0 && limits.needsDataDisks) {
    summary.status = 'warning';
    summary.remedy = say('preflight.remedy.dataDisks', {}, 'no data disk besides the system disk: object storage would fill the system disk; add disks before storing data');
  }
  rows.push(summary);
  return rows;
}

function portRows(f: PreflightFacts, limits: PreflightLimits): PreflightRow[] {
  const listening = new Set(f.listeningPorts);
  return limits.ports.map((p) => {
    const base = { id: `port:${p.id}`, label: `preflight.port.${p.id}`, labelParams: { port: p.port }, value: p.port };
    if (!listening.has(p.port)) return { ...base, status: 'ok' as const, detail: say('preflight.detail.portFree', {}, 'free') };
    return {
      ...base,
      status: 'warning' as const,
      detail: say('preflight.detail.portInUse', {}, 'in use'),
      remedy: say(
        'preflight.remedy.port',
        { port: p.port },
        `port ${p.port} is already in use, so ${p.service} cannot start there: find what listens (ss -ltnp 'sport = :${p.port}') and stop or move it`,
      ),
    };
  });
}

export function preflightReport(f: PreflightFacts, limits: PreflightLimits): PreflightRow[] {
  return [...systemRows(f, limits), ...resourceRows(f, limits), ...accessRows(f), ...diskRows(f, limits), ...portRows(f, limits)];
}

/** Each problem that stops provisioning, with the remedy a person can act on; empty when the machine is fit. */
export function preflightProblems(f: PreflightFacts, limits: PreflightLimits): string[] {
  return preflightReport(f, limits)
    .filter((r) => r.status === 'fail')
    .map((r) => r.remedy?.text ?? r.id);
}
