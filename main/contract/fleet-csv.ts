/**
 * Appliances from CSV (a pasted block or a file): one per line, a header row naming the columns.
 * Columns: name, address (required); port, user, role, tags (separated by ; or spaces), notes.
 * Secrets never travel in a CSV file: a batch-wide login is chosen separately. Pure, so the CLI,
 * the UI's preview and the tests parse alike.
 */
export const CSV_COLUMNS = ['name', 'address', 'port', 'user', 'role', 'tags', 'notes'] as const;
export type CsvColumn = (typeof CSV_COLUMNS)[number];

export interface CsvRow {
  /** 1-based line number in the input, for messages. */
  line: number;
  values: Record<string, unknown>;
}

export interface CsvParseResult {
  rows: CsvRow[];
  /** Problems with the file itself (not with a row's values, which the contract checks). */
  problems: { line: number; code: 'unknown-column' | 'missing-column' | 'unterminated-quote' | 'too-many-fields'; detail: string }[];
}

/** RFC 4180 fields: commas, "quoted, fields", doubled "" quotes, CRLF or LF line ends. */
function splitRecords(text: string): { fields: string[]; line: number; error?: 'unterminated-quote' }[] {
  const records: { fields: string[]; line: number; error?: 'unterminated-quote' }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field === '') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      records.push({ fields, line: recordLine });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  if (quoted) records.push({ fields: [...fields, field], line: recordLine, error: 'unterminated-quote' });
  else if (field !== '' || fields.length > 0) records.push({ fields: [...fields, field], line: recordLine });
  return records.filter((r) => r.error || r.fields.some((f) => f.trim() !== ''));
}

export function parseApplianceCsv(text: string): CsvParseResult {
  const records = splitRecords(text.replace(/^\uFEFF/, '')); // a BOM from spreadsheet exports
  const problems: CsvParseResult['problems'] = [];
  const header = records.shift();
  if (!header) return { rows: [], problems: [{ line: 1, code: 'missing-column', detail: 'name, address' }] };
  const columns = header.fields.map((h) => h.trim().toLowerCase());
  for (const c of columns) if (!(CSV_COLUMNS as readonly string[]).includes(c)) problems.push({ line: header.line, code: 'unknown-column', detail: c });
  for (const required of ['name', 'address']) if (!columns.includes(required)) problems.push({ line: header.line, code: 'missing-column', detail: required });
  const rows: CsvRow[] = [];
  for (const r of records) {
    if (r.error) {
      problems.push({ line: r.line, code: 'unterminated-quote', detail: '' });
      continue;
    }
    if (r.fields.length > columns.length) problems.push({ line: r.line, code: 'too-many-fields', detail: String(r.fields.length) });
    const values: Record<string, unknown> = {};
    columns.forEach((c, i) => {
      const raw = (r.fields[i] ?? '').trim();
      if (raw === '') return; // empty cell: the contract's default applies
      if (c === 'port') values.port = /^\d+$/.test(raw) ? Number(raw) : raw; // "abc" stays text so the contract names it
      else if (c === 'tags') values.tags = raw.split(/[;\s]+/).filter(Boolean);
      else values[c] = raw;
    });
    rows.push({ line: r.line, values });
  }
  return { rows, problems };
}
