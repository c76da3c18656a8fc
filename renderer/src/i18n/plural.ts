import type { Locale } from '../../../main/contract/settings.contract';

/**
 * Plural rules from the platform's CLDR data (Intl.PluralRules), so "1 sector" / "2 sectors" in
 * English and one form in Chinese, which has only "other". A counted text is one key per category
 * the language has: `disks.reason.pending-sectors.one` and `.other` in en/, only `.other` in
 * zh-CN/ (tests/unit/i18n.test.ts checks each language has exactly its categories).
 */
export const PLURAL_CATEGORIES = ['zero', 'one', 'two', 'few', 'many', 'other'] as const;
export type PluralCategory = (typeof PLURAL_CATEGORIES)[number];

const rules = new Map<Locale, Intl.PluralRules>();

export function pluralCategory(locale: Locale, count: number): PluralCategory {
  let r = rules.get(locale);
  if (!r) rules.set(locale, (r = new Intl.PluralRules(locale)));
  return r.select(count);
}

/** The categories a language words separately (en: one, other; zh-CN: other). */
export function pluralCategories(locale: Locale): PluralCategory[] {
  return new Intl.PluralRules(locale).resolvedOptions().pluralCategories as PluralCategory[];
}

/**
 * The number that picks the form: `{count}` when given, else the first placeholder of the text
 * whose value is a number (`Restarted {restarts} times` counts restarts), so coded texts from the
 * host keep their parameter names.
 */
export function pluralCount(template: string, params: Readonly<Record<string, string | number>> | undefined): number | undefined {
  if (!params) return undefined;
  if (typeof params.count === 'number') return params.count;
  for (const m of template.matchAll(/\{(\w+)\}/g)) {
    const v = params[m[1]!];
    if (typeof v === 'number') return v;
  }
  return undefined;
}

/**
 * The keys of an English dictionary that a language with only the "other" category words (Chinese):
 * the other categories of each counted text are left out, and giving one is a type error.
 */
export type OtherOnly<T> = {
  [K in keyof T as K extends `${infer Base}.${Exclude<PluralCategory, 'other'>}` ? (`${Base}.other` extends keyof T ? never : K) : K]: string;
};
