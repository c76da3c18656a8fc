import { createContext, useContext } from 'react';
import { createTranslator, type Translator } from './translate';

export const I18nContext = createContext<Translator>(createTranslator('en'));

/** The current language's `t`, `lookup` and locale. */
export function useI18n(): Translator {
  return useContext(I18nContext);
}
