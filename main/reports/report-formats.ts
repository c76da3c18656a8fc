import { stringify } from 'csv-stringify/sync';
import ExcelJS from 'exceljs';
import type { ReportLocale, ReportTable } from './report-tables';

/**
 * A report table as a file: CSV (csv-stringify; UTF-8 with a byte-order mark so Excel opens
 * Chinese correctly; dates ISO 8601 UTC) or XLSX (exceljs: typed cells — numbers as numbers, dates
 * as dates —, units in the headers, the header row frozen and filtered). No format by hand.
 */

const BOM = '\uFEFF';

export function reportCsv(table: ReportTable, locale: ReportLocale): Buffer {
  const header = table.columns.map((c) => c.header[locale]);
  const rows = table.rows.map((r) =>
    table.columns.map((c) => {
      const v = r[c.key];
      if (v === null || v === undefined) return '';
      return v instanceof Date ? v.toISOString() : v;
    }),
  );
  return Buffer.from(BOM + stringify([header, ...rows], { record_delimiter: 'windows' }), 'utf8');
}

export async function reportXlsx(table: ReportTable, locale: ReportLocale, meta: { generatedAt: Date; consoleName: string }): Promise<Buffer> {
  const book = new ExcelJS.Workbook();
  book.creator = meta.consoleName;
  book.created = meta.generatedAt;
  const sheet = book.addWorksheet(table.title[locale].slice(0, 31), { views: [{ state: 'frozen', ySplit: 1 }] });
  sheet.columns = table.columns.map((c) => ({ header: c.header[locale], key: c.key, width: Math.max(12, c.header[locale].length + 4), ...(c.type === 'date' ? { style: { numFmt: 'yyyy-mm-dd hh:mm:ss' } } : {}) }));
  for (const r of table.rows) sheet.addRow(Object.fromEntries(table.columns.map((c) => [c.key, r[c.key] ?? null])));
  sheet.getRow(1).font = { bold: true };
  sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: 1, column: table.columns.length } };
  return Buffer.from(await book.xlsx.writeBuffer());
}
