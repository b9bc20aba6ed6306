import { createMessages, translations } from '../../../kiosk-config/messages';
import type { MessageKey } from '../../../kiosk-config/messages';
import type { LanguageCode } from '../../../kiosk-config/schema';

const LANGUAGES: readonly string[] = ['en', 'es', 'bzj', 'tn'];

/** The template keys of SMS alerts: ICU messages in kiosk-config/translations/*.json. */
export function isSmsTemplate(key: string): key is MessageKey {
  return key.startsWith('sms.') && key in translations.en;
}

/**
 * One SMS in the citizen's language from its template and named placeholders (`{ref}`,
 * `{needed}`, `{collectAt}`, …), the same ICU messages and words (see the glossary) as the
 * kiosk's screens. A language the kiosks do not speak falls back to English.
 */
export function renderSms(
  template: string,
  language: string,
  params: Record<string, string>,
): string {
  if (!isSmsTemplate(template)) throw new Error(`no SMS template "${template}"`);
  const lang = (LANGUAGES.includes(language) ? language : 'en') as LanguageCode;
  return createMessages(lang).t(template, params).replace(/\s+/g, ' ').trim();
}
