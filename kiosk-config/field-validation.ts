import { daysInMonth, isoDate, parseDateInput, parseIsoDate } from './formatting';
import type { CalendarDate, DateProblem } from './formatting';
import type { DateBound, FieldDefinition, LocalizedText } from './schema';

/** A failed check: a message key from the translations and its ICU arguments. */
export interface FieldProblem {
  key:
    | 'form.error.required'
    | 'form.error.tooShort'
    | 'form.error.tooLong'
    | 'form.error.pattern'
    | 'form.error.controlCharacter'
    | 'form.error.number'
    | 'form.error.amount'
    | 'form.error.amountMin'
    | 'form.error.amountMax'
    | 'form.error.integer'
    | 'form.error.min'
    | 'form.error.max'
    | 'form.error.date'
    | 'form.error.dateYearLast'
    | 'form.error.dateMonth'
    | 'form.error.dateDay'
    | 'form.error.dateFuture'
    | 'form.error.dateTooLate'
    | 'form.error.dateTooEarly'
    | 'form.error.phone'
    | 'form.error.choice'
    | 'form.error.nationalId'
    | 'form.error.checkDigit'
    | 'form.error.documents'
    | 'form.error.consent';
  values?: Record<string, number | string>;
  /** The catalogue's own sentence for this problem (an id scheme's digit rule), shown instead. */
  message?: LocalizedText;
}

/**
 * What a check needs beyond the answer: `today`, the site's date (`YYYY-MM-DD` on the wall clock
 * of its country's time zone), for date limits such as "not after today". Without it, the date
 * of this machine's own clock is used.
 */
export interface FieldCheckContext {
  today?: string;
  /**
   * The service's currency (ISO 4217, its `fee.currency`): an amount's limits are then said as
   * money ("The largest amount allowed is BZ$100,000.00", values `{amount: minor units,
   * currency}`); without it, as plain numbers (`form.error.min` / `form.error.max`).
   */
  currency?: string;
}

/** Today's date on this machine's clock, `YYYY-MM-DD` (only when no site date is given). */
function machineToday(): string {
  const now = new Date();
  return isoDate({ year: now.getFullYear(), month: now.getMonth() + 1, day: now.getDate() });
}

/**
 * A date limit as a calendar date: `YYYY-MM-DD` as written; `today` moved by whole years (a
 * 29 February lands on the 28th in a common year) or days. Undefined for a limit that is no day.
 */
export function resolveDateBound(bound: DateBound, today: string): CalendarDate | undefined {
  if (!bound.startsWith('today')) return parseIsoDate(bound);
  const base = parseIsoDate(today);
  if (!base) return undefined;
  const shift = /^today([+-])(\d+)([dy])$/.exec(bound);
  if (!shift) return base;
  const amount = Number(shift[2]) * (shift[1] === '-' ? -1 : 1);
  if (shift[3] === 'y') {
    const year = base.year + amount;
    return { year, month: base.month, day: Math.min(base.day, daysInMonth(year, base.month)) };
  }
  const moved = new Date(Date.UTC(base.year, base.month - 1, base.day + amount));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/** Separator for the ticked items of a document checklist, kept as one string answer. */
export const LIST_SEPARATOR = ',';
export const CONSENT_GIVEN = 'yes';

export function splitList(value: string | undefined): string[] {
  return (value ?? '').split(LIST_SEPARATOR).filter((item) => item !== '');
}

/**
 * What to tell a citizen about a refused date. `month` and `days` are for the sentence; the
 * screen writes the month's name in the citizen's language (ICU `select` on `month`).
 */
export function dateProblem(problem: DateProblem): FieldProblem {
  switch (problem.kind) {
    case 'format':
      return { key: 'form.error.date' };
    case 'year-last':
      return { key: 'form.error.dateYearLast' };
    case 'month':
      return { key: 'form.error.dateMonth', values: { month: problem.month } };
    case 'day':
      return {
        key: 'form.error.dateDay',
        values: {
          day: problem.day,
          month: problem.month,
          year: problem.year,
          days: problem.days,
        },
      };
  }
}

/**
 * A date answer in the form it is stored and sent (`YYYY-MM-DD`), from what was typed with or
 * without separators; the text itself when it is not a real date (the check then refuses it).
 */
export function canonicalDate(value: string): string {
  const parsed = parseDateInput(value);
  return parsed.ok ? parsed.iso : value.trim();
}

/** Luhn (ISO/IEC 7812): from the right, double every second digit; the sum ends in 0. */
export function luhnValid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/**
 * Mod 11 with weights 2, 3, 4, … from the right of the body; the check digit is
 * `(11 - sum % 11) % 11`, and a result of 10 is never issued (such ids are invalid).
 */
export function mod11Valid(digits: string): boolean {
  if (!/^\d{2,}$/.test(digits)) return false;
  const body = digits.slice(0, -1);
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) {
    sum += Number(body[body.length - 1 - i]) * (i + 2);
  }
  const check = (11 - (sum % 11)) % 11;
  return check !== 10 && check === Number(digits[digits.length - 1]);
}

