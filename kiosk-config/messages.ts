import { IntlMessageFormat } from 'intl-messageformat';
import type { LanguageCode, LocalizedText } from './schema';
import en from './translations/en.json' with { type: 'json' };
import es from './translations/es.json' with { type: 'json' };
import bzj from './translations/bzj.json' with { type: 'json' };
import tn from './translations/tn.json' with { type: 'json' };

/** UI messages (ICU MessageFormat) per language; English is the reference key set. */
export const translations = { en, es, bzj, tn } as const;
export type MessageKey = keyof typeof en;
export type MessageValues = Record<string, string | number>;

/**
 * The locale ICU plural rules and `#` use per kiosk language. Kriol has no CLDR data and is
 * counted like English; Setswana's plural rules are English's (one, other), and en-BW keeps
 * Botswana's digit grouping where CLDR's `tn` would print 1'234. Money and dates never go
 * through ICU: they are formatted by formatting.ts and passed in as text.
 */
const messageLocales: Record<LanguageCode, string> = {
  en: 'en-BZ',
  es: 'es-BZ',
  bzj: 'en-BZ',
  tn: 'en-BW',
};

/** The words of one language: the same for the screen, the receipt and the report. */
export interface Messages {
  language: LanguageCode;
  t(key: MessageKey, values?: MessageValues): string;
  /** A catalogue text in this language (every site language is checked present at load). */
  text(localized: LocalizedText): string;
}

const cache = new Map<string, IntlMessageFormat>();

export function createMessages(language: LanguageCode): Messages {
  const table: Partial<Record<MessageKey, string>> =
    (translations as Partial<Record<LanguageCode, Partial<Record<MessageKey, string>>>>)[
      language
    ] ?? {};
  const locale = messageLocales[language];
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
  };
}
