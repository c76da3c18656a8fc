import { App, Segmented } from 'antd';
import type { Locale } from '../../../main/contract/settings.contract';
import { useUpdateSettings } from '../api/system-hooks';
import { describeError } from '../i18n/describe-error';
import { useI18n } from '../i18n/i18n-context';
import { LANGUAGE_NAMES, LOCALE_OPTIONS } from '../i18n/preference-options';

/**
 * Each language is named in itself (EN / 中文) on every screen: that is how a reader of the other
 * language finds the way back, so these two labels are deliberately not translated.
 */
export function LanguageSwitcher() {
  const translator = useI18n();
  const { message } = App.useApp();
  const update = useUpdateSettings();
  return (
    <Segmented<Locale>
      data-testid="language-switcher"
      aria-label={translator.t('header.language')}
      size="small"
      value={translator.locale}
      options={LOCALE_OPTIONS.map((locale) => ({
        value: locale,
        label: (
          <span data-testid={`language-${locale}`} lang={locale}>
            {LANGUAGE_NAMES[locale].short}
          </span>
        ),
      }))}
      onChange={(locale) =>
        update.mutate({ locale }, { onError: (error) => void message.error(describeError(translator, error)) })
      }
    />
  );
}
