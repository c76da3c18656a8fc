import type { Locale } from '../../../main/contract/settings.contract';

/** The browser's (or, in Electron, the OS's) language: any Chinese variant → zh-CN, else English. */
export function detectLocale(languages: readonly string[] = navigator.languages.length ? navigator.languages : [navigator.language]): Locale {
  const first = languages[0] ?? 'en';
  return first.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}