/** Ids are typed with spaces or dashes as printed on cards; only the characters count. */
export function normalizeNationalId(value: string): string {
  return value.replace(/[\s-]/g, '').toUpperCase();
}

/**
 * C0 and C1 control characters (U+0000-U+001F, U+007F-U+009F, Unicode's `Cc` category): never
 * typed on purpose, but a faulty key or keyboard layout can produce one (a NUL in place of an
 * accented letter) and it would be stored, sent and printed invisibly. No field type asks for
 * line breaks today, so every typed answer refuses them all, line breaks and tabs included.
 */
const CONTROL_CHARACTER = /\p{Cc}/u;

/** Whether a field is asked, given the answers so far (its `showIf` rule). */
export function isFieldShown(field: FieldDefinition, answers: Record<string, string>): boolean {
  const rule = field.showIf;
  if (!rule) return true;
  const answer = answers[rule.field] ?? '';
  if (rule.equals !== undefined) return answer === rule.equals;
  return rule.in?.includes(answer) ?? false;
}

/**
 * Checks one answer against its field definition. Values are the strings the citizen typed or
 * chose; the same check runs before review and again before commit.
 */
export function checkField(
  field: FieldDefinition,
  raw: string | undefined,
  context: FieldCheckContext = {},
): FieldProblem | undefined {
  const value = (raw ?? '').trim();
  if (field.type === 'documents') {
    const ticked = splitList(value);
    const known = ticked.every((id) => field.items.some((item) => item.id === id));
    if (!known) return { key: 'form.error.choice' };
    if (field.required && ticked.length < field.items.length)
      return { key: 'form.error.documents', values: { count: field.items.length - ticked.length } };
    return undefined;
  }
  if (field.type === 'consent') {
    if (value === CONSENT_GIVEN) return undefined;
    return field.required || value !== '' ? { key: 'form.error.consent' } : undefined;
  }
  if (value === '') return field.required ? { key: 'form.error.required' } : undefined;
  if (CONTROL_CHARACTER.test(raw ?? '')) return { key: 'form.error.controlCharacter' };
  switch (field.type) {
    case 'text': {
      const length = [...value].length;
      if (length < field.minLength)
        return { key: 'form.error.tooShort', values: { min: field.minLength } };
      if (length > field.maxLength)
        return { key: 'form.error.tooLong', values: { max: field.maxLength } };
      if (field.pattern && !new RegExp(field.pattern, 'u').test(value))
        return field.patternMessage
          ? { key: 'form.error.pattern', message: field.patternMessage }
          : { key: 'form.error.pattern' };
      return undefined;
    }
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(value)) return { key: 'form.error.number' };
      const number = Number(value);
      if (field.integer && !Number.isInteger(number)) return { key: 'form.error.integer' };
      if (field.min !== undefined && number < field.min)
        return { key: 'form.error.min', values: { min: field.min } };
      if (field.max !== undefined && number > field.max)
        return { key: 'form.error.max', values: { max: field.max } };
      return undefined;
    }
    case 'amount': {
      const limit = (kind: 'min' | 'max', bound: number): FieldProblem =>
        context.currency
          ? {
              key: kind === 'min' ? 'form.error.amountMin' : 'form.error.amountMax',
              values: { amount: Math.round(bound * 100), currency: context.currency },
            }
          : kind === 'min'
            ? { key: 'form.error.min', values: { min: bound } }
            : { key: 'form.error.max', values: { max: bound } };
      const minor = amountMinor(value);
      if (minor === undefined) {
        // Written as an amount but past nine digits: too large, not "not an amount".
        if (field.max !== undefined && /^\d{10,}(?:\.\d{1,2})?$/.test(value.trim())) {
          return limit('max', field.max);
        }
        return { key: 'form.error.amount' };
      }
      if (field.min !== undefined && minor < Math.round(field.min * 100))
        return limit('min', field.min);
      if (field.max !== undefined && minor > Math.round(field.max * 100))
        return limit('max', field.max);
      return undefined;
    }
    case 'date': {
      const parsed = parseDateInput(value);
      if (!parsed.ok) return dateProblem(parsed.problem);
      const today = context.today ?? machineToday();
      // ISO dates compare as text.
      const latest = field.notAfter ? resolveDateBound(field.notAfter, today) : undefined;
      if (latest && parsed.iso > isoDate(latest)) {
        return field.notAfter === 'today'
          ? { key: 'form.error.dateFuture' }
          : { key: 'form.error.dateTooLate', values: { limit: isoDate(latest) } };
      }
      const earliest = field.notBefore ? resolveDateBound(field.notBefore, today) : undefined;
      if (earliest && parsed.iso < isoDate(earliest)) {
        return { key: 'form.error.dateTooEarly', values: { limit: isoDate(earliest) } };
      }
      return undefined;
    }
    case 'phone': {
      const digits = value.replace(/[\s()+-]/g, '');
      return /^\d{7,15}$/.test(digits) ? undefined : { key: 'form.error.phone' };
    }
    case 'choice':
      return field.options.some((option) => option.value === value)
        ? undefined
        : { key: 'form.error.choice' };
    case 'national-id': {
      const id = normalizeNationalId(value);
      if (!new RegExp(`^(?:${field.pattern})$`, 'u').test(id))
        return { key: 'form.error.nationalId' };
      const digits = id.replace(/\D/g, '');
      for (const rule of field.digitRules ?? []) {
        if (!rule.allowed.includes(digits[rule.position - 1] ?? '')) {
          return { key: 'form.error.nationalId', message: rule.message };
        }
      }
      if (field.checkDigit === 'luhn' && !luhnValid(digits))
        return { key: 'form.error.checkDigit' };
      if (field.checkDigit === 'mod11' && !mod11Valid(digits))
        return { key: 'form.error.checkDigit' };
      return undefined;
    }
  }
}

