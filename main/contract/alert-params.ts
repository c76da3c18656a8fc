/**
 * Reason codes inside an alert's flat `params` (alerts.contract.ts keeps params a flat record of
 * strings and numbers, as the alert store saves them). A coded text sits under a prefix: its code at
 * `<prefix>.code`, each of its params at `<prefix>.<name>`; a list numbers its entries
 * (`reasons.0.code`, `reasons.1.code`, …). The English text stays beside it under the prefix
 * itself (`reason`, `reasons`) for the CLI, logs and alerts stored before codes existed.
 * main/alerts writes these; the renderer reads them and words each code from its dictionaries.
 */
export type AlertParams = Record<string, string | number>;
export interface CodedText {
  code: string;
  params: AlertParams;
}

export function flattenCoded(prefix: string, text: CodedText | null): AlertParams {
  if (!text) return {};
  const out: AlertParams = { [`${prefix}.code`]: text.code };
  for (const [name, value] of Object.entries(text.params)) out[`${prefix}.${name}`] = value;
  return out;
}

export function flattenCodedList(prefix: string, texts: readonly CodedText[]): AlertParams {
  return Object.assign({}, ...texts.map((t, i) => flattenCoded(`${prefix}.${i}`, t))) as AlertParams;
}

/** The coded text under `prefix`, or null when the alert has none (an older alert, a rule without one). */
export function readCoded(params: Readonly<AlertParams>, prefix: string): CodedText | null {
  const code = params[`${prefix}.code`];
  if (typeof code !== 'string') return null;
  const lead = `${prefix}.`;
  const own: AlertParams = {};
  for (const [key, value] of Object.entries(params)) {
    if (key.startsWith(lead) && key !== `${prefix}.code` && !key.slice(lead.length).includes('.')) own[key.slice(lead.length)] = value;
  }
  return { code, params: own };
}

export function readCodedList(params: Readonly<AlertParams>, prefix: string): CodedText[] {
  const out: CodedText[] = [];
  for (let i = 0; ; i++) {
    const text = readCoded(params, `${prefix}.${i}`);
    if (!text) return out;
    out.push(text);
  }
}
