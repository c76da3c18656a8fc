/**
 * Diagnose (issue 10 §1) against a provisioned testbed machine and the testbed's real faults: a
 * healthy machine yields no warning; a full disk, a file system remounted read-only, clock skew,
 * the agent killed, a failed disk and the network down each yield their finding (with evidence and
 * a remedy in both languages); each run says what is new, unchanged and resolved since the
 * previous one; the CLI exits by the worst severity. Nothing here changes the machine but the
 * faults themselves.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { netnsUnsupportedReason } from '../../appliance/testbed/preflight';
import type { MachineState } from '../../appliance/testbed/state';
import { createTestbed } from '../../appliance/testbed/testbed';
import type { CliIo } from '../../main/cli/cli-io';
import { EXIT } from '../../main/cli/exit-codes';
import { runCli } from '../../main/cli/run-cli';
import { createConsole, type ConsoleServices } from '../../main/compose';
import type { DiagnoseRun } from '../../main/contract/diagnose.contract';
import { FINDING_TEXTS, findingText } from '../../main/contract/diagnose-findings';
import { systemClock } from '../../main/core/clock';
import { silentLogger } from '../../main/core/log';
import { createKeyFileSecretBox } from '../../main/secrets/key-file-secret-box';
import { CTX } from '../helpers/console-fixture';
import { runOnMachine } from '../helpers/machine-shell';
import { testProvisionResources } from '../helpers/provision-resources';
import { makeTempDir } from '../helpers/temp-dir';
import { testbedPrefix } from '../helpers/testbed-prefix';

const skip = netnsUnsupportedReason();
if (skip) console.warn(`[skip] diagnose testbed test skipped: ${skip} (needs root and network namespaces)`);

describe.skipIf(skip !== undefined)('diagnose on a testbed machine', () => {
  const tb = createTestbed({ prefix: testbedPrefix('dg') });
  const work = makeTempDir('diagnose');
  const dataDir = path.join(work.dir, 'data');
  let c: ConsoleServices;
  let m: MachineState;
  /** Registered, never provisioned: diagnose needs no agent. */
  let bare: MachineState;
  let id = '';
  let bareId = '';

  async function call<T>(method: string, input: unknown): Promise<T> {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw Object.assign(new Error(`${method}: ${r.error.message}`), { body: r.error });
    return r.result as T;
  }
  const diagnose = () => call<DiagnoseRun>('diagnose.run', { applianceId: id });
  const codes = (run: DiagnoseRun) => run.findings.map((f) => `${f.code}${f.subject ? `@${f.subject}` : ''}:${f.change}`);
  const finding = (run: DiagnoseRun, code: string) => run.findings.find((f) => f.code === code);
  const serious = (run: DiagnoseRun) => run.findings.filter((f) => f.severity !== 'info');

  beforeAll(async () => {
    await tb.down();
    // The testbed's drives replay real recordings: the first machine's two are clean; of the second
    // machine's, one reports 24 interface CRC errors (a cable fault): a SMART warning.
    const machines = (await tb.up({ appliances: 2, disks: 2, diskSize: '256M' })).machines;
    m = machines[0]!;
    bare = machines[1]!;
    c = createConsole({ host: 'serve', dataDir, secretBox: createKeyFileSecretBox, clock: systemClock, log: silentLogger, provisionResources: testProvisionResources(work.dir), watchIntervalMs: 60_000 });
    id = (await call<{ id: string }>('fleet.add', { name: 'dg-1', address: m.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(m.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id, fingerprint: m.hostKey.fingerprint });
    const run = await call<{ status: string; error: string | null }>('provision.install', { id });
    if (run.status !== 'succeeded') throw new Error(`provisioning failed: ${run.error}`);
    await c.watch.check(id); // the agent's inventory: where the data disks are mounted
    bareId = (await call<{ id: string }>('fleet.add', { name: 'dg-bare', address: bare.address, auth: { kind: 'private-key', privateKey: fs.readFileSync(bare.rootKeyPath, 'utf8') } })).id;
    await call('onboarding.acceptHostKey', { id: bareId, fingerprint: bare.hostKey.fingerprint });
  }, 300_000);

  afterAll(async () => {
    await c?.close();
    await tb.down();
    work.cleanup();
  });

  it('finds nothing worth a warning on a healthy machine, and says which checks ran', async () => {
    const run = await diagnose();
    expect(run.outcome).toBe('completed');
    expect(serious(run), JSON.stringify(run.findings, null, 2)).toEqual([]);
    expect(run.checks.map((c) => c.outcome).filter((o) => o !== 'passed' && o !== 'findings')).toEqual([]);
    expect(run.checks.length).toBeGreaterThanOrEqual(9);
  }, 60_000);

  it('a full disk, then a skewed clock: each found with evidence, new then unchanged, and resolved once undone', async () => {
    const d0 = m.disks[0]!;
    await tb.fault(m.name, 'disk-full', d0.name);
    const full = await diagnose();
    const fs0 = finding(full, 'disk.fs-full')!;
    expect(fs0).toMatchObject({ severity: 'critical', subject: d0.mount, change: 'new', params: { mount: d0.mount, usedPercent: 100 } });
    expect(fs0.evidence.command).toMatch(/^df /);
    expect(fs0.evidence.output).toContain(d0.mount);
    expect(full.worst).toBe('critical');

    await tb.fault(m.name, 'clock-skew', '+3600');
    const skewed = await diagnose();
    expect(finding(skewed, 'time.skew-ahead')).toMatchObject({ severity: 'critical', change: 'new' });
    expect(Number(finding(skewed, 'time.skew-ahead')!.params.seconds)).toBeGreaterThanOrEqual(3590);
    expect(finding(skewed, 'disk.fs-full')!.change).toBe('unchanged');
    expect(skewed.previousRunId).toBe(full.id);

    await tb.fault(m.name, 'clock-skew', '0');
    await tb.fault(m.name, 'disk-restore', d0.name);
    const back = await diagnose();
    expect(serious(back)).toEqual([]);
    expect(back.resolved.map((f) => f.code).sort()).toEqual(['disk.fs-full', 'time.skew-ahead']);
  }, 120_000);

  it('a file system remounted read-only', async () => {
    const d1 = m.disks[1]!;
    await tb.fault(m.name, 'fs-readonly', d1.name);
    try {
      const run = await diagnose();
      expect(finding(run, 'disk.fs-readonly')).toMatchObject({ severity: 'critical', subject: d1.mount });
    } finally {
      await tb.fault(m.name, 'disk-restore', d1.name);
    }
  }, 60_000);

  it('the agent killed: not running, said with its log', async () => {
    await tb.fault(m.name, 'agent-kill');
    const run = await diagnose(); // at once: its watchdog starts it again within a minute
    expect(codes(run)).toContain('agent.not-running:new');
    expect(finding(run, 'agent.not-running')!.severity).toBe('critical');
  }, 60_000);

  it('a failed disk: kernel I/O errors on its device', async () => {
    const d0 = m.disks[0]!;
    await tb.fault(m.name, 'disk-fail', d0.name);
    try {
      // Reads of the disk hit the failing device: the kernel logs them.
      await runOnMachine(m, `dd if=${d0.device} of=/dev/null bs=4096 count=16 iflag=direct 2>/dev/null; touch ${d0.mount}/probe 2>/dev/null; sync -f ${d0.mount} 2>/dev/null; true`).catch(() => undefined);
      const run = await diagnose();
      const io = finding(run, 'kernel.io-errors');
      expect(io, JSON.stringify(run.findings, null, 2)).toMatchObject({ severity: 'critical' });
      expect(Number(io!.params.count)).toBeGreaterThan(0);
      expect(io!.evidence.output).toMatch(/I\/O error|error/i);
    } finally {
      await tb.fault(m.name, 'disk-restore', d0.name);
    }
  }, 120_000);

  it('the network down: unreachable, critical, and the CLI exits by the worst severity in Chinese too', async () => {
    await tb.fault(m.name, 'net-down');
    try {
      const run = await diagnose();
      expect(run.outcome).toBe('unreachable');
      expect(finding(run, 'reach.unreachable')).toMatchObject({ severity: 'critical', params: { address: m.address } });
      // An unreachable run saw nothing: it resolves nothing.
      expect(run.resolved).toEqual([]);
      const out: string[] = [];
      const io = { out: (s: string) => out.push(s), err: () => undefined, env: { ...process.env, APPLIANCE_CONSOLE_DATA_DIR: dataDir }, readStdin: async () => '' } as unknown as CliIo;
      const code = await runCli(['diagnose', 'dg-1', '--lang', 'zh-CN', '--data-dir', dataDir], { io, defaultUiDir: '', appRoot: process.cwd(), untilStopped: async () => undefined });
      expect(code).toBe(EXIT.diagnoseCritical);
      expect(out.join('\n')).toContain(FINDING_TEXTS['reach.unreachable']!['zh-CN'].title);
    } finally {
      await tb.fault(m.name, 'net-up');
    }
  }, 120_000);

  it('a machine with no agent: says so, and still reads its disks’ SMART (the cable fault found, with what to do)', async () => {
    const run = await call<DiagnoseRun>('diagnose.run', { applianceId: bareId });
    expect(run.outcome).toBe('completed');
    expect(finding(run, 'agent.not-installed')).toMatchObject({ severity: 'warning' });
    const smart = run.findings.filter((f) => f.code.startsWith('smart.'));
    expect(smart, JSON.stringify(run.findings, null, 2)).toHaveLength(1);
    expect(smart[0]).toMatchObject({ code: 'smart.warning', severity: 'warning', params: { reasons: 'crc-errors' } });
    expect(bare.disks.map((d) => d.device)).toContain(smart[0]!.subject);
    expect(smart[0]!.evidence.command).toMatch(/^smartctl --json -x/);
    expect(findingText('smart.warning', smart[0]!.params, 'zh-CN').meaning).toContain('CRC');
  }, 60_000);

  it('every code a check raises has its texts in both languages', () => {
    for (const [code, texts] of Object.entries(FINDING_TEXTS)) {
      for (const locale of ['en', 'zh-CN'] as const) {
        const t = findingText(code, {}, locale);
        expect(t.title, `${code} ${locale}`).not.toBe('');
        expect(t.remedy, `${code} ${locale}`).not.toBe('');
        expect(texts[locale]).toBeDefined();
      }
    }
  });
});
