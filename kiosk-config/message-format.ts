import { IntlMessageFormat } from 'intl-messageformat';
import type { LanguageCode, LocalizedText } from './schema';
import type en from './translations/en.json';

/** The message keys: English (`translations/en.json`) is the reference key set. */
export type MessageKey = keyof typeof en;
export type MessageValues = Record<string, string | number>;
/** One language's ICU MessageFormat sources by key (a key left out falls back to English). */
export type MessageTable = Partial<Record<MessageKey, string>>;

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

/**
 * One language's messages from its table, with English's for any key the table lacks. Used by
 * messages.ts (every language, for the gateway and the shell) and by the page, which loads each
 * language's table when it is first needed (renderer/i18n/translator.ts).
 */
export function messagesFrom(
  language: LanguageCode,
  table: MessageTable,
  english: Record<MessageKey, string>,
): Messages {
  const locale = messageLocales[language];
  return {
    language,
    t(key, values) {
      const source = table[key] ?? english[key];
      // Keyed by the source too: a table loaded later for the same language replaces a fallback.
      const cacheKey = `${language}\u0000${key}\u0000${source}`;
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
