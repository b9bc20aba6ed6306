import { messagesFrom } from './message-format';
import type { Messages } from './message-format';
import type { LanguageCode } from './schema';
import en from './translations/en.json' with { type: 'json' };
import es from './translations/es.json' with { type: 'json' };
import bzj from './translations/bzj.json' with { type: 'json' };
import tn from './translations/tn.json' with { type: 'json' };

export type { MessageKey, MessageTable, MessageValues, Messages } from './message-format';

/**
 * UI messages (ICU MessageFormat) of every language, for the gateway, the shell and reports; the
 * page loads one language at a time instead (renderer/i18n/translator.ts).
 */
export const translations = { en, es, bzj, tn } as const;

export function createMessages(language: LanguageCode): Messages {
  return messagesFrom(language, translations[language] ?? {}, translations.en);
}
