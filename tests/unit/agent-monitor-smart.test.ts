/**
 * SMART reading in the agent: key attributes from recorded smartctl JSON of real drives
 * (appliance/testbed/fixtures/smart), self-test logs in smartctl's JSON shapes for ATA, NVMe and SCSI, and
 * the monitor's state when smartctl is missing (one clear state, not an error loop).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogRing } from '../../agents/agent/logging/log-ring';
import { createLogger } from '../../agents/agent/logging/logger';
import { createSmartMonitor, findSmartctl, SMARTCTL_MISSING } from '../../agents/agent/monitor/smart/smart-monitor';
import { selfTestInProgress, selfTestLog, smartSummary } from '../../agents/agent/monitor/smart/smart-parse';
import { MonitorConfigSchema } from '../../agents/protocol/agent-config';
import { SmartResultSchema } from '../../agents/protocol/payloads/smart';
import { defaultFixturesDir } from '../../appliance/testbed/smart-fixtures';
import { makeTempDir } from '../helpers/temp-dir';

const fixture = (name: string) => JSON.parse(fs.readFileSync(path.join(defaultFixturesDir(), name), 'utf8')) as Record<string, unknown>;

describe('SMART summary from recorded drives', () => {
  it('SATA HDD with a reallocated sector (ST3500418AS_11)', () => {
    const s = smartSummary(fixture('ST3500418AS_11.json'));
    expect(s).toMatchObject({ reallocatedSectors: 1, passed: true, mediaErrors: null, percentageUsed: null, grownDefects: null });
    expect(s.model).toBe('ST3500418AS');
    expect(s.powerOnHours).toBeGreaterThan(0);
    expect(s.capacityBytes).toBe(500107862016);
  });

  it('NVMe with 73 % of rated endurance used (INTEL_SSDPE2KX010T8)', () => {
    const s = smartSummary(fixture('nvme-null-INTEL_SSDPE2KX010T8-nvme1.json'));
    expect(s).toMatchObject({ percentageUsed: 73, mediaErrors: 0, reallocatedSectors: null, passed: true });
    expect(s.temperatureCelsius).toBeTypeOf('number');
  });

  it('SAS drive with a grown defect list (SEAGATE_ST373453LC_26): model from vendor + product', () => {
    const s = smartSummary(fixture('SEAGATE_ST373453LC_26.json'));
    expect(s.grownDefects).toBe(260);
    expect(s.model).toContain('ST373453LC');
    expect(s.reallocatedSectors).toBeNull();
  });

  it('reads every recorded drive without throwing, and nothing unknown becomes 0', () => {
    const names = fs.readdirSync(defaultFixturesDir()).filter((f) => f.endsWith('.json'));
    expect(names.length).toBeGreaterThan(100);
    for (const name of names) {
      const data = fixture(name);
      const s = smartSummary(data);
      if (!('nvme_smart_health_information_log' in data)) expect(s.percentageUsed, name).toBeNull();
      expect(selfTestLog(data), name).toEqual([]); // none of these recordings was taken with -x
    }
  });
});

describe('SMART self-test log', () => {
  it('ATA: verdict from the status nibble; an in-progress entry is not a pass even with passed: true', () => {
    const data = {
      ata_smart_data: { self_test: { status: { value: 249, string: 'in progress, 90% remaining', remaining_percent: 90 } } },
      ata_smart_self_test_log: {
        standard: {
          table: [
            { type: { value: 1, string: 'Short offline' }, status: { value: 249, string: 'Self-test routine in progress', remaining_percent: 90, passed: true }, lifetime_hours: 16590 },
            { type: { value: 2, string: 'Extended offline' }, status: { value: 0, string: 'Completed without error', passed: true }, lifetime_hours: 16500 },
            { type: { value: 1, string: 'Short offline' }, status: { value: 0x73, string: 'Completed: read failure', passed: false }, lifetime_hours: 16000 },
            { type: { value: 1, string: 'Short offline' }, status: { value: 0x10, string: 'Aborted by host' }, lifetime_hours: 15000 },
          ],
        },
      },
    };
    expect(selfTestLog(data)).toEqual([
      { type: 'Short offline', status: 'Self-test routine in progress', passed: null, lifetimeHours: 16590 },
      { type: 'Extended offline', status: 'Completed without error', passed: true, lifetimeHours: 16500 },
      { type: 'Short offline', status: 'Completed: read failure', passed: false, lifetimeHours: 16000 },
      { type: 'Short offline', status: 'Aborted by host', passed: null, lifetimeHours: 15000 },
    ]);
    expect(selfTestInProgress(data)).toEqual({ remainingPercent: 90 });
  });

  it('NVMe and SCSI logs, and the NVMe test in progress', () => {
    const nvme = {
      nvme_self_test_log: {
        current_self_test_operation: { value: 1, string: 'Short self-test in progress' },
        current_self_test_completion_percent: 30,
        table: [
          { self_test_code: { value: 1, string: 'Short' }, self_test_result: { value: 0, string: 'Completed without error' }, power_on_hours: 18636 },
          { self_test_code: { value: 2, string: 'Extended' }, self_test_result: { value: 7, string: 'Completed: failed segments' }, power_on_hours: 18000 },
        ],
      },
    };
    expect(selfTestLog(nvme).map((e) => [e.type, e.passed, e.lifetimeHours])).toEqual([
      ['Short', true, 18636],
      ['Extended', false, 18000],
    ]);
    expect(selfTestInProgress(nvme)).toEqual({ remainingPercent: 70 });
    const scsi = { scsi_self_test_0: { code: { string: 'Background short' }, result: { value: 7, string: 'Completed, segment failed' }, power_on_time: { hours: 3943 } } };
    expect(selfTestLog(scsi)).toEqual([{ type: 'Background short', status: 'Completed, segment failed', passed: false, lifetimeHours: 3943 }]);
    expect(selfTestInProgress(scsi)).toBeNull();
  });
});

describe('SMART monitor without smartctl', () => {
  const tmp = makeTempDir('mon-smart');
  afterAll(() => tmp.cleanup());

  it('answers not-installed with the install hint, logs it once, and refuses no call', async () => {
    const ring = createLogRing({ capacity: 100, runId: 't' });
    const clock = { now: () => Date.UTC(2026, 0, 1), setTimer: () => ({ id: 0 }), clearTimer: () => undefined };
    const log = createLogger({ level: 'debug', clock, ring, file: null, redact: (t) => t });
    let ran = 0;
    const monitor = createSmartMonitor({
      config: MonitorConfigSchema.parse({}).smart,
      stateFile: path.join(tmp.dir, 'smart-state.json'),
      run: () => {
        ran += 1;
        throw new Error('no command may run without smartctl');
      },
      clock,
      log,
      findSmartctl: () => null,
    });
    const first = await monitor.get({ refresh: false, includeData: true });
    expect(SmartResultSchema.safeParse(first).success).toBe(true);
    expect(first).toMatchObject({ state: 'not-installed', message: SMARTCTL_MISSING, disks: [] });
    expect(first.message).toContain('apt install smartmontools');
    await monitor.get({ refresh: true, includeData: true });
    await monitor.get({ refresh: true, includeData: true });
    expect(ring.query({ limit: 100 }).entries.filter((e) => e.event === 'monitor.smart-unavailable')).toHaveLength(1);
    const test = await monitor.selfTest('/dev/sda', 'short');
    expect(test.request).toMatchObject({ accepted: false, message: SMARTCTL_MISSING });
    expect(ran).toBe(0);
  });

  it('finds smartctl in the usual directories, or exactly where configured', () => {
    expect(findSmartctl(undefined, (p) => p === '/usr/sbin/smartctl')).toBe('/usr/sbin/smartctl');
    expect(findSmartctl(undefined, (p) => p === '/usr/local/sbin/smartctl' || p === '/usr/sbin/smartctl')).toBe('/usr/local/sbin/smartctl');
    expect(findSmartctl('/opt/sm/smartctl', () => false)).toBeNull();
    expect(findSmartctl(undefined, () => false)).toBeNull();
  });
});

/**
 * The schedule and the state file, with smartctl answered from recorded drives (the only thing
 * doubled: SMART hardware). The clock is explicit; timers are never started (start() is not called).
 */
