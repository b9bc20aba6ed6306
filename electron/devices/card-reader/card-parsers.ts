import { isValidReferenceNumber } from '../../../sync/client/reference-number';
import type { CardRead } from '../../../sync/bridge/device-payloads';
import { luhnValid as luhnCheckDigitValid } from '../../../kiosk-config/field-validation';

/**
 * Parsers for what a card reader or scanner delivers as text. They return the few fields the
 * kiosk uses, never the raw track; a read that is partial, garbled or fails its check digit is
 * rejected with a code and a sentence that can be shown to the person holding the card.
 */
export type CardSource = CardRead['source'];

export type CardRejectCode =
  | 'empty-read'
  | 'partial-read'
  | 'garbled-read'
  | 'track1-format'
  | 'track2-format'
  | 'pan-check-failed'
  | 'bad-expiry'
  | 'officer-card-issuer'
  | 'officer-card-expired'
  | 'reference-check-failed'
  | 'unrecognised';

const messages: Record<CardRejectCode, string> = {
  'empty-read': 'Nothing was read. Please swipe the card again.',
  'partial-read': 'The card was only partly read. Please swipe it again at an even speed.',
  'garbled-read': 'The reader sent something the kiosk cannot read. Please try again.',
  'track1-format': 'The card could not be read. Please swipe it again.',
  'track2-format': 'The card could not be read. Please swipe it again.',
  'pan-check-failed': 'The card number did not check out. Please swipe it again.',
  'bad-expiry': 'The card has an invalid expiry date.',
  'officer-card-issuer': 'This officer card is not for this service network.',
  'officer-card-expired': 'This officer card has expired. Please ask for a new one.',
  'reference-check-failed': 'That reference number is not valid. Please scan the receipt again.',
  unrecognised: 'This card or code is not one the kiosk uses.',
};

export function rejectRead(code: CardRejectCode, source: CardSource): CardRead {
  return { kind: 'rejected', code, message: messages[code], source };
}

/** ISO/IEC 7812 check digit (Luhn) on a card number of 2 to 19 digits. */
export function luhnValid(digits: string): boolean {
  return /^[0-9]{2,19}$/.test(digits) && luhnCheckDigitValid(digits);
}

export interface Track2 {
  pan: string;
  /** `YYMM` as stored on the card. */
  expiry: string;
  serviceCode: string;
  discretionary: string;
}

export interface Track1 extends Track2 {
  name: string;
}

export type TrackResult<T> = { ok: true; value: T } | { ok: false; code: CardRejectCode };

/** Track 2 (numeric, 5-bit): `;PAN=YYMMSSS<discretionary>?`, optional LRC after `?`. */
export function parseTrack2(text: string): TrackResult<Track2> {
  if (!text.startsWith(';')) return { ok: false, code: 'track2-format' };
  if (!/\?.?$/.test(text)) return { ok: false, code: 'partial-read' };
  const match = /^;([0-9]{1,19})=([0-9]{4})([0-9]{3})([0-9]*)\?.?$/.exec(text);
  if (!match) return { ok: false, code: 'track2-format' };
  const [, pan = '', expiry = '', serviceCode = '', discretionary = ''] = match;
  if (text.length > 41) return { ok: false, code: 'track2-format' };
  return { ok: true, value: { pan, expiry, serviceCode, discretionary } };
}

