import type { MessageFormatElement } from '@formatjs/icu-messageformat-parser';
import { IntlMessageFormat } from 'intl-messageformat';
import type { LanguageCode, LocalizedText } from './schema';
import type en from './translations/en.json';

/** The message keys: English (`translations/en.json`) is the reference key set. */
export type MessageKey = keyof typeof en;
export type MessageValues = Record<string, string | number>;
/**
 * One message: its ICU MessageFormat source, or that source already parsed (the page's build
 * parses every message ahead, so the page carries no ICU parser: renderer/vite.config.ts).
 */
export type MessageSource = string | MessageFormatElement[];
/** One language's messages by key (a key left out falls back to English). */
export type MessageTable = Partial<Record<MessageKey, MessageSource>>;

/**
 * The locale ICU plural rules and `#` use per kiosk language. Kriol has no CLDR data and is
 * counted like English; Setswana's plural rules are English's (one, other), and en-BW keeps
 * Botswana's digit grouping where CLDR's `tn` would print 1'234. Money and dates never go
 * through ICU: they are formatted by formatting.ts and passed in as text.
 */
export const messageLocales: Record<LanguageCode, string> = {
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

/** Formatters by locale and source (a parsed source by identity: it lives in its table). */
const cache = new Map<string, Map<MessageSource, IntlMessageFormat>>();

/**
 * One language's messages from its table, with English's for any key the table lacks. Used by
 * messages.ts (every language, for the gateway and the shell) and by the page, which loads each
 * language's table when it is first needed (renderer/i18n/translator.ts).
 */
export function messagesFrom(
  language: LanguageCode,
  table: MessageTable,
  english: Record<MessageKey, MessageSource>,
): Messages {
  const locale = messageLocales[language];
  return {
    language,
    t(key, values) {
      // Keyed by the source: a table loaded later for the same language replaces a fallback.
      const source = table[key] ?? english[key];
      let formats = cache.get(locale);
      if (!formats) {
        formats = new Map();
        cache.set(locale, formats);
      }
      let format = formats.get(source);
      if (!format) {
        format = new IntlMessageFormat(source, locale);
        formats.set(source, format);
      }
      return String(format.format(values));
    },
    text(localized) {
      return localized[language] ?? localized.en;
    },
  };
}
