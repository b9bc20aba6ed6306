import type { LanguageCode } from './schema';

/**
 * Money, numbers and dates, formatted the same way on screen, on ESC/POS and PDF receipts, in
 * the end-of-day report and on the fleet dashboard. Isomorphic (page, shell and gateway) and
 * deterministic: it does not lean on the runtime's locale data, because Chromium ships no
 * Setswana date names while Node does, and CLDR's Setswana number grouping (1'234) is not what
 * Botswana prints. `Intl` is used only to find the wall-clock time in a time zone.
 *
 * Conventions (PRODUCT.md "Two countries"): Pula as "P 1,250.00", Belize dollars as
 * "BZ$1,250.00", whatever the language; "," groups thousands and "." marks decimals in both
 * countries. Dates are written in words in the citizen's language.
 */

/** A calendar day with no time of day or zone (a date of birth, a movement date). */
export interface CalendarDate {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
}

export interface WallClock extends CalendarDate {
  hour: number;
  minute: number;
}

export interface MoneyAmount {
  /** Minor units (thebe, cents). */
  amountMinor: number;
  /** ISO 4217 code. */
  currency: string;
}

/** How each country's money is written: the symbol before the amount, and its minor digits. */
const currencyStyles: Record<string, { prefix: string; minorDigits: number }> = {
  // Pula (100 thebe): "P 50.00", the symbol before the amount with a space (PRODUCT.md).
  BWP: { prefix: 'P ', minorDigits: 2 },
  // Belize dollar (100 cents): "BZ$50.00"; a bare "$" could be read as US dollars, which also
  // circulate in Belize (PRODUCT.md).
  BZD: { prefix: 'BZ$', minorDigits: 2 },
};

function groupDigits(digits: string): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** A number with "," between thousands and "." before decimals: `1,234`, `0.5`, `-12,000.25`. */
export function formatNumber(value: number, fractionDigits?: number): string {
  if (!Number.isFinite(value)) return String(value);
  const fixed =
    fractionDigits === undefined
      ? String(Math.abs(value))
      : Math.abs(value).toFixed(fractionDigits);
  const [whole = '0', fraction] = fixed.split('.');
  const sign = value < 0 && Number(fixed) !== 0 ? '-' : '';
  return `${sign}${groupDigits(whole)}${fraction ? `.${fraction}` : ''}`;
}

/**
 * A fee or total in its currency's convention: `P 50.00`, `BZ$1,250.00`. A currency without a
 * known style is written with its ISO code (`USD 5.00`), so nothing is ever shown as a bare "$".
 */
export function formatMoney(money: MoneyAmount): string {
  const style = currencyStyles[money.currency] ?? { prefix: `${money.currency} `, minorDigits: 2 };
  const amount = money.amountMinor / 10 ** style.minorDigits;
  const text = formatNumber(Math.abs(amount), style.minorDigits);
  return `${money.amountMinor < 0 ? '-' : ''}${style.prefix}${text}`;
}

/**
 * Totals kept per currency (the end-of-day report's shape), each in its convention, joined by
 * ", ". No money at all is written as zero in `currency` (the site's), never in another one.
 */
export function formatMoneyTotals(totals: Record<string, number>, currency: string): string {
  const entries = Object.entries(totals).filter(([, amount]) => amount !== 0);
  if (entries.length === 0) return formatMoney({ amountMinor: 0, currency });
  return entries
    .sort(([a], [b]) => (a === currency ? -1 : b === currency ? 1 : a.localeCompare(b)))
    .map(([code, amountMinor]) => formatMoney({ amountMinor, currency: code }))
    .join(', ');
}

/**
 * Month names. en and es are the standard ones; tn follows Botswana's Setswana names (as in
 * CLDR); bzj follows the National Kriol Council's spellings (Febiweri, Aypril, Joolai, Aagas,
 * Aktoaba…); "Janiweri" and "Disemba" are formed the same way and await a native speaker's review.
 */
