import type { Locale } from '../../../main/contract/settings.contract';
import { en } from './en';
import { pluralCategory, PLURAL_CATEGORIES, pluralCount } from './plural';
import { zhCN } from './zh-CN';

export type MessageKey = keyof typeof en;

/** `fleet.count` for `fleet.count.one` / `fleet.count.other`: a counted text, worded per plural category. */
export type PluralBase = { [K in MessageKey]: K extends `${infer Base}.other` ? Base : never }[MessageKey];
/** A key that is one category of a counted text: read through `tp`, never `t`. */
type PluralFormKey = `${PluralBase}.${(typeof PLURAL_CATEGORIES)[number]}`;
/** Every key a language must word: plural categories the language does not have are left out (zh has only "other"). */
export type Dictionary = Record<Exclude<MessageKey, PluralFormKey>, string> & Partial<Record<MessageKey, string>>;

/** The `{name}` placeholders of an English message, as a union of names (never if none). */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never;
export type MessageParams<K extends MessageKey> = Record<PlaceholderNames<(typeof en)[K]>, string | number>;
/** `t('key')` for messages without placeholders, `t('key', { … })` with exactly the right names. */
export type TranslateArgs<K extends MessageKey> = [PlaceholderNames<(typeof en)[K]>] extends [never] ? [] : [params: MessageParams<K>];

/** Keys `t` takes: everything but the categories of counted texts. */
export type SingularKey = Exclude<MessageKey, PluralFormKey>;
/** Keys whose text has no placeholders: what label tables (nav, roles, themes) may hold. */
export type PlainMessageKey = { [K in SingularKey]: [PlaceholderNames<(typeof en)[K]>] extends [never] ? K : never }[SingularKey];

export type Translate = <K extends SingularKey>(key: K, ...args: TranslateArgs<K>) => string;
/** A counted text: the category for `count` (or the text's first number) in this language, filled with params. */
export type TranslatePlural = <B extends PluralBase>(base: B, params: MessageParams<`${B}.other` & MessageKey>) => string;

export const DICTIONARIES: Record<Locale, Dictionary> = { en, 'zh-CN': zhCN };

const PLACEHOLDER = /\{(\w+)\}/g;

// Building a NumberFormat costs more than formatting; messages are filled for every visible row.
const numberFormats = new Map<Locale, Intl.NumberFormat>();

/** A number as the locale writes it, with grouping (47,657) and at most three decimals. */
export function formatNumber(value: number, locale: Locale): string {
  let format = numberFormats.get(locale);
  if (!format) numberFormats.set(locale, (format = new Intl.NumberFormat(locale, { maximumFractionDigits: 3 })));
  return format.format(value);
}

/** Replaces `{name}` with the param, numbers in the locale's grouping (1,000). Unknown stay visible. */
export function interpolate(template: string, params: Readonly<Record<string, string | number>> | undefined, locale: Locale): string {
  if (!params) return template;
  return template.replace(PLACEHOLDER, (match, name: string) => {
    const value = params[name];
    if (value === undefined) return match;
    return typeof value === 'number' ? formatNumber(value, locale) : value;
  });
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export interface Translator {
  locale: Locale;
  t: Translate;
  tp: TranslatePlural;
  /**
   * For keys built at run time (`errors.<code>`): undefined when the dictionary lacks the key. A
   * counted text is found by its base (`disks.reason.pending-sectors` → `….one` / `….other`).
   */
  lookup(key: string, params?: Readonly<Record<string, string | number>>): string | undefined;
}

export function createTranslator(locale: Locale): Translator {
  const dictionary = DICTIONARIES[locale];
  const text = (key: string): string | undefined => (isMessageKey(key) ? dictionary[key] : undefined);
  /** The category's text of a counted message; "other" when the language words this count that way. */
  const counted = (base: string, params: Readonly<Record<string, string | number>> | undefined): string | undefined => {
    const other = text(`${base}.other`);
    if (other === undefined) return undefined;
    const count = pluralCount(other, params);
    return (count === undefined ? undefined : text(`${base}.${pluralCategory(locale, count)}`)) ?? other;
  };
  const lookup = (key: string, params?: Readonly<Record<string, string | number>>): string | undefined => {
    const template = text(key) ?? counted(key, params);
    return template === undefined ? undefined : interpolate(template, params, locale);
  };
  const t: Translate = (key, ...args) => interpolate(dictionary[key], args[0], locale);
  const tp: TranslatePlural = (base, params) => interpolate(counted(base, params) ?? base, params, locale);
  return { locale, t, tp, lookup };
}
