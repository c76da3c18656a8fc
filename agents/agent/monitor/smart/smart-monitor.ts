import fs from 'node:fs';
import path from 'node:path';
import { naturalCompare } from '../../natural-compare';
import * as z from 'zod/mini';
import type { MonitorConfig } from '../../../protocol/agent-config';
import { AgentError } from '../../../protocol/errors';
import {
  SmartHistoryPointSchema,
  SmartSelfTestRequestSchema,
  type SmartDisk,
  type SmartResult,
  type SmartSelfTestKind,
  type SmartSelfTestRequest,
  type SmartSelfTestResult,
} from '../../../protocol/payloads/smart';
import type { Clock, TimerHandle } from '../../clock';
import type { CommandRunner } from '../../inventory/command-runner';
import type { Logger } from '../../logging/logger';
import { selfTestInProgress, selfTestLog, smartSummary } from './smart-parse';

/**
 * SMART for every disk smartctl finds (`smartctl -j --scan-open`: SATA, SAS, NVMe, and on the
 * testbed the loop data disks its double answers for), read with `smartctl -j -x` every
 * `smart.intervalMs` and on demand; short and long self-tests on a schedule and on demand, their
 * outcome read from the drive's own self-test log at the next reading. The key-attribute history,
 * the self-test requests and the schedule survive restarts in `<stateDir>/monitor/smart-state.json`.
 * A machine without smartctl gets one clear state (`not-installed`), checked again each interval,
 * never a loop of errors.
 */
export interface SmartMonitor {
  start(): void;
  stop(): void;
  get(params: { device?: string; refresh: boolean; includeData: boolean }): Promise<SmartResult>;
  selfTest(device: string, kind: SmartSelfTestKind): Promise<SmartSelfTestResult>;
}

export const SMARTCTL_MISSING = 'smartctl not installed: apt install smartmontools (or set monitor.smart.smartctlPath)';
const SEARCH_DIRS = ['/usr/local/sbin', '/usr/sbin', '/sbin', '/usr/local/bin', '/usr/bin', '/bin'];
const HISTORY_POINTS = 1000;
const REQUESTS_KEPT = 32;
/** First reading this long after start, so the agent's own start is not slowed by slow drives. */
const FIRST_RUN_DELAY_MS = 3000;

const PersistedDiskSchema = z.object({
  history: z.array(SmartHistoryPointSchema).check(z.maxLength(HISTORY_POINTS)),
  requests: z.array(SmartSelfTestRequestSchema).check(z.maxLength(REQUESTS_KEPT)),
  lastShortAt: z.nullable(z.number()),
  lastLongAt: z.nullable(z.number()),
  serial: z.nullable(z.string().check(z.maxLength(512))),
});
const PersistedSchema = z.object({ version: z.literal(1), disks: z.record(z.string().check(z.maxLength(256)), PersistedDiskSchema) });
type PersistedDisk = z.infer<typeof PersistedDiskSchema>;

interface DiskState {
  device: string;
  type: string;
  protocol: string | null;
  readAt: number | null;
  exitStatus: number | null;
  error: string | null;
  data: Record<string, unknown> | null;
  persisted: PersistedDisk;
}

export function findSmartctl(configured: string | undefined, exists: (p: string) => boolean = fileExists): string | null {
  if (configured) return exists(configured) ? configured : null;
  for (const dir of SEARCH_DIRS) {
    const p = `${dir}/smartctl`;
    if (exists(p)) return p;
  }
  return null;
}

