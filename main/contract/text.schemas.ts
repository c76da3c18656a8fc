import { z } from 'zod';

/**
 * Free text a person types — names, tags, notes, reasons — as every boundary accepts it.
 *
 * Refused everywhere: C0 controls (NUL ends a C string; ESC and CR rewrite a terminal line, so a
 * name could forge `appliance-console` output), DEL and C1 controls. Refused in one-line text also:
 * tab and line breaks (including U+2028/U+2029), and the bidi embeddings, overrides and isolates
 * (U+202A–202E, U+2066–2069) that make a name display as another ("Trojan Source"). Multi-line text
 * keeps tab and newline; its CR LF and lone CR become LF, as a browser's textarea sends them.
 *
 * Lengths count code points, what a person counts as characters: 64 Chinese characters or emoji
 * fit in a 64-character name, where UTF-16 units would allow only 32 emoji.
 *
 * Issues carry a stable code the UI translates: `control-characters` {char, position} (which
 * character to remove and where, counted from 1) and `too-long` {limit}.
 */

function isControl(cp: number): boolean {
  return cp <= 0x1f || (cp >= 0x7f && cp <= 0x9f);
}

function isLineBreakOrBidi(cp: number): boolean {
  return cp === 0x2028 || cp === 0x2029 || (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

/** `U+0007`: how the messages name an invisible character. */
export function codePointLabel(cp: number): string {
  return `U+${cp.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first character one-line (or multi-line) text may not hold, with its 1-based position in code points. */
export function forbiddenCharacter(text: string, multiLine: boolean): { char: string; position: number } | null {
  let position = 0;
  for (const ch of text) {
    position++;
    const cp = ch.codePointAt(0)!;
    if (multiLine && (ch === '\n' || ch === '\t')) continue;
    if (isControl(cp) || (!multiLine && isLineBreakOrBidi(cp))) return { char: codePointLabel(cp), position };
  }
  return null;
}

export function codePointLength(text: string): number {
  return [...text].length;
}

function checkText(max: number, multiLine: boolean) {
  return (text: string, ctx: z.RefinementCtx) => {
    const bad = forbiddenCharacter(text, multiLine);
    if (bad) {
      ctx.addIssue({
        code: 'custom',
        message: `Remove the invisible control character ${bad.char} (character ${bad.position})${multiLine ? '' : '; this field is one line'}`,
        params: { code: 'control-characters', ...bad },
      });
    }
    if (codePointLength(text) > max) ctx.addIssue({ code: 'custom', message: `At most ${max} characters`, params: { code: 'too-long', limit: max } });
  };
}

/** One line of text, trimmed: names, tags, reasons, search text. */
export function singleLineText(opts: { max: number; min?: number }) {
  const base = z.string().trim();
  return (opts.min ? base.min(opts.min) : base).superRefine(checkText(opts.max, false));
}

/** Text that may run over several lines: notes. Trimmed only when asked (an appliance's notes keep their layout). */
export function multiLineText(opts: { max: number; trim?: boolean }) {
  const base = z.string().overwrite((s) => s.replace(/\r\n?/g, '\n'));
  return (opts.trim ? base.trim() : base).superRefine(checkText(opts.max, true));
}

/** An appliance's name: what every list, log line and command shows. */
export const MAX_NAME_CHARACTERS = 64;
export const applianceName = singleLineText({ min: 1, max: MAX_NAME_CHARACTERS });
