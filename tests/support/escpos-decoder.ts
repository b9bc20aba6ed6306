/**
 * A decoder for the subset of ESC/POS that the receipt encoder emits, written from the Epson
 * command reference so tests can read a printed receipt back. Anything outside the subset throws,
 * so a change in what the encoder sends is noticed rather than skipped.
 */
export interface DecodedSpan {
  text: string;
  bold: boolean;
  invert: boolean;
  underline: boolean;
  /** Character magnification from `GS !` (1 = normal). */
  width: number;
  height: number;
}

export interface DecodedLine {
  spans: DecodedSpan[];
  /** `ESC a` justification in force when the line started (the encoder mostly pads instead). */
  align: 'left' | 'center' | 'right';
  text: string;
}

export interface DecodedQr {
  data: string;
  model: number;
  moduleSize: number;
  errorLevel: 'L' | 'M' | 'Q' | 'H';
  /** Index in `lines` where the symbol is printed (before that line). */
  beforeLine: number;
}

export interface DecodedReceipt {
  lines: DecodedLine[];
  qrCodes: DecodedQr[];
  cuts: Array<'full' | 'partial'>;
  codePages: number[];
  initialized: boolean;
  /** `GS r n` requests in the job (n), in order. */
  statusRequests: number[];
}

// Upper half of IBM code page 437, as printed by Epson's "PC437 (USA: Standard Europe)".
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

if ([...CP437_HIGH].length !== 128) throw new Error('CP437 table must have 128 entries');

// Upper half of IBM code page 850 (Epson page 2, "PC850: Multilingual"): the encoder picks it
// for capitals such as Ó (REIMPRESIÓN) that CP437 lacks.
const CP850_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜø£Ø×ƒáíóúñÑªº¿®¬½¼¡«»░▒▓│┤ÁÂÀ©╣║╗╝¢¥┐└┴┬├─┼ãÃ╚╔╩╦╠═╬¤ðÐÊËÈıÍÎÏ┘┌█▄¦Ì▀ÓßÔÒõÕµþÞÚÛÙýÝ¯´\u00ad±‗¾¶§÷¸°¨·¹³²■\u00a0';
if ([...CP850_HIGH].length !== 128) throw new Error('CP850 table must have 128 entries');

// Windows-1252 differs from Latin-1 only in 0x80-0x9F. Node 20's TextDecoder treats it as
// Latin-1 there, so the table is spelled out (? marks the five unassigned bytes).
const CP1252_80_9F = '€?‚ƒ„…†‡ˆ‰Š‹Œ?Ž??‘’“”•–—˜™š›œ?žŸ';
if ([...CP1252_80_9F].length !== 32) throw new Error('CP1252 table must have 32 entries');

/** Epson `ESC t n` page numbers the receipts use, mapped to a decoder. */
const codePageDecoders: Record<number, (byte: number) => string> = {
  0: (byte) => (byte < 0x80 ? String.fromCharCode(byte) : ([...CP437_HIGH][byte - 0x80] ?? '?')),
  2: (byte) => (byte < 0x80 ? String.fromCharCode(byte) : ([...CP850_HIGH][byte - 0x80] ?? '?')),
  16: (byte) =>
    byte >= 0x80 && byte < 0xa0
      ? ([...CP1252_80_9F][byte - 0x80] ?? '?')
      : String.fromCharCode(byte),
};

