import type { FieldType, LanguageCode } from '../../kiosk-config/schema';

/** Which on-screen layout a field gets; fields answered by touching options get none. */
export type KeyboardKind = 'text' | 'numeric' | 'amount' | 'phone' | 'date' | 'code';

export function keyboardKindFor(type: FieldType): KeyboardKind | undefined {
  switch (type) {
    case 'text':
      return 'text';
    case 'number':
    case 'national-id':
      return 'numeric';
    case 'amount':
      return 'amount';
    case 'phone':
      return 'phone';
    case 'date':
      return 'date';
    default:
      return undefined;
  }
}

/** Letters a language needs beyond a-z, on their own row so nobody hunts for a long press. */
const extraLetters: Record<LanguageCode, string> = {
  en: '',
  bzj: '',
  es: 'á é í ó ú ñ ü',
  tn: 'š ê ô',
};

/**
 * The extra letters a letter keyboard offers for `languages` (the screen's language first, then
 * the site's others): each letter once, in that order. A name is written in its own language
 * whatever language the screen is in, so a Belizean reading English can still type "Peña" and a
 * Motswana "Mošwaane".
 */
export function extraLettersFor(languages: readonly LanguageCode[]): string[] {
  return [...new Set(languages.flatMap((language) => extraLetters[language].split(' ')))].filter(
    (letter) => letter !== '',
  );
}

/** simple-keyboard's layout shape: named layers of rows. */
export type KeyboardLayout = Record<string, string[]>;

/**
 * What a code field (capital letters and digits: a licence, a plate, a company number) takes
 * beyond letters and digits, read from its catalogue pattern: a dash key and a space key only
 * where the pattern has the character outside a range (`A-Z`, `a-z`, `0-9`), and capitals only
 * when it has `A-Z` without `a-z` (small letters typed on a hardware keyboard become capitals).
 */
export interface CodeKeys {
  dash: boolean;
  space: boolean;
  capitalsOnly: boolean;
}

export function codeKeys(pattern: string): CodeKeys {
  const literal = pattern.replace(/A-Z|a-z|0-9/g, '');
  return {
    dash: literal.includes('-'),
    space: literal.includes(' ') || literal.includes('\\s'),
    capitalsOnly: pattern.includes('A-Z') && !pattern.includes('a-z'),
  };
}

/**
 * Whether a text field's pattern takes digits only (`^[0-9]+$`, `^\\d{6,20}$`: an account or a
 * meter number): such a field gets the number pad, not the letter keyboard.
 */
export function digitsOnly(pattern: string | undefined): boolean {
  return pattern !== undefined && /^\^(\[0-9\]|\\d)(\+|\*|\{\d+(,\d*)?\})\$$/.test(pattern);
}

/**
 * Whether a free text field takes digits, read from its catalogue pattern: always without one; with
 * one, only where it names digits (`0-9`, `\d`, `\p{N}`). A name (letters, spaces, dots,
 * apostrophes, hyphens) gets no digit row, so no key offers what the field refuses.
 */
export function textTakesDigits(pattern: string | undefined): boolean {
  return pattern === undefined || /0-9|\\d|\\p\{N/.test(pattern);
}

/** simple-keyboard layouts: rows of space-separated buttons; `{…}` are function keys. */
export function keyboardLayout(
  kind: KeyboardKind,
  /** Whose extra letters a letter keyboard has (`extraLettersFor`): the screen's language first. */
  languages: readonly LanguageCode[],
  code: CodeKeys = { dash: true, space: false, capitalsOnly: true },
  text: { digits: boolean } = { digits: true },
): KeyboardLayout {
  switch (kind) {
    case 'numeric':
      return { default: ['7 8 9', '4 5 6', '1 2 3', '{bksp} 0 {enter}'] };
    case 'amount':
      // Money has a decimal point (12.50); the digits keep the numeric pad's places.
      return { default: ['7 8 9', '4 5 6', '1 2 3', '. 0 {bksp}', '{enter}'] };
    case 'phone':
      return { default: ['7 8 9', '4 5 6', '1 2 3', '+ 0 {bksp}', '{space} {enter}'] };
    case 'date':
      return { default: ['7 8 9', '4 5 6', '1 2 3', '- 0 {bksp}', '{enter}'] };
    case 'code':
      // No key the field would refuse: the dash and the space only where its pattern has them.
      return {
        default: [
          '1 2 3 4 5 6 7 8 9 0',
          'Q W E R T Y U I O P',
          `A S D F G H J K L${code.dash ? ' -' : ''}`,
          'Z X C V B N M {bksp}',
          code.space ? '{space} {enter}' : '{enter}',
        ],
      };
    case 'text': {
      const extra = extraLettersFor(languages).join(' ');
      // The word keys (capitals, space, delete, next) share the last row, so no letter row is
      // wider than ten keys: at 200% zoom on a portrait screen every key stays on screen. The dot
      // is for initials and titles ("Dr. K. Molefe"); the digit row only where the field takes
      // digits (`textTakesDigits`).
      const lower = [
        ...(text.digits ? ['1 2 3 4 5 6 7 8 9 0'] : []),
        'q w e r t y u i o p',
        'a s d f g h j k l',
        "z x c v b n m ' - .",
      ];
      const upper = lower.map((row) =>
        row
          .split(' ')
          .map((key) => (key.startsWith('{') ? key : key.toUpperCase()))
          .join(' '),
      );
      const extraRow = extra ? [extra] : [];
      const extraUpper = extra ? [extra.toUpperCase()] : [];
      const words = '{shift} {space} {bksp} {enter}';
      return {
        default: [...lower, ...extraRow, words],
        shift: [...upper, ...extraUpper, words],
      };
    }
  }
}

/**
 * Applies one key press to an answer. Dates get their dashes typed for them (year-month-day),
 * so a citizen only types digits.
 */
export function applyKey(kind: KeyboardKind, value: string, key: string): string {
  if (key === '{bksp}') {
    const chars = [...value];
    chars.pop();
    if (kind === 'date' && chars[chars.length - 1] === '-') chars.pop();
    return chars.join('');
  }
  if (key === '{space}') return `${value} `;
  if (key.startsWith('{')) return value;
  if (kind === 'date') {
    if (key === '-') return value;
    const digits = value.replace(/\D/g, '');
    if (digits.length >= 8) return value;
    const next = digits + key;
    let formatted = next.slice(0, 4);
    if (next.length >= 4) formatted += `-${next.slice(4, 6)}`;
    if (next.length >= 6) formatted += `-${next.slice(6, 8)}`;
    return formatted;
  }
  return value + key;
}
