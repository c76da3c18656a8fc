import type { Locale } from '../../../main/contract/settings.contract';
import { en } from './en';
import { zhCN } from './zh-CN';

export type MessageKey = keyof typeof en;
export type Dictionary = Record<MessageKey, string>;

/** The `{name}` placeholders of an English message, as a union of names (never if none). */
type PlaceholderNames<S extends string> = S extends `${string}{${infer Name}}${infer Rest}` ? Name | PlaceholderNames<Rest> : never;
export type MessageParams<K extends MessageKey> = Record<PlaceholderNames<(typeof en)[K]>, string | number>;
/** `t('key')` for messages without placeholders, `t('key', { … })` with exactly the right names. */
export type TranslateArgs<K extends MessageKey> = [PlaceholderNames<(typeof en)[K]>] extends [never] ? [] : [params: MessageParams<K>];

/** Keys whose text has no placeholders: what label tables (nav, roles, themes) may hold. */
export type PlainMessageKey = { [K in MessageKey]: [PlaceholderNames<(typeof en)[K]>] extends [never] ? K : never }[MessageKey];

export type Translate = <K extends MessageKey>(key: K, ...args: TranslateArgs<K>) => string;

export const DICTIONARIES: Record<Locale, Dictionary> = { en, 'zh-CN': zhCN };

const PLACEHOLDER = /\{(\w+)\}/g;

/** Replaces `{name}` with the param, numbers in the locale's grouping (1,000). Unknown stay visible. */
export function interpolate(template: string, params: Readonly<Record<string, string | number>> | undefined, locale: Locale): string {
  if (!params) return template;
  return template.replace(PLACEHOLDER, (match, name: string) => {
    const value = params[name];
    if (value === undefined) return match;
    return typeof value === 'number' ? value.toLocaleString(locale) : value;
  });
}

export function isMessageKey(key: string): key is MessageKey {
  return Object.prototype.hasOwnProperty.call(en, key);
}

export interface Translator {
  locale: Locale;
  t: Translate;
  /** For keys built at run time (`errors.<code>`): undefined when the dictionary lacks the key. */
  lookup(key: string, params?: Readonly<Record<string, string | number>>): string | undefined;
}

export function createTranslator(locale: Locale): Translator {
  const dictionary = DICTIONARIES[locale];
  const lookup = (key: string, params?: Readonly<Record<string, string | number>>): string | undefined =>
    isMessageKey(key) ? interpolate(dictionary[key], params, locale) : undefined;
  const t: Translate = (key, ...args) => interpolate(dictionary[key], args[0], locale);
  return { locale, t, lookup };
}
