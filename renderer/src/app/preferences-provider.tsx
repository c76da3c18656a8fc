import { App as AntApp, ConfigProvider, theme as antdTheme } from 'antd';
import enUS from 'antd/locale/en_US';
import zhCN from 'antd/locale/zh_CN';
import type { Locale as AntdLocale } from 'antd/es/locale';
import { useEffect, useMemo, useRef, type ReactNode } from 'react';
import type { Locale } from '../../../main/contract/settings.contract';
import { useSettings } from '../api/system-hooks';
import { detectLocale } from '../i18n/detect-locale';
import { I18nContext } from '../i18n/i18n-context';
import { createTranslator } from '../i18n/translate';
import { usePrefersDark } from '../theme/use-prefers-dark';

const ANTD_LOCALES: Record<Locale, AntdLocale> = { en: enUS, 'zh-CN': zhCN };

/**
 * Ant Design's system font stack plus the usual Chinese UI fonts of each OS, so Chinese text uses
 * PingFang / Microsoft YaHei / Noto CJK rather than whatever the browser falls back to. Local
 * fonts only: the UI loads nothing from the network.
 */
const FONT_FAMILY =
  "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'PingFang SC', 'Hiragino Sans GB', " +
  "'Microsoft YaHei', 'Noto Sans CJK SC', 'Source Han Sans SC', 'WenQuanYi Micro Hei', 'Noto Sans', sans-serif, " +
  "'Apple Color Emoji', 'Segoe UI Emoji', 'Segoe UI Symbol', 'Noto Color Emoji'";

/** A toast shown before a language switch would otherwise linger in the old language. */
function ClearToastsOnLocaleChange({ locale }: { locale: Locale }) {
  const { message } = AntApp.useApp();
  const previous = useRef(locale);
  useEffect(() => {
    if (previous.current !== locale) message.destroy();
    previous.current = locale;
  }, [locale, message]);
  return null;
}

/**
 * Language and theme come from the saved settings; `locale: null` (never chosen) follows the
 * browser/OS, `theme: 'system'` follows prefers-color-scheme live. Ant Design's own texts
 * (pagination, empty tables, confirm buttons) switch with ours through ConfigProvider.
 */
export function PreferencesProvider({ children }: { children: ReactNode }) {
  const settings = useSettings();
  const prefersDark = usePrefersDark();
  const locale: Locale = settings.data?.locale ?? detectLocale();
  const preference = settings.data?.theme ?? 'system';
  const dark = preference === 'dark' || (preference === 'system' && prefersDark);
  const translator = useMemo(() => createTranslator(locale), [locale]);
  // A stable object: a new theme on every render would make antd recompute its design tokens.
  // zeroRuntime: component styles come from antd's prebuilt stylesheet (imported by main.tsx), not
  // generated in the page; only the theme's CSS variables still are. Generating them cost about a
  // third of the first render (`npm run bench -- ui`). Never changes after the first render: antd
  // reads it once.
  const themeConfig = useMemo(
    () => ({ zeroRuntime: true, algorithm: dark ? antdTheme.darkAlgorithm : antdTheme.defaultAlgorithm, token: { fontFamily: FONT_FAMILY } }),
    [dark],
  );

  useEffect(() => {
    document.documentElement.lang = locale;
    document.documentElement.style.colorScheme = dark ? 'dark' : 'light';
  }, [locale, dark]);

  // Wait the few milliseconds settings take so the first frame is already in the right language
  // and theme (no flash of English for a Chinese user). On failure we fall back to the detected
  // language; the session gate or the page then explains the failure.
  if (settings.isPending) return null;

  return (
    <I18nContext.Provider value={translator}>
      <ConfigProvider
        locale={ANTD_LOCALES[locale]}
        theme={themeConfig}
      >
        <AntApp style={{ height: '100%' }}>
          <ClearToastsOnLocaleChange locale={locale} />
          {children}
        </AntApp>
      </ConfigProvider>
    </I18nContext.Provider>
  );
}
