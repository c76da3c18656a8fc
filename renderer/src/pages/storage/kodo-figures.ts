import type { Locale } from '../../../../main/contract/settings.contract';
import type { Translate } from '../../i18n/translate';

/** `1.10×`: bytes stored per byte of data, two decimals as the planner shows it. */
export function ratioText(ratio: number, locale: Locale): string {
  return `${ratio.toLocaleString(locale, { minimumFractionDigits: 2, maximumFractionDigits: 2 })}×`;
}

/** The planner's durability: `11.3 nines`; 99 (the cap for "beyond measure") as such. */
export function ninesText(t: Translate, nines: number, locale: Locale): string {
  return nines >= 99 ? t('kodo.ninesBeyond') : t('kodo.nines', { nines: nines.toLocaleString(locale, { minimumFractionDigits: 1, maximumFractionDigits: 1 }) });
}