export function decodeEscPos(bytes: Uint8Array): DecodedReceipt {
  const result: DecodedReceipt = {
    lines: [],
    qrCodes: [],
    cuts: [],
    codePages: [],
    initialized: false,
    statusRequests: [],
  };
  const style = { bold: false, invert: false, underline: false, width: 1, height: 1 };
  let align = 'left' as DecodedLine['align'];
  let codePage = 0;
  let spans: DecodedSpan[] = [];
  let lineAlign = align;
  const qr = { model: 2, moduleSize: 3, errorLevel: 'L' as DecodedQr['errorLevel'], data: '' };

  const addChar = (char: string): void => {
    if (spans.length === 0) lineAlign = align;
    const last = spans[spans.length - 1];
    if (
      last &&
      last.bold === style.bold &&
      last.invert === style.invert &&
      last.underline === style.underline &&
      last.width === style.width &&
      last.height === style.height
    ) {
      last.text += char;
    } else {
      spans.push({ text: char, ...style });
    }
  };
  const endLine = (): void => {
    result.lines.push({
      spans,
      align: spans.length > 0 ? lineAlign : align,
      text: spans.map((s) => s.text).join(''),
    });
    spans = [];
  };
  const at = (index: number): number => {
    const value = bytes[index];
    if (value === undefined) throw new Error(`ESC/POS: command cut short at byte ${index}`);
    return value;
  };

  let i = 0;
  while (i < bytes.length) {
    const byte = at(i);
    if (byte === 0x0a) {
      endLine();
      i += 1;
    } else if (byte === 0x0d) {
      i += 1;
    } else if (byte === 0x1b) {
      const command = String.fromCharCode(at(i + 1));
      if (command === '@') {
        result.initialized = true;
        Object.assign(style, { bold: false, invert: false, underline: false, width: 1, height: 1 });
        align = 'left';
        codePage = 0;
        i += 2;
        continue;
      }
      const n = at(i + 2);
      if (command === 'E') style.bold = (n & 1) === 1;
      else if (command === '-') style.underline = n !== 0;
      else if (command === 'M') {
        if (n !== 0) throw new Error('ESC/POS: only font A is expected');
      } else if (command === 'a') align = n === 1 ? 'center' : n === 2 ? 'right' : 'left';
      else if (command === 't') {
        if (!codePageDecoders[n]) throw new Error(`ESC/POS: code page ${n} is not in the subset`);
        codePage = n;
        if (!result.codePages.includes(n)) result.codePages.push(n);
      } else throw new Error(`ESC/POS: unexpected ESC ${command} at byte ${i}`);
      i += 3;
    } else if (byte === 0x1c) {
      // FS . cancels Kanji mode: single-byte characters only.
      if (at(i + 1) !== 0x2e) throw new Error(`ESC/POS: unexpected FS at byte ${i}`);
      i += 2;
    } else if (byte === 0x1d) {
      const command = at(i + 1);
      if (command === 0x21) {
        const n = at(i + 2);
        style.width = ((n >> 4) & 0x07) + 1;
        style.height = (n & 0x07) + 1;
        i += 3;
      } else if (command === 0x42) {
        style.invert = (at(i + 2) & 1) === 1;
        i += 3;
      } else if (command === 0x56) {
        const m = at(i + 2);
        if (m === 0 || m === 48) result.cuts.push('full');
        else if (m === 1 || m === 49) result.cuts.push('partial');
        else throw new Error(`ESC/POS: unexpected cut mode ${m}`);
        i += 3;
      } else if (command === 0x72) {
        // GS r n: transmit status, the kiosk's "job processed" confirmation after a job.
        result.statusRequests.push(at(i + 2));
        i += 3;
      } else if (command === 0x28 && at(i + 2) === 0x6b) {
        const length = at(i + 3) + at(i + 4) * 256;
        const cn = at(i + 5);
        const fn = at(i + 6);
        const params = bytes.slice(i + 7, i + 5 + length);
        if (cn !== 0x31) throw new Error('ESC/POS: only QR symbols are expected');
        if (fn === 0x41) qr.model = (params[0] ?? 0x32) - 0x30;
        else if (fn === 0x43) qr.moduleSize = params[0] ?? 3;
        else if (fn === 0x45) {
          qr.errorLevel = (['L', 'M', 'Q', 'H'] as const)[(params[0] ?? 0x30) - 0x30] ?? 'L';
        } else if (fn === 0x50) qr.data = new TextDecoder('latin1').decode(params.slice(1));
        else if (fn === 0x51) {
          result.qrCodes.push({ ...qr, beforeLine: result.lines.length + (spans.length ? 1 : 0) });
        } else throw new Error(`ESC/POS: unexpected QR function ${fn}`);
        i += 5 + length;
      } else {
        throw new Error(`ESC/POS: unexpected GS 0x${command.toString(16)} at byte ${i}`);
      }
    } else if (byte < 0x20) {
      throw new Error(`ESC/POS: unexpected control byte 0x${byte.toString(16)} at byte ${i}`);
    } else {
      const decode = codePageDecoders[codePage];
      addChar(decode ? decode(byte) : '?');
      i += 1;
    }
  }
  if (spans.length > 0) endLine();
  return result;
}

/** The printed words, whitespace collapsed, for "does the receipt say X" checks. */
export function printedText(receipt: DecodedReceipt): string {
  return receipt.lines
    .map((line) => line.text.trim())
    .filter((text) => text.length > 0)
    .join(' ')
    .replace(/─+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}
