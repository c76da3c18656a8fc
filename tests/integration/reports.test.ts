/**
 * Reports (issue 10 §4) from a real console database: an alert that fired and resolved, the audit
 * rows of the changes made, as CSV (UTF-8 with BOM, Chinese headers) and XLSX (read back with
 * exceljs: typed cells, units in headers, a frozen header row), and from the CLI.
 */
import fs from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CliIo } from '../../main/cli/cli-io';
import { EXIT } from '../../main/cli/exit-codes';
import { runCli } from '../../main/cli/run-cli';
import { reportCsv, reportXlsx } from '../../main/reports/report-formats';
import { buildReportTable } from '../../main/reports/report-tables';
import { CTX, makeConsole } from '../helpers/console-fixture';

describe('reports from the console’s history', () => {
  let c: ReturnType<typeof makeConsole>;
  let id = '';
  const readApi = async (method: string, input: Record<string, unknown>) => {
    const r = await c.dispatcher.call(method as never, input as never, CTX);
    if (!r.ok) throw new Error(r.error.message);
    return r.result;
  };
  const from = Date.parse('2026-03-01T00:00:00Z');
  const to = Date.parse('2026-03-01T23:59:59Z');

  beforeAll(async () => {
    c = makeConsole('reports');
    const added = await c.dispatcher.call('fleet.add', { name: 'edge-1', address: '10.0.0.5' }, CTX);
    if (!added.ok) throw new Error(added.error.message);
    id = (added.result as { id: string }).id;
    const observe = (pct: number) =>
      c.alerts.observe([{ applianceId: id, name: 'edge-1', at: c.clock.now().getTime(), connectivity: { state: 'online', since: 0, reason: null }, agent: { health: 'ok', services: [] }, metrics: { 'fs.used_percent{mount=/srv/disks/d1}': pct }, disks: [] }]);
    observe(97);
    c.clock.advance(60_000);
    observe(97);
    c.clock.advance(60_000);
    observe(50);
  });
  afterAll(() => c?.cleanup());

  it('lists the alert that fired and resolved, with its duration, as CSV with a BOM and Chinese headers', async () => {
    const table = await buildReportTable(readApi, { kind: 'alerts', fromMs: from, toMs: to, applianceIds: [id] });
    expect(table.rows).toEqual([expect.objectContaining({ appliance: 'edge-1', rule: 'filesystem-full', severity: 'critical', state: 'resolved', durationMin: 2, unit: 'percent' })]);
    expect(table.rows[0]!.started).toBeInstanceOf(Date);
    const csv = reportCsv(table, 'zh-CN').toString('utf8');
    expect(csv.startsWith('\uFEFF设备,规则,')).toBe(true);
    expect(csv).toContain('持续时间（分钟）');
    const lines = csv.trimEnd().split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toMatch(/^edge-1,filesystem-full,\/srv\/disks\/d1,critical,resolved,2026-03-01T08:00:00\.000Z,/);
    // Nothing the day before.
    expect((await buildReportTable(readApi, { kind: 'alerts', fromMs: from - 86_400_000, toMs: from - 1, applianceIds: [] })).rows).toEqual([]);
  });

  it('writes XLSX with typed cells, units in the headers and a frozen header row', async () => {
    const table = await buildReportTable(readApi, { kind: 'alerts', fromMs: from, toMs: to, applianceIds: [] });
    const book = new ExcelJS.Workbook();
    const xlsx = await reportXlsx(table, 'en', { generatedAt: new Date(), consoleName: 'test' });
    await book.xlsx.load(xlsx.buffer.slice(xlsx.byteOffset, xlsx.byteOffset + xlsx.byteLength) as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    const headers = (sheet.getRow(1).values as unknown[]).slice(1);
    expect(headers).toContain('Duration (min)');
    expect(headers).toContain('Started');
    const row = sheet.getRow(2);
    const started = row.getCell(headers.indexOf('Started') + 1).value;
    expect(started).toBeInstanceOf(Date);
    expect((started as Date).toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect(row.getCell(headers.indexOf('Duration (min)') + 1).value).toBe(2);
  });

  it('reports the audit rows of an appliance, and makes a file from the CLI', async () => {
    const audit = await buildReportTable(readApi, { kind: 'audit', fromMs: from, toMs: to, applianceIds: [id] });
    expect(audit.rows.map((r) => r.method)).toEqual(['fleet.add', 'alert.firing', 'alert.resolved']); // oldest first
    expect(audit.rows[0]).toMatchObject({ appliance: 'edge-1', result: 'ok' });
    const dataDir = c.dataDir;
    await c.close(); // the CLI opens the same data directory
    const out = path.join(dataDir, 'alerts.xlsx');
    const said: string[] = [];
    const io = { out: (s: string) => said.push(s), err: (s: string) => said.push(s), env: { ...process.env }, readStdin: async () => '' } as unknown as CliIo;
    const code = await runCli(['report', 'alerts', '--from', '2026-03-01', '--to', '2026-03-01', '--format', 'xlsx', '--out', out, '--data-dir', dataDir], { io, defaultUiDir: '', appRoot: process.cwd(), untilStopped: async () => undefined });
    expect(code, said.join('\n')).toBe(EXIT.ok);
    expect(said.join('\n')).toMatch(/Alerts and incidents, 1 rows/);
    expect(fs.readFileSync(out).subarray(0, 2).toString()).toBe('PK'); // a zip: XLSX
    expect(await runCli(['report', 'nothing', '--from', 'x'], { io, defaultUiDir: '', appRoot: process.cwd(), untilStopped: async () => undefined })).toBe(EXIT.usage);
  });
});