/** Track 1 (alphanumeric, 7-bit): `%B PAN ^ NAME ^ YYMM SSS <discretionary> ?`. */
export function parseTrack1(text: string): TrackResult<Track1> {
  if (!text.startsWith('%')) return { ok: false, code: 'track1-format' };
  if (!/\?.?$/.test(text)) return { ok: false, code: 'partial-read' };
  const match = /^%B([0-9]{1,19})\^([A-Z0-9 /.'-]{2,26})\^([0-9]{4})([0-9]{3})([ -~]*?)\?.?$/.exec(
    text,
  );
  if (!match || text.length > 79) return { ok: false, code: 'track1-format' };
  const [, pan = '', name = '', expiry = '', serviceCode = '', discretionary = ''] = match;
  return { ok: true, value: { pan, name: name.trim(), expiry, serviceCode, discretionary } };
}

function expiryMonth(yymm: string): string | undefined {
  const month = Number(yymm.slice(2, 4));
  if (month < 1 || month > 12) return undefined;
  return `20${yymm.slice(0, 2)}-${yymm.slice(2, 4)}`;
}

/**
 * The officer card: a track 2 whose card number is `99` (ISO/IEC 7812 "national use") + the
 * 4-digit issuer + the 8-digit officer id + a Luhn check digit (15 digits), then the expiry
 * month `YYMM` and service code `000`. Example: `;990001000123455=2712000?`.
 */
export const OFFICER_CARD_PREFIX = '99';

function isOfficerPan(pan: string): boolean {
  return pan.length === 15 && pan.startsWith(OFFICER_CARD_PREFIX);
}

export interface ParseOptions {
  /** The site's officer card issuer (`officerCardIssuer` in the devices config). */
  officerIssuer: string;
  /** For the expiry check. */
  now: Date;
}

function fromTrack2(track: Track2, source: CardSource, options: ParseOptions): CardRead {
  if (!luhnValid(track.pan)) return rejectRead('pan-check-failed', source);
  const expires = expiryMonth(track.expiry);
  if (!expires) return rejectRead('bad-expiry', source);
  if (isOfficerPan(track.pan)) {
    if (track.pan.slice(2, 6) !== options.officerIssuer) {
      return rejectRead('officer-card-issuer', source);
    }
    const thisMonth = `${options.now.getUTCFullYear()}-${String(options.now.getUTCMonth() + 1).padStart(2, '0')}`;
    if (expires < thisMonth) return rejectRead('officer-card-expired', source);
    return { kind: 'officer', officerId: track.pan.slice(6, 14), expires, source };
  }
  return { kind: 'bank-card', last4: track.pan.slice(-4), expires, source };
}

/** A reference number as printed in the receipt's QR code or typed from it. */
export function parseReferenceBarcode(text: string, source: CardSource): CardRead {
  // The on-screen receipt's QR code carries an `SP:` prefix; printed ones may not.
  const ref = text.trim().toUpperCase().replace(/^SP:/, '');
  if (!/^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$/.test(ref)) return rejectRead('unrecognised', source);
  if (!isValidReferenceNumber(ref)) return rejectRead('reference-check-failed', source);
  return { kind: 'reference', ref, source };
}

/**
 * Classifies one complete read (everything up to the reader's Enter). A swipe that carries both
 * tracks (`%…?;…?`) is read from track 2, which is what the officer card defines; track 1 then
 * only has to be well formed.
 */
export function parseCardRead(raw: string, source: CardSource, options: ParseOptions): CardRead {
  const text = raw.replace(/[\r\n]+$/, '');
  if (text.trim().length === 0) return rejectRead('empty-read', source);
  if (text.startsWith('%')) {
    const split = text.indexOf('?;');
    const track1Text = split === -1 ? text : text.slice(0, split + 1);
    const track1 = parseTrack1(track1Text);
    if (!track1.ok) return rejectRead(track1.code, source);
    if (split !== -1) {
      const track2 = parseTrack2(text.slice(split + 1));
      if (!track2.ok) return rejectRead(track2.code, source);
      if (track2.value.pan !== track1.value.pan) return rejectRead('partial-read', source);
      return fromTrack2(track2.value, source, options);
    }
    return fromTrack2(track1.value, source, options);
  }
  if (text.startsWith(';')) {
    const track2 = parseTrack2(text);
    return track2.ok ? fromTrack2(track2.value, source, options) : rejectRead(track2.code, source);
  }
  return parseReferenceBarcode(text, source);
}