function fileExists(p: string): boolean {
  try {
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function createSmartMonitor(deps: { config: MonitorConfig['smart']; stateFile: string; run: CommandRunner; clock: Clock; log: Logger; findSmartctl?: () => string | null }): SmartMonitor {
  const cfg = deps.config;
  const locate = deps.findSmartctl ?? (() => findSmartctl(cfg.smartctlPath));
  const disks = new Map<string, DiskState>();
  const persisted = loadState(deps.stateFile, deps.log);
  let state: SmartResult['state'] = cfg.enabled ? 'pending' : 'disabled';
  let message: string | null = cfg.enabled ? null : 'SMART monitoring is off (monitor.smart.enabled)';
  let smartctlPath: string | null = null;
  let version: string | null = null;
  let lastRunAt: number | null = null;
  let nextRunAt: number | null = null;
  let timer: TimerHandle | null = null;
  let inFlight: Promise<void> | null = null;
  let stopped = false;

  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

  async function smartctl(args: string[]): Promise<{ json: Record<string, unknown> | null; exitStatus: number | null; error: string | null }> {
    const r = await deps.run(smartctlPath!, args, { timeoutMs: cfg.timeoutMs });
    if (r.error) return { json: null, exitStatus: null, error: r.error === 'timed out' ? `smartctl timed out after ${cfg.timeoutMs} ms` : `smartctl could not run: ${r.error}` };
    let json: Record<string, unknown> | null = null;
    try {
      const parsed: unknown = JSON.parse(r.stdout);
      if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) json = parsed as Record<string, unknown>;
    } catch {
      // below
    }
    if (!json) return { json: null, exitStatus: r.code, error: `smartctl printed no JSON (exit ${r.code}): ${(r.stderr || r.stdout).trim().slice(0, 300)}` };
    return { json, exitStatus: r.code, error: null };
  }

  function messages(json: Record<string, unknown> | null): string | null {
    const list = (json?.smartctl as { messages?: { string?: unknown }[] } | undefined)?.messages;
    if (!Array.isArray(list)) return null;
    const text = list.map((m) => (typeof m?.string === 'string' ? m.string : '')).filter(Boolean).join('; ');
    return text ? text.slice(0, 500) : null;
  }

  /**
   * One history per device node and drive: a replaced drive in the same slot (another model or
   * serial) starts a new history instead of continuing the old drive's trend. The node is part of
   * the key because serials are sometimes blank or masked ("REDACTED" in recordings, some USB
   * bridges), and two drives must never share one history; a drive that moves to another node
   * (sda and sdb swapping at boot) starts afresh, which is the safe side.
   */
  function diskKey(device: string, model: string | null, serial: string | null): string {
    return serial ? `${device}|${model ?? ''}|${serial}` : device;
  }

  function persistedFor(device: string, model: string | null, serial: string | null): PersistedDisk {
    const key = diskKey(device, model, serial);
    let p = persisted.disks[key];
    if (!p) {
      const now = deps.clock.now();
      // The schedule starts when a disk is first seen: a new appliance does not start long tests
      // on every drive the minute the agent is installed.
      p = { history: [], requests: [], lastShortAt: now, lastLongAt: now, serial };
      persisted.disks[key] = p;
    }
    return p;
  }

  async function readDisk(device: string, type: string, protocol: string | null): Promise<void> {
    const r = await smartctl(['-j', '-x', '-d', type, device]);
    const now = deps.clock.now();
    const summary = r.json ? smartSummary(r.json) : null;
    const prevState = disks.get(device);
    const p = summary ? persistedFor(device, summary.model, summary.serial) : (prevState?.persisted ?? persistedFor(device, null, null));
    // smartctl's exit status bits 0–1: the command line or the device open failed; no data then.
    const unusable = r.exitStatus !== null && (r.exitStatus & 0b11) !== 0;
    const error = r.error ?? (unusable ? (messages(r.json) ?? `smartctl exit status ${r.exitStatus}`) : null);
    if (summary && !unusable) {
      const { passed, temperatureCelsius, powerOnHours, reallocatedSectors, pendingSectors, offlineUncorrectable, mediaErrors, percentageUsed, grownDefects } = summary;
      p.history.push({ time: new Date(now).toISOString(), passed, temperatureCelsius, powerOnHours, reallocatedSectors, pendingSectors, offlineUncorrectable, mediaErrors, percentageUsed, grownDefects });
      if (p.history.length > HISTORY_POINTS) p.history.splice(0, p.history.length - HISTORY_POINTS);
    }
    disks.set(device, { device, type, protocol, readAt: now, exitStatus: r.exitStatus, error, data: unusable ? null : r.json, persisted: p });
    if (error) deps.log.warn('monitor.smart-read-failed', { device, msg: error });
  }

  async function runSelfTest(device: string, kind: SmartSelfTestKind, scheduled: boolean): Promise<SmartSelfTestResult> {
    const now = deps.clock.now();
    const d = disks.get(device);
    const record = (accepted: boolean, msg: string | null, exitStatus: number | null): SmartSelfTestResult => {
      const request: SmartSelfTestRequest = { kind, requestedAt: new Date(now).toISOString(), scheduled, accepted, message: msg };
      if (d) {
        d.persisted.requests.unshift(request);
        d.persisted.requests.splice(REQUESTS_KEPT);
        if (accepted) d.persisted[kind === 'short' ? 'lastShortAt' : 'lastLongAt'] = now;
        saveState();
      }
      deps.log.info('monitor.smart-selftest', { device, kind, scheduled, accepted, msg: msg ?? undefined });
      return { device, request, exitStatus };
    };
    if (!smartctlPath) return record(false, SMARTCTL_MISSING, null);
    const r = await smartctl(['-j', '-t', kind, '-d', d?.type ?? 'auto', device]);
    // Bits 0–2: bad command line, device open failed, or the drive refused the command.
    const accepted = r.exitStatus !== null && (r.exitStatus & 0b111) === 0;
    return record(accepted, r.error ?? messages(r.json) ?? (accepted ? null : `smartctl exit status ${r.exitStatus}`), r.exitStatus);
  }

  function due(p: PersistedDisk, now: number): SmartSelfTestKind | null {
    const { shortEveryHours, longEveryHours } = cfg.selfTest;
    if (longEveryHours > 0 && now - (p.lastLongAt ?? 0) >= longEveryHours * 3_600_000) return 'long';
    if (shortEveryHours > 0 && now - (p.lastShortAt ?? 0) >= shortEveryHours * 3_600_000) return 'short';
    return null;
  }

  async function runAll(only?: string): Promise<void> {
    smartctlPath = locate();
    if (!smartctlPath) {
      if (state !== 'not-installed') deps.log.warn('monitor.smart-unavailable', { msg: SMARTCTL_MISSING });
      state = 'not-installed';
      message = SMARTCTL_MISSING;
      lastRunAt = deps.clock.now();
      return;
    }
    if (version === null) {
      const v = await smartctl(['-j', '-V']);
      const ver = (v.json?.smartctl as { version?: unknown } | undefined)?.version;
      version = Array.isArray(ver) ? ver.join('.') : null;
    }
    const scan = await smartctl(['-j', '--scan-open']);
    const devices = Array.isArray(scan.json?.devices) ? (scan.json.devices as unknown[]) : null;
    if (!devices) {
      state = 'scan-failed';
      message = scan.error ?? messages(scan.json) ?? 'smartctl --scan-open listed no devices array';
      deps.log.warn('monitor.smart-scan-failed', { msg: message });
      lastRunAt = deps.clock.now();
      return;
    }
    const seen = new Set<string>();
    for (const raw of devices) {
      const dev = raw as { name?: unknown; type?: unknown; protocol?: unknown };
      if (typeof dev.name !== 'string' || !/^\/dev\/[A-Za-z0-9._/-]{1,120}$/.test(dev.name)) continue;
      seen.add(dev.name);
      if (only && dev.name !== only) continue;
      await readDisk(dev.name, typeof dev.type === 'string' ? dev.type : 'auto', typeof dev.protocol === 'string' ? dev.protocol : null);
    }
    if (!only) for (const name of [...disks.keys()]) if (!seen.has(name)) disks.delete(name); // removed drives
    state = 'ok';
    message = null;
    lastRunAt = deps.clock.now();
    if (!only) {
      for (const d of disks.values()) {
        if (d.error || !d.data || selfTestInProgress(d.data)) continue;
        const kind = due(d.persisted, lastRunAt);
        if (kind) await runSelfTest(d.device, kind, true);
      }
    }
    saveState();
  }

  function runShared(only?: string): Promise<void> {
    // Calls during a run share it: smartctl on a busy disk is slow, and two at once help no one.
    if (!inFlight) {
      inFlight = runAll(only)
        .catch((err: unknown) => deps.log.error('monitor.smart-run-failed', { error: err as Error }))
        .finally(() => {
          inFlight = null;
        });
    }
    return inFlight;
  }

  function schedule(delay: number): void {
    if (stopped) return;
    nextRunAt = deps.clock.now() + delay;
    timer = deps.clock.setTimer(() => {
      timer = null;
      void runShared().then(() => schedule(cfg.intervalMs));
    }, delay);
  }

  function saveState(): void {
    try {
      fs.mkdirSync(path.dirname(deps.stateFile), { recursive: true, mode: 0o700 });
      const tmp = `${deps.stateFile}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(persisted), { mode: 0o600 });
      fs.renameSync(tmp, deps.stateFile);
    } catch (err) {
      deps.log.warn('monitor.smart-state-write-failed', { error: err as Error });
    }
  }

  function view(d: DiskState, includeData: boolean): SmartDisk {
    const p = d.persisted;
    const hours = (h: number) => h * 3_600_000;
    const { shortEveryHours, longEveryHours } = cfg.selfTest;
    return {
      device: d.device,
      type: d.type,
      protocol: d.protocol,
      readAt: iso(d.readAt),
      exitStatus: d.exitStatus,
      error: d.error,
      summary: d.data ? smartSummary(d.data) : null,
      ...(includeData ? { data: d.data as SmartDisk['data'] } : {}),
      history: p.history,
      selfTests: {
        inProgress: d.data ? selfTestInProgress(d.data) : null,
        log: d.data ? selfTestLog(d.data) : [],
        requests: p.requests,
        nextShortAt: shortEveryHours > 0 ? iso((p.lastShortAt ?? 0) + hours(shortEveryHours)) : null,
        nextLongAt: longEveryHours > 0 ? iso((p.lastLongAt ?? 0) + hours(longEveryHours)) : null,
      },
    };
  }

  return {
    start() {
      if (!cfg.enabled) return;
      stopped = false;
      schedule(FIRST_RUN_DELAY_MS);
    },
    stop() {
      stopped = true;
      if (timer) deps.clock.clearTimer(timer);
      timer = null;
    },
    async get({ device, refresh, includeData }) {
      if (cfg.enabled && (refresh || state === 'pending')) await runShared(refresh ? device : undefined);
      const list = [...disks.values()].filter((d) => !device || d.device === device).sort((a, b) => naturalCompare(a.device, b.device));
      return { state, message, smartctl: { path: smartctlPath, version }, lastRunAt: iso(lastRunAt), nextRunAt: iso(nextRunAt), disks: list.map((d) => view(d, includeData)) };
    },
    async selfTest(device, kind) {
      if (inFlight) await inFlight;
      if (cfg.enabled && state === 'pending') await runShared();
      // Only disks smartctl itself listed: a request never makes the agent open an arbitrary node.
      if (smartctlPath && !disks.has(device)) {
        throw new AgentError('invalid-input', 'No such disk in smartctl --scan-open; smart.v1 lists the disks', { issues: [{ path: 'device', code: 'unknown-device', message: 'not a disk smartctl lists' }] });
      }
      return runSelfTest(device, kind, false);
    },
  };
}

function loadState(file: string, log: Logger): z.infer<typeof PersistedSchema> {
  try {
    const parsed = PersistedSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    if (parsed.success) return parsed.data;
    log.warn('monitor.smart-state-invalid', { msg: 'starting SMART history afresh', file });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') log.warn('monitor.smart-state-unreadable', { error: err as Error, file });
  }
  return { version: 1, disks: {} };
}
