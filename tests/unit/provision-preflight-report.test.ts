import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { preflightResult } from '../../main/contract/provision.contract';
import { preflightReport, type PreflightRow } from '../../main/provision/preflight-report';
import { SERVICE_PORTS } from '../../main/provision/service-ports';
import { installLimits } from '../../main/provision/steps/preflight';
import { parsePreflight, type PreflightFacts } from '../../main/provision/steps/preflight-facts';
import { en } from '../../renderer/src/i18n/en';
import { zhCN } from '../../renderer/src/i18n/zh-CN';

const FIXTURES = path.join(__dirname, '../fixtures/preflight');
const MiB = 1024 * 1024;

/** A captured output, read with the console's clock at the machine's own `now` plus `skew`. */
function facts(file: string, skewSeconds = 0): PreflightFacts {
  const out = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
  const now = Number(/^now=(\d+)/m.exec(out)?.[1]) * 1000;
  return parsePreflight(out, now - skewSeconds * 1000);
}

const byId = (rows: PreflightRow[]) => new Map(rows.map((r) => [r.id, r]));
const statuses = (rows: PreflightRow[]) => Object.fromEntries(rows.filter((r) => r.status !== 'ok').map((r) => [r.id, r.status]));

describe('preflight report over captured outputs', () => {
  it('the CI host (Debian 12 VM): system disk on /, no data disk and no smartctl are warnings, nothing fails', () => {
    const f = facts('debian12-vm-host.txt');
    expect(f.disks.map((d) => [d.name, d.system, d.mounts])).toEqual([['vda', true, ['/', '/run/netns']]]);
    const rows = preflightReport(f, installLimits(300 * MiB, 'server'));
    expect(statuses(rows)).toEqual({ 'tool:smartctl': 'warning', 'data-disks': 'warning' });
    const r = byId(rows);
    expect(r.get('os')).toMatchObject({ value: 'Debian GNU/Linux 12 (bookworm)', status: 'ok' });
    expect(r.get('arch')).toMatchObject({ value: 'x86_64', status: 'ok' });
    expect(r.get('memory')).toMatchObject({ value: 24684092 * 1024, unit: 'bytes', status: 'ok' });
    expect(r.get('disk:vda')).toMatchObject({ label: 'preflight.row.systemDisk', value: 536870912 * 512, detail: { text: 'mounted at /, /run/netns' } });
    expect(r.get('tool:smartctl')?.remedy).toEqual({
      key: 'preflight.remedy.tool.smartctl',
      params: { command: 'apt-get install smartmontools' },
      text: 'smartctl is missing: the services that need it will not work until you install smartmontools (apt-get install smartmontools)',
    });
    expect(r.get('tool:ffmpeg')).toMatchObject({ value: '/usr/bin/ffmpeg', status: 'ok' });
    // Port 2024 (0x07E8) is listening here, but it is none of ours.
    expect(f.listeningPorts).toEqual([2024]);
    expect(rows.filter((x) => x.id.startsWith('port:')).every((x) => x.status === 'ok')).toBe(true);
    // A smart box stores nothing: no data disk is fine there.
    expect(statuses(preflightReport(f, installLimits(300 * MiB, 'smartbox')))).toEqual({ 'tool:smartctl': 'warning' });
  });

  it('a testbed machine: its mounted loop disks are data disks, loops it does not mount are left out, the SMART double counts', () => {
    const f = facts('testbed-machine-root.txt');
    expect(f.disks.map((d) => [d.name, d.type, d.system, d.mounts])).toEqual([
      ['loop0', 'loop', false, ['/srv/disks/d2']],
      ['loop1', 'loop', false, ['/srv/disks/d1']],
      ['vda', 'disk', false, []],
    ]);
    const rows = preflightReport(f, installLimits(300 * MiB, 'server'));
    expect(statuses(rows)).toEqual({});
    const r = byId(rows);
    expect(r.get('data-disks')).toMatchObject({ value: 3, status: 'ok' });
    expect(r.get('disk:loop1')?.detail?.text).toBe('mounted at /srv/disks/d1');
    expect(r.get('disk:vda')?.detail?.text).toBe('not mounted, not in use');
    expect(r.get('tool:smartctl')?.value).toBe('/usr/local/sbin/smartctl');
    expect(r.get('init')).toMatchObject({ value: 'none', status: 'ok', detail: { key: 'preflight.detail.initWatchdog' } });
    expect(r.get('clock')).toMatchObject({ value: 0, unit: 'seconds', status: 'ok' });
  });

  it('a storage server: LVM, RAID members, swap, a USB stick and a port taken by nginx', () => {
    const f = facts('bare-metal-lvm.txt');
    const disks = Object.fromEntries(f.disks.map((d) => [d.name, d]));
    expect(Object.keys(disks)).toEqual(['nvme0n1', 'sda', 'sdb', 'sdc', 'sdd', 'sde']);
    expect(disks.nvme0n1).toMatchObject({ system: true, mounts: ['/boot/efi'], holders: ['dm-0', 'dm-1'], partitions: ['nvme0n1p1', 'nvme0n1p2'] });
    expect(disks.sdb?.mounts).toEqual(['/srv/disks/my disk']);
    expect(disks.sdc).toMatchObject({ mounts: [], holders: ['md0'] });
    expect(disks.sde?.removable).toBe(true);
    expect(f.listeningPorts).toEqual([22, 80, 9091]);
    const rows = preflightReport(f, installLimits(300 * MiB, 'server'));
    expect(statuses(rows)).toEqual({ 'tool:ffmpeg': 'warning', 'port:cdn-http': 'warning' });
    const r = byId(rows);
    expect(r.get('data-disks')).toMatchObject({ value: 4, status: 'ok' });
    expect(r.get('disk:sdc')?.detail?.text).toBe('in use by md0 (LVM or RAID)');
    expect(r.get('port:cdn-http')).toMatchObject({ label: 'preflight.port.cdn-http', value: 80, detail: { text: 'in use' } });
    expect(r.get('port:cdn-http')?.remedy?.text).toMatch(/port 80 is already in use, so CDN cache \(HTTP\) cannot start there: .*ss -ltnp 'sport = :80'/);
    expect(r.get('tool:ffmpeg')?.remedy?.params).toEqual({ command: 'apt-get install ffmpeg' });
  });

  it('clock skew: a warning past 30 s, a failure past 300 s, in either direction', () => {
    const clock = (skew: number) => byId(preflightReport(facts('testbed-machine-root.txt', skew), installLimits(0, 'server'))).get('clock');
    expect(clock(20)?.status).toBe('ok');
    expect(clock(-45)).toMatchObject({ value: -45, status: 'warning', remedy: { key: 'preflight.remedy.clockDrift' } });
    expect(clock(3600)).toMatchObject({ status: 'fail', remedy: { text: expect.stringMatching(/ahead of the console by 3600 s/) } });
  });

  it('a sudo that refuses, no init and no cron, few CPUs and little memory', () => {
    const f = facts('testbed-machine-root.txt');
    f.privilege = { mode: 'sudo', error: 'sudo refused the password for operator: check the sudo password stored for this appliance' };
    f.cronDir = false;
    f.cpus = 1;
    f.memoryBytes = 1024 * MiB;
    f.osId = 'rocky';
    const rows = preflightReport(f, installLimits(0, 'server'));
    expect(statuses(rows)).toEqual({ sudo: 'fail', init: 'warning', cpu: 'warning', memory: 'warning' });
    expect(byId(rows).get('init')?.remedy?.params).toEqual({ command: 'dnf install cron' });
  });

  it('every key a report can use exists in both dictionaries, and a report fits the contract', () => {
    const variants: PreflightFacts[] = [];
    for (const file of ['debian12-vm-host.txt', 'testbed-machine-root.txt', 'bare-metal-lvm.txt']) {
      const ok = facts(file);
      const bad = facts(file, 4000);
      Object.assign(bad, { target: null, kernel: '3.10.0', glibcVersion: null, cronDir: false, init: 'none', cpus: 1, memoryBytes: 100 * MiB, missingTools: ['flock'], privilege: { mode: 'sudo', error: 'no' } });
      bad.freeBytes = {};
      bad.serviceTools = { ffmpeg: null, smartctl: null };
      bad.listeningPorts = SERVICE_PORTS.map((p) => p.port);
      const old = facts(file, 60);
      old.glibcVersion = '2.17';
      old.memoryBytes = 1000 * MiB;
      variants.push(ok, bad, old);
    }
    const keys = new Set<string>();
    for (const f of variants) {
      const rows = preflightReport(f, installLimits(300 * MiB, 'server'));
      expect(preflightResult.safeParse({ ok: true, checkedAt: '2026-03-01T12:00:00.000Z', rows, facts: null, failure: null }).success).toBe(true);
      for (const r of rows) for (const k of [r.label, r.detail?.key, r.remedy?.key]) if (k) keys.add(k);
    }
    expect(keys.size).toBeGreaterThan(30);
    const missing = [...keys].filter((k) => !(k in en) || !(k in zhCN));
    expect(missing).toEqual([]);
  });
});
