import { IntlMessageFormat } from 'intl-messageformat';
import { translations } from '../../kiosk-config';
import type { MessageKey } from '../../kiosk-config';
import type { LanguageCode, LocalizedText, Money } from '../../kiosk-config/schema';

export type { MessageKey };
export type MessageValues = Record<string, string | number>;

/** BCP 47 locale used for numbers, dates and currency per kiosk language. */
const locales: Record<LanguageCode, string> = {
  en: 'en-BZ',
  es: 'es-BZ',
  bzj: 'en-BZ',
  tn: 'en-BW',
};

/** Display names: each language in its own words (names, not flags). */
export const languageNames: Record<LanguageCode, string> = {
  en: 'English',
  es: 'Español',
  bzj: 'Kriol',
  tn: 'Setswana',
};

export interface Translator {
  language: LanguageCode;
  t(key: MessageKey, values?: MessageValues): string;
  text(localized: LocalizedText): string;
  money(money: Money): string;
  /** A calendar date in words, in the session's language. */
  date(date: Date): string;
}

const cache = new Map<string, IntlMessageFormat>();

export function createTranslator(language: LanguageCode): Translator {
  const table: Partial<Record<MessageKey, string>> =
    (translations as Partial<Record<LanguageCode, Partial<Record<MessageKey, string>>>>)[
      language
    ] ?? {};
  const locale = locales[language];
  return {
    language,
    t(key, values) {
      const source = table[key] ?? translations.en[key];
      const cacheKey = `${language}\u0000${key}`;
      let format = cache.get(cacheKey);
      if (!format) {
        format = new IntlMessageFormat(source, locale);
        cache.set(cacheKey, format);
      }
      return String(format.format(values));
    },
    text(localized) {
      return localized[language] ?? localized.en;
    },
    date(date) {
      return new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' }).format(date);
    },
    money({ amountMinor, currency }) {
      return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(
        amountMinor / 100,
      );
    },
  };
}
