import { DesktopOutlined, MoonOutlined, SunOutlined } from '@ant-design/icons';
import { App, Segmented, Tooltip } from 'antd';
import type { ReactNode } from 'react';
import { useSettings, useUpdateSettings } from '../api/system-hooks';
import { describeError } from '../i18n/describe-error';
import { useI18n } from '../i18n/i18n-context';
import { THEME_OPTIONS, type ThemePreference } from '../i18n/preference-options';
import type { PlainMessageKey } from '../i18n/translate';

const THEME_ICONS: Record<ThemePreference, ReactNode> = {
  system: <DesktopOutlined />,
  light: <SunOutlined />,
  dark: <MoonOutlined />,
};

export const THEME_LABELS: Record<ThemePreference, PlainMessageKey> = {
  system: 'theme.system',
  light: 'theme.light',
  dark: 'theme.dark',
};

/** Icon-only in the header to save room; each icon has a translated tooltip and label. */
export function ThemeSwitcher() {
  const translator = useI18n();
  const { message } = App.useApp();
  const settings = useSettings();
  const update = useUpdateSettings();
  return (
    <Segmented<ThemePreference>
      data-testid="theme-switcher"
      aria-label={translator.t('header.theme')}
      size="small"
      value={settings.data?.theme ?? 'system'}
      options={THEME_OPTIONS.map((theme) => ({
        value: theme,
        label: (
          <Tooltip title={translator.t(THEME_LABELS[theme])}>
            <span data-testid={`theme-${theme}`} aria-label={translator.t(THEME_LABELS[theme])}>
              {THEME_ICONS[theme]}
            </span>
          </Tooltip>
        ),
      }))}
      onChange={(theme) => update.mutate({ theme }, { onError: (error) => void message.error(describeError(translator, error)) })}
    />
  );
}