const monthNames: Record<LanguageCode, readonly string[]> = {
  en: [
    'January',
    'February',
    'March',
    'April',
    'May',
    'June',
    'July',
    'August',
    'September',
    'October',
    'November',
    'December',
  ],
  es: [
    'enero',
    'febrero',
    'marzo',
    'abril',
    'mayo',
    'junio',
    'julio',
    'agosto',
    'septiembre',
    'octubre',
    'noviembre',
    'diciembre',
  ],
  bzj: [
    'Janiweri',
    'Febiweri',
    'Maach',
    'Aypril',
    'May',
    'Joon',
    'Joolai',
    'Aagas',
    'Septemba',
    'Aktoaba',
    'Novemba',
    'Disemba',
  ],
  tn: [
    'Ferikgong',
    'Tlhakole',
    'Mopitlo',
    'Moranang',
    'Motsheganang',
    'Seetebosigo',
    'Phukwi',
    'Phatwe',
    'Lwetse',
    'Diphalane',
    'Ngwanatsele',
    'Sedimonthole',
  ],
};

export function monthName(month: number, language: LanguageCode): string {
  const name = monthNames[language][month - 1];
  if (!name) throw new RangeError(`no month ${month}`);
  return name;
}

/** Days in a month of the proleptic Gregorian calendar (leap years: ÷4, not ÷100 unless ÷400). */
export function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
    return leap ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** A calendar date in words: "1 April 1990", "1 de abril de 1990", "Aypril 1, 1990", "1 Moranang 1990". */
export function formatDate(date: CalendarDate, language: LanguageCode): string {
  const month = monthName(date.month, language);
  switch (language) {
    case 'es':
      return `${date.day} de ${month} de ${date.year}`;
    case 'bzj':
      // The National Kriol Council writes dates month first ("Aypril 4, 2021").
      return `${month} ${date.day}, ${date.year}`;
    case 'en':
    case 'tn':
      return `${date.day} ${month} ${date.year}`;
  }
}

const pad = (value: number, width = 2): string => String(value).padStart(width, '0');

/** `YYYY-MM-DD` (ISO 8601), the form dates are stored and sent in. */
export function isoDate(date: CalendarDate): string {
  return `${pad(date.year, 4)}-${pad(date.month)}-${pad(date.day)}`;
}

/** A 24-hour time, `14:05`, as both countries' official forms write it. */
export function formatTime(clock: Pick<WallClock, 'hour' | 'minute'>): string {
  return `${pad(clock.hour)}:${pad(clock.minute)}`;
}

const zoneFormats = new Map<string, Intl.DateTimeFormat>();

function zoneFormat(timeZone: string): Intl.DateTimeFormat {
  let format = zoneFormats.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-US', {
        timeZone,
        hourCycle: 'h23',
        year: 'numeric',
        month: 'numeric',
        day: 'numeric',
        hour: 'numeric',
        minute: 'numeric',
      });
    } catch {
      // An unknown zone name must not stop a receipt; UTC is at least unambiguous.
      return zoneFormat('UTC');
    }
    zoneFormats.set(timeZone, format);
  }
  return format;
}

