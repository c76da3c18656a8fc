import { App, Card, Form, Radio } from 'antd';
import type { Locale, Settings } from '../../../../main/contract/settings.contract';
import { useSettings, useUpdateSettings } from '../../api/system-hooks';
import { THEME_LABELS } from '../../components/theme-switcher';
import { describeError } from '../../i18n/describe-error';
import { useI18n } from '../../i18n/i18n-context';
import { LANGUAGE_NAMES, LOCALE_OPTIONS, THEME_OPTIONS } from '../../i18n/preference-options';

/** Language and theme, saved in the console's settings (so they follow the data directory). */
export function PreferencesCard() {
  const translator = useI18n();
  const { t } = translator;
  const { message } = App.useApp();
  const settings = useSettings();
  const update = useUpdateSettings();
  const save = (patch: Partial<Settings>): void =>
    update.mutate(patch, { onError: (error) => void message.error(describeError(translator, error)) });

  return (
    <Card title={t('settings.preferences')} size="small">
      <Form layout="horizontal" labelCol={{ flex: '120px' }} labelAlign="left" colon={false} style={{ maxWidth: 720 }}>
        <Form.Item label={t('settings.language')} extra={settings.data?.locale === null ? t('settings.languageFollowsSystem') : undefined}>
          <Radio.Group
            data-testid="settings-language"
            value={settings.data?.locale ?? null}
            onChange={(e) => save({ locale: e.target.value as Locale | null })}
          >
            <Radio value={null}>{t('settings.languageSystem')}</Radio>
            {LOCALE_OPTIONS.map((locale) => (
              <Radio key={locale} value={locale} data-testid={`settings-language-${locale}`}>
                <span lang={locale}>{LANGUAGE_NAMES[locale].full}</span>
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
        <Form.Item label={t('settings.theme')} style={{ marginBottom: 0 }}>
          <Radio.Group
            data-testid="settings-theme"
            value={settings.data?.theme ?? 'system'}
            onChange={(e) => save({ theme: e.target.value as Settings['theme'] })}
          >
            {THEME_OPTIONS.map((theme) => (
              <Radio key={theme} value={theme} data-testid={`settings-theme-${theme}`}>
                {t(THEME_LABELS[theme])}
              </Radio>
            ))}
          </Radio.Group>
        </Form.Item>
      </Form>
    </Card>
  );
}
