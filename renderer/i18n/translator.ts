import { messagesFrom } from '../../kiosk-config/message-format';
import type {
  MessageKey,
  MessageSource,
  MessageTable,
  MessageValues,
  Messages,
} from '../../kiosk-config/message-format';
import englishTable from '../../kiosk-config/translations/en.json?icu';
import {
  formatDate,
  formatDateTime,
  formatDayOf,
  formatMoney,
  formatMoneyTotals,
  formatNumber,
  formatTimeOf,
  monthName,
  parseIsoDate,
} from '../../kiosk-config/formatting';
import type { CalendarDate, MoneyAmount } from '../../kiosk-config/formatting';
import type { FieldProblem } from '../../kiosk-config/field-validation';
import type { LanguageCode } from '../../kiosk-config/schema';

export type { MessageKey, MessageValues };

/**
 * Each language's messages are a chunk of their own (the service worker precaches them all):
 * English, the reference and every other table's fallback, is in the page from the start; the
 * site's other languages are fetched once the first screen is up, and any language again before
 * the language screen, a header switch, a resumed receipt or the out-of-service screen uses it.
 * In the page's build the messages arrive already parsed (`?icu`, see vite.config.ts).
 */
const loaders: Record<Exclude<LanguageCode, 'en'>, () => Promise<{ default: unknown }>> = {
  es: () => import('../../kiosk-config/translations/es.json?icu'),
  bzj: () => import('../../kiosk-config/translations/bzj.json?icu'),
  tn: () => import('../../kiosk-config/translations/tn.json?icu'),
};

/** English: the reference key set, so every key is there. */
const english = englishTable as Record<MessageKey, MessageSource>;
const tables = new Map<string, MessageTable>([['en', english]]);

/** Whether a language's messages are in the page (English always is). */
export function languageLoaded(language: string): boolean {
  return tables.has(language);
}

/**
 * Loads the messages of these languages (codes the kiosk does not speak are ignored). Never
 * rejects: a table that cannot be fetched (no network and no service worker yet) leaves that
 * language in English until a later call loads it.
 */
export async function loadLanguages(languages: readonly string[]): Promise<void> {
  await Promise.all(
    languages.map(async (language) => {
      if (tables.has(language) || !Object.hasOwn(loaders, language)) return;
      const load = loaders[language as keyof typeof loaders];
      await load().then(
        (module) => void tables.set(language, module.default as MessageTable),
        () => undefined,
      );
    }),
  );
}

/** Display names: each language in its own words (names, not flags). */
export const languageNames: Record<LanguageCode, string> = {
  en: 'English',
  es: 'Español',
  bzj: 'Kriol',
  tn: 'Setswana',
};

/**
 * The session's words and formats: messages in its language, and money, numbers and dates by
 * kiosk-config/formatting.ts (the module the receipt, the PDF and the report use too), with
 * times shown on the site's wall clock.
 */
export interface Translator extends Messages {
  /** IANA zone of the site (its country's). */
  timeZone: string;
  money(money: MoneyAmount): string;
  /** Per-currency totals; nothing is written as zero in `currency` (the site's). */
  moneyTotals(totals: Record<string, number>, currency: string): string;
  number(value: number): string;
  /** A calendar date in words ("1 Moranang 1990"). */
  date(date: CalendarDate): string;
  /** The day an instant falls on at the site ("14 de noviembre de 2026"). */
  day(instant: Date | string | number): string;
  /** Date and time of an instant at the site ("14 November 2026, 10:30"). */
  dateTime(instant: Date | string | number): string;
  /** Time of day of an instant at the site ("10:30"). */
  time(instant: Date | string | number): string;
  /** A failed answer check as the sentence the citizen reads. */
  problem(problem: FieldProblem): string;
}

/**
 * Money as the screen shows it: the symbol and the amount joined by a no-break space, so "P 10.00"
 * never breaks into "P" on one line and "10.00" on the next (Setswana with Large text, QA). Paper
 * and SMS keep formatMoney's plain space (a receipt printer's code page need not have U+00A0).
 */
function moneyOnScreen(money: MoneyAmount): string {
  return formatMoney(money).replace(/ /g, '\u00a0');
}

/**
 * The longest of these messages in any of these languages (by characters: near enough for text in
 * one font), without values: the text a label reserves room for (`SteadyLabel`), so a switch of
 * language moves nothing beside or below it. A language whose messages are not in the page yet
 * counts as English until they are.
 */
export function longestTranslation(
  languages: readonly LanguageCode[],
  keys: readonly MessageKey[],
): string {
  let longest = '';
  for (const language of languages) {
    const words = createTranslator(language);
    for (const key of keys) {
      const text = words.t(key);
      if (text.length > longest.length) longest = text;
    }
  }
  return longest;
}

/**
 * The translator of one language. Its table must have been loaded (loadLanguages); until it is,
 * every message is English's.
 */
export function createTranslator(language: LanguageCode, timeZone = 'UTC'): Translator {
  const messages = messagesFrom(language, tables.get(language) ?? {}, english);
  return {
    ...messages,
    timeZone,
    money: (money) => moneyOnScreen(money),
    moneyTotals: (totals, currency) => formatMoneyTotals(totals, currency),
    number: (value) => formatNumber(value),
    date: (date) => formatDate(date, language),
    day: (instant) => formatDayOf(instant, language, timeZone),
    dateTime: (instant) => formatDateTime(instant, language, timeZone),
    time: (instant) => formatTimeOf(instant, timeZone),
    problem(problem) {
      if (problem.message) return messages.text(problem.message);
      const values = { ...problem.values };
      if (problem.key === 'form.error.dateDay' && typeof values.month === 'number') {
        values.monthName = monthName(values.month, language);
        // A year is a name, not a quantity: never "1,992".
        values.year = String(values.year);
      }
      // An amount's limit is said as money in the service's currency.
      if (typeof values.amount === 'number' && typeof values.currency === 'string') {
        values.amount = moneyOnScreen({ amountMinor: values.amount, currency: values.currency });
      }
      // A date limit is said as a date in words, in the citizen's language.
      if (typeof values.limit === 'string') {
        const limit = parseIsoDate(values.limit);
        if (limit) values.limit = formatDate(limit, language);
      }
      return messages.t(problem.key, values);
    },
  };
}
