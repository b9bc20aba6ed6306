import CodepageEncoder from '@point-of-sale/codepage-encoder';
import type { Codepage } from '@point-of-sale/codepage-encoder';

/**
 * Turns any Unicode text into runs of characters that print as text on a receipt printer, each
 * with the code page it is to be sent in. The danger is after encoding: a code page's table may
 * place a symbol on a control byte (CP437 puts • on 0x07, → on 0x1A, ← on 0x1B = ESC), and the
 * printer then obeys it as a command (bell, cancel, escape sequences: letter spacing, reset, cut,
 * cash drawer). So a character is only ever sent in a code page where its byte is a text byte
 * (0x20-0x7E or 0x80-0xFF): another code page where it is printable, else a plain look-alike
 * (`->`, `*`, the letter without its accent), else `?`. Control and format characters (C0, C1,
 * bidirectional overrides, zero-width marks) never print. Pure; the same rule holds for ESC/POS
 * and Star command sets, which both reserve only bytes below 0x20 (and DEL) for commands.
 */
export interface TextRun {
  codepage: Codepage;
  text: string;
}

/** A byte that ESC/POS and Star printers take as a character in text, never as a command. */
export function isTextByte(byte: number): boolean {
  return (byte >= 0x20 && byte <= 0x7e) || (byte >= 0x80 && byte <= 0xff);
}

/** Code pages tried first, in this order, when the model has them (receipt languages: en, es, tn, bzj). */
const preferredCodepages: readonly Codepage[] = [
  'cp437',
  'windows1252',
  'cp858',
  'cp850',
  'iso8859-15',
  'iso8859-1',
];

/** The model's code pages in the order the receipt tries them. */
export function codepageOrder(modelCodepages: readonly Codepage[]): Codepage[] {
  const preferred = preferredCodepages.filter((page) => modelCodepages.includes(page));
  return [...preferred, ...modelCodepages.filter((page) => !preferred.includes(page))];
}

const tables = new Map<Codepage, Map<number, number>>();

/**
 * Code point → byte, as the encoder's own `CodepageEncoder.encode` picks it (the first position
 * holding the code point), keeping only text bytes.
 */
function textBytes(codepage: Codepage): Map<number, number> {
  let table = tables.get(codepage);
  if (table) return table;
  table = new Map();
  const codepoints = CodepageEncoder.getEncoding(codepage).codepoints;
  codepoints.forEach((codepoint, byte) => {
    if (typeof codepoint !== 'number' || codepoint === 0xfffd) return;
    if (table?.has(codepoint)) return;
    // Record unsafe positions too (as -1), so a later safe duplicate is not preferred over what
    // the encoder would really send.
    table?.set(codepoint, isTextByte(byte) ? byte : -1);
  });
  tables.set(codepage, table);
  return table;
}

/** The byte `char` (one BMP code point) becomes in `codepage`, if that byte is text. */
export function textByteFor(char: string, codepage: Codepage): number | undefined {
  const codepoint = char.codePointAt(0);
  if (codepoint === undefined || char.length !== 1) return undefined;
  const byte = textBytes(codepage).get(codepoint);
  return byte === undefined || byte < 0 ? undefined : byte;
}

/** Plain look-alikes for symbols that have no printable byte in a code page. */
const lookAlikes: ReadonlyArray<[RegExp, string]> = [
  [/[•◦▪▫●○∙‣⁃◘◙]/u, '*'],
  [/[→⟶➔➜➝➞⇒⇨▶►]/u, '->'],
  [/[←⟵⇐⇦◀◄]/u, '<-'],
  [/[↔⇔]/u, '<->'],
  [/[↑⇑▲]/u, '^'],
  [/[↓⇓▼]/u, 'v'],
  [/[‐‑‒–—―−⁻]/u, '-'],
  [/[‘’‚‛′`´]/u, "'"],
  [/[“”„‟″]/u, '"'],
  [/…/u, '...'],
  [/[✓✔☑]/u, 'v'],
  [/[✗✘☒]/u, 'x'],
  [/€/u, 'EUR'],
  [/[\u00a0\u2000-\u200a\u202f\u205f\u3000]/u, ' '],
];

/** Characters that never print: controls, format characters (bidi, zero-width), surrogates. */
const neverPrinted = /^[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]$/u;

/**
 * Splits `text` into runs, each to be sent with its code page. `codepages` are the pages allowed,
 * in order of preference (see `codepageOrder`). A line break is not text: callers print lines.
 */
export function printableRuns(text: string, codepages: readonly Codepage[]): TextRun[] {
  const runs: TextRun[] = [];
  const common = codepages.filter((page) => preferredCodepages.includes(page));
  const others = codepages.filter((page) => !preferredCodepages.includes(page));
  let current: Codepage | undefined;

  const pageFor = (char: string, pages: readonly Codepage[]): Codepage | undefined =>
    current !== undefined && textByteFor(char, current) !== undefined
      ? current
      : pages.find((candidate) => textByteFor(char, candidate) !== undefined);

  const place = (char: string, page: Codepage): void => {
    const last = runs[runs.length - 1];
    if (last && last.codepage === page) last.text += char;
    else runs.push({ codepage: page, text: char });
    current = page;
  };

  /** Places every character of `replacement` if each one prints in some allowed page. */
  const placeAll = (replacement: string): boolean => {
    const chars = [...replacement];
    const pages = chars.map((c) => pageFor(c, [...common, ...others]));
    if (pages.some((page) => page === undefined)) return false;
    for (const c of chars) {
      const page = pageFor(c, [...common, ...others]);
      if (page) place(c, page);
    }
    return true;
  };

  for (const char of text) {
    if (char === '\t') {
      placeAll(' ');
      continue;
    }
    if (neverPrinted.test(char)) continue;
    // The symbol itself in a common page; else its look-alike (an arrow is not worth a switch to
    // a Thai or Greek page); else the letter in its own script's page; else without its accent.
    const common1 = pageFor(char, common);
    if (common1) {
      place(char, common1);
      continue;
    }
    const lookAlike = lookAlikes.find(([pattern]) => pattern.test(char))?.[1];
    if (lookAlike !== undefined && placeAll(lookAlike)) continue;
    const other = pageFor(char, others);
    if (other) {
      place(char, other);
      continue;
    }
    const plain = char.normalize('NFKD').replace(/\p{M}/gu, '');
    if (plain.length > 0 && plain !== char && !neverPrinted.test(plain) && placeAll(plain))
      continue;
    placeAll('?');
  }
  return runs;
}
