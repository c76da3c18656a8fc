import type { Locale, Settings } from '../../../main/contract/settings.contract';

/*
 * The contract's LOCALES and THEMES, restated here because settings.contract's values come with zod
 * schemas, and the shell's first chunk should not carry zod (the Fleet page brings it with its
 * forms). The checks below make a locale or theme added to the contract a type error here.
 */

export type ThemePreference = Settings['theme'];

export const LOCALE_OPTIONS = ['en', 'zh-CN'] as const satisfies readonly Locale[];
export const THEME_OPTIONS = ['system', 'light', 'dark'] as const satisfies readonly ThemePreference[];

type Unlisted<All, Listed> = [Exclude<All, Listed>] extends [never] ? true : { unlisted: Exclude<All, Listed> };
export const EVERY_LOCALE_LISTED: Unlisted<Locale, (typeof LOCALE_OPTIONS)[number]> = true;
export const EVERY_THEME_LISTED: Unlisted<ThemePreference, (typeof THEME_OPTIONS)[number]> = true;

/** Each language named in itself, so a reader of either finds theirs. */
export const LANGUAGE_NAMES: Record<Locale, { short: string; full: string }> = {
  en: { short: 'EN', full: 'English' },
  'zh-CN': { short: '中文', full: '简体中文' },
};