describe('SMART monitor with recorded drives', () => {
  const tmp = makeTempDir('mon-smart-sched');
  afterAll(() => tmp.cleanup());
  const DAY = 86_400_000;

  function setup(stateFile: string, clockAt: { t: number }, overrides: { shortEveryHours?: number; longEveryHours?: number } = {}) {
    const ring = createLogRing({ capacity: 1000, runId: 't' });
    const clock = { now: () => clockAt.t, setTimer: () => ({ id: 0 }), clearTimer: () => undefined };
    const log = createLogger({ level: 'debug', clock, ring, file: null, redact: (t) => t });
    const calls: string[][] = [];
    const drives: Record<string, string> = { '/dev/sda': 'ST3500418AS_11.json', '/dev/nvme0': 'nvme-null-INTEL_SSDPE2KX010T8-nvme1.json' };
    const run = (command: string, args: readonly string[]) => {
      calls.push([...args]);
      const ok = (json: unknown, code = 0) => Promise.resolve({ code, stdout: JSON.stringify(json), stderr: '', error: null });
      if (args.includes('-V')) return ok({ smartctl: { version: [7, 4] } });
      if (args.includes('--scan-open')) return ok({ devices: [{ name: '/dev/sda', type: 'sat', protocol: 'ATA' }, { name: '/dev/nvme0', type: 'nvme', protocol: 'NVMe' }, { name: '/dev/sdb', type: 'sat', protocol: 'ATA' }] });
      const device = args.at(-1)!;
      if (args.includes('-t')) return ok({ smartctl: { exit_status: 0, messages: [] } });
      // /dev/sdb answers like a drive smartctl cannot open: exit bit 1, a message.
      if (!drives[device]) return ok({ smartctl: { messages: [{ string: `Smartctl open device: ${device} failed: No such device`, severity: 'error' }], exit_status: 2 } }, 2);
      return ok(fixture(drives[device]));
    };
    const config = MonitorConfigSchema.parse({ smart: { selfTest: overrides } }).smart;
    const monitor = createSmartMonitor({ config, stateFile, run, clock, log, findSmartctl: () => '/usr/sbin/smartctl' });
    return { monitor, calls, ring };
  }

  it('reads every disk, reports one that cannot be opened, and starts short then long tests when due', async () => {
    const at = { t: Date.UTC(2026, 0, 1) };
    const stateFile = path.join(tmp.dir, 'a.json');
    const { monitor, calls } = setup(stateFile, at);
    const first = await monitor.get({ refresh: true, includeData: false });
    expect(SmartResultSchema.safeParse(first).success).toBe(true);
    expect(first).toMatchObject({ state: 'ok', smartctl: { path: '/usr/sbin/smartctl', version: '7.4' } });
    expect(first.disks.map((d) => [d.device, d.error === null, d.summary?.reallocatedSectors ?? d.summary?.percentageUsed ?? null])).toEqual([
      ['/dev/nvme0', true, 73],
      ['/dev/sda', true, 1],
      ['/dev/sdb', false, null],
    ]);
    expect(first.disks[2]!.error).toContain('No such device');
    expect(calls.find((c) => c.includes('/dev/sda'))).toEqual(['-j', '-x', '-d', 'sat', '/dev/sda']);
    // Nothing is due on the day the disks are first seen.
    expect(calls.filter((c) => c.includes('-t'))).toEqual([]);
    expect(first.disks[1]!.selfTests.nextShortAt).toBe(new Date(at.t + 7 * DAY).toISOString());

    at.t += 7 * DAY;
    await monitor.get({ refresh: true, includeData: false });
    expect(calls.filter((c) => c.includes('-t'))).toEqual([
      ['-j', '-t', 'short', '-d', 'sat', '/dev/sda'],
      ['-j', '-t', 'short', '-d', 'nvme', '/dev/nvme0'],
    ]);
    at.t += 23 * DAY;
    const month = await monitor.get({ refresh: true, includeData: false });
    expect(calls.filter((c) => c.includes('-t')).slice(2).map((c) => c[2])).toEqual(['long', 'long']);
    const sda = month.disks.find((d) => d.device === '/dev/sda')!;
    expect(sda.selfTests.requests.map((r) => [r.kind, r.scheduled, r.accepted])).toEqual([
      ['long', true, true],
      ['short', true, true],
    ]);
    expect(sda.history.map((h) => h.reallocatedSectors)).toEqual([1, 1, 1]);
  });

  it('keeps history and the schedule across a restart (state file), and honours kinds switched off', async () => {
    const at = { t: Date.UTC(2026, 0, 1) };
    const stateFile = path.join(tmp.dir, 'b.json');
    await setup(stateFile, at).monitor.get({ refresh: true, includeData: false });
    at.t += 40 * DAY;
    const again = setup(stateFile, at, { longEveryHours: 0 });
    const r = await again.monitor.get({ refresh: true, includeData: true });
    const sda = r.disks.find((d) => d.device === '/dev/sda')!;
    expect(sda.history).toHaveLength(2);
    expect(sda.data?.model_name).toBe('ST3500418AS');
    expect(sda.selfTests.nextLongAt).toBeNull();
    expect(again.calls.filter((c) => c.includes('-t')).map((c) => c[2])).toEqual(['short', 'short']);
  });

  it('starts a test on demand only on a disk smartctl listed', async () => {
    const at = { t: Date.UTC(2026, 0, 1) };
    const { monitor, calls } = setup(path.join(tmp.dir, 'c.json'), at);
    const r = await monitor.selfTest('/dev/sda', 'long');
    expect(r).toMatchObject({ device: '/dev/sda', exitStatus: 0, request: { kind: 'long', scheduled: false, accepted: true } });
    await expect(monitor.selfTest('/dev/sdq', 'short')).rejects.toMatchObject({ code: 'invalid-input' });
    expect(calls.filter((c) => c.includes('/dev/sdq'))).toEqual([]);
  });
});