/** The date and time an instant shows on a wall clock in `timeZone` (IANA name). */
export function wallClock(instant: Date | string | number, timeZone: string): WallClock {
  const date = instant instanceof Date ? instant : new Date(instant);
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a time: ${String(instant)}`);
  const parts: Record<string, number> = {};
  for (const part of zoneFormat(timeZone).formatToParts(date)) {
    if (part.type !== 'literal') parts[part.type] = Number(part.value);
  }
  return {
    year: parts.year ?? 0,
    month: parts.month ?? 1,
    day: parts.day ?? 1,
    hour: (parts.hour ?? 0) % 24,
    minute: parts.minute ?? 0,
  };
}

/** How far `timeZone`'s wall clock is ahead of UTC at `instantMs` (ms, whole minutes). */
function zoneOffsetMs(instantMs: number, timeZone: string): number {
  const minute = Math.floor(instantMs / 60_000) * 60_000;
  const wall = wallClock(minute, timeZone);
  return Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute) - minute;
}

/** The instant (ms) `timeZone`'s wall clock reads midnight starting `year`-`month`-`day`. */
function zoneMidnightMs(year: number, month: number, day: number, timeZone: string): number {
  const wallMs = Date.UTC(year, month - 1, day);
  // The offset at the guess, not at `instant`: a day that changes offset (summer time) starts
  // at its own.
  const guess = wallMs - zoneOffsetMs(wallMs, timeZone);
  return wallMs - zoneOffsetMs(guess, timeZone);
}

/**
 * The calendar day an instant falls in on `timeZone`'s wall clock (the site's, not the device's:
 * a kiosk's clock may be set to UTC), as `YYYY-MM-DD`, with the instants (ms) of that day's
 * midnight and the next. At 01:51 in Gaborone (UTC+2) that is the new day, though UTC is still
 * on the old one.
 */
export function dayInZone(
  instant: Date | string | number,
  timeZone: string,
): { day: string; startMs: number; endMs: number } {
  const wall = wallClock(instant, timeZone);
  const next = new Date(Date.UTC(wall.year, wall.month - 1, wall.day + 1));
  return {
    day: `${wall.year}-${pad(wall.month)}-${pad(wall.day)}`,
    startMs: zoneMidnightMs(wall.year, wall.month, wall.day, timeZone),
    endMs: zoneMidnightMs(
      next.getUTCFullYear(),
      next.getUTCMonth() + 1,
      next.getUTCDate(),
      timeZone,
    ),
  };
}

/** An instant's date in words in `timeZone`: "14 November 2026". */
export function formatDayOf(
  instant: Date | string | number,
  language: LanguageCode,
  timeZone: string,
): string {
  return formatDate(wallClock(instant, timeZone), language);
}

/** An instant's date and time in `timeZone`: "14 November 2026, 10:30". */
export function formatDateTime(
  instant: Date | string | number,
  language: LanguageCode,
  timeZone: string,
): string {
  const clock = wallClock(instant, timeZone);
  return `${formatDate(clock, language)}, ${formatTime(clock)}`;
}

/** An instant's time of day in `timeZone`: "10:30". */
export function formatTimeOf(instant: Date | string | number, timeZone: string): string {
  return formatTime(wallClock(instant, timeZone));
}

/** Why a typed date was refused; each has its own message for the citizen. */
export type DateProblem =
  /** Not three numbers in year, month, day order. */
  | { kind: 'format' }
  /** Day and month first, year last (01/04/1990): the kiosk asks for the year first. */
  | { kind: 'year-last' }
  | { kind: 'month'; month: number }
  /** The month exists but has no such day: 1992-02-30. */
  | { kind: 'day'; year: number; month: number; day: number; days: number };

export type DateInput =
  { ok: true; date: CalendarDate; iso: string } | { ok: false; problem: DateProblem };

/**
 * Reads a date typed on the on-screen date pad or a hardware keyboard, year first, with or
 * without separators: `1990-04-01`, `19900401`, `1990/4/1`, `1990.04.01`, `1990 4 1`. An
 * impossible date is refused with what is wrong with it, never moved to another day (no
 * `Date` rollover: 1992-02-30 is not read as 1 March).
 */
export function parseDateInput(text: string): DateInput {
  const trimmed = text.trim();
  let parts: string[];
  if (/^\d{8}$/.test(trimmed)) {
    parts = [trimmed.slice(0, 4), trimmed.slice(4, 6), trimmed.slice(6, 8)];
  } else if (/^\d+([-/.\s]+\d+){2}$/.test(trimmed)) {
    parts = trimmed.split(/[-/.\s]+/);
  } else {
    return { ok: false, problem: { kind: 'format' } };
  }
  const [y = '', m = '', d = ''] = parts;
  if (y.length !== 4 || m.length > 2 || d.length > 2) {
    const yearLast = d.length === 4 && y.length <= 2 && m.length <= 2;
    return { ok: false, problem: { kind: yearLast ? 'year-last' : 'format' } };
  }
  const year = Number(y);
  const month = Number(m);
  const day = Number(d);
  if (month < 1 || month > 12) return { ok: false, problem: { kind: 'month', month } };
  const days = daysInMonth(year, month);
  if (day < 1 || day > days) return { ok: false, problem: { kind: 'day', year, month, day, days } };
  const date = { year, month, day };
  return { ok: true, date, iso: isoDate(date) };
}

/** A stored `YYYY-MM-DD` answer as a calendar date, or undefined when it is not a real day. */
export function parseIsoDate(text: string): CalendarDate | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
  const parsed = parseDateInput(text);
  return parsed.ok ? parsed.date : undefined;
}