/**
 * An `amount` answer in minor units (`12.5` → 1250, `12.50` → 1250, `12` → 1200, `.5` → 50,
 * `12.` → 1200): digits with at most two decimals after a point, at most nine before it (parsed
 * as text, never through a floating-point product). A point with no digits before or after it
 * is read as a number is read aloud ("point five"). Undefined for anything else (`12.505`, `-1`,
 * `1,000`, `.`). Both countries' currencies (BZD, BWP) have two decimals (ISO 4217).
 */
export function amountMinor(value: string): number | undefined {
  const match = /^(\d{0,9})(?:\.(\d{0,2}))?$/.exec(value.trim());
  if (!match || (match[1] === '' && !match[2])) return undefined;
  return Number(match[1] || '0') * 100 + Number((match[2] ?? '').padEnd(2, '0'));
}

/**
 * An amount as it is stored, sent and shown once accepted: major units, a point and two
 * decimals (`.5` → `0.50`, `12` → `12.00`, `007.5` → `7.50`); text that is no amount, trimmed.
 */
export function canonicalAmount(value: string): string {
  const minor = amountMinor(value);
  if (minor === undefined) return value.trim();
  return `${Math.floor(minor / 100)}.${String(minor % 100).padStart(2, '0')}`;
}

/**
 * An answer in the form it is stored and sent once its check passed: dates as `YYYY-MM-DD`,
 * amounts with two decimals, everything else without the spaces around it.
 */
export function canonicalAnswer(field: Pick<FieldDefinition, 'type'>, value: string): string {
  if (field.type === 'date') return canonicalDate(value);
  if (field.type === 'amount') return canonicalAmount(value);
  return value.trim();
}

/** Index of the first shown field whose answer fails its check, or -1. */
export function firstProblem(
  fields: readonly FieldDefinition[],
  answers: Record<string, string>,
  context: FieldCheckContext = {},
): number {
  return fields.findIndex((field) => checkField(field, answers[field.id], context) !== undefined);
}
