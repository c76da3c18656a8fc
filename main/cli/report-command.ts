import fs from 'node:fs';
import { parseArgs } from 'node:util';
import type { ConsoleServices } from '../compose';
import { reportCsv, reportXlsx } from '../reports/report-formats';
import { buildReportTable, REPORT_KINDS, type ReportKind } from '../reports/report-tables';
import { UsageError, type CliIo } from './cli-io';
import { caller, findAppliance, listAppliances } from './cli-calls';
import { EXIT, EXIT_CODES_HELP } from './exit-codes';

export const REPORT_HELP = `Usage: appliance-console report <kind> --from DATE --to DATE [--appliance NAME …]
                                --format csv|xlsx --out FILE [--lang en|zh-CN] [--data-dir DIR]

Kinds: ${REPORT_KINDS.join(', ')}.
  alerts       alerts and incidents that overlap the range, with durations
  audit        the audit log in the range (for the appliances named, their rows only)
  disk-health  every disk's SMART verdict, temperature, hours, wear and reasons (as judged now)

Dates: 2026-11-01 or an ISO time (UTC). CSV is UTF-8 with a byte-order mark (Excel opens Chinese
right); XLSX has typed cells, units in the headers and a frozen header row.

${EXIT_CODES_HELP}`;

function parseDate(text: string, flag: string, endOfDay: boolean): number {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const ms = Date.parse(day ? `${text}T${endOfDay ? '23:59:59.999' : '00:00:00.000'}Z` : text);
  if (!Number.isFinite(ms)) throw new UsageError(`${flag} takes a date like 2026-11-01 or an ISO time, not "${text}"`);
  return ms;
}

export async function runReportCommand(argv: string[], io: CliIo, open: (dataDir?: string) => ConsoleServices): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      appliance: { type: 'string', multiple: true },
      format: { type: 'string' },
      out: { type: 'string' },
      lang: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    io.out(REPORT_HELP);
    return EXIT.ok;
  }
  const kind = positionals[0];
  if (!kind || !(REPORT_KINDS as readonly string[]).includes(kind)) throw new UsageError(`name a report kind: ${REPORT_KINDS.join(', ')}`);
  if (!values.from || !values.to) throw new UsageError('a report needs --from and --to');
  if (values.format !== 'csv' && values.format !== 'xlsx') throw new UsageError('--format takes csv or xlsx');
  if (!values.out) throw new UsageError('a report needs --out FILE');
  const lang = values.lang ?? ((io.env.LANG ?? '').startsWith('zh') ? 'zh-CN' : 'en');
  if (lang !== 'en' && lang !== 'zh-CN') throw new UsageError(`--lang takes en or zh-CN, not "${lang}"`);
  const fromMs = parseDate(values.from, '--from', false);
  const toMs = parseDate(values.to, '--to', true);
  if (toMs < fromMs) throw new UsageError('--to is before --from');
  const services = open(values['data-dir']);
  try {
    const call = caller(services);
    const all = await listAppliances(call);
    const applianceIds = (values.appliance ?? []).map((ref) => findAppliance(all, ref).id);
    const table = await buildReportTable((method, input) => call(method as never, input), { kind: kind as ReportKind, fromMs, toMs, applianceIds });
    const body = values.format === 'csv' ? reportCsv(table, lang) : await reportXlsx(table, lang, { generatedAt: new Date(), consoleName: 'Appliance Console' });
    fs.writeFileSync(values.out, body);
    io.out(`${values.out}: ${table.title[lang]}, ${table.rows.length} rows (${new Date(fromMs).toISOString()} – ${new Date(toMs).toISOString()})`);
    return EXIT.ok;
  } finally {
    await services.close();
  }
}
