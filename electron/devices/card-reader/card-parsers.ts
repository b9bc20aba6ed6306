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

/** One track of a swipe as the reader delivered it. */
export interface SwipeTrack {
  track: 1 | 2 | 3;
  /**
   * `ok` with the track's text (sentinels included), `error` when the reader could not decode
   * it (its error token `%E?` / `;E?` / `+E?`, or a HID decode-status error bit), `empty` when
   * the stripe has no such track.
   */
  status: 'ok' | 'error' | 'empty';
  text: string;
}

/** A reader's "could not decode this track" token: start sentinel, `E`, end sentinel. */
const errorToken = /^[%;+]E\?.?$/;

/**
 * Splits a keyboard-mode swipe into its tracks by their sentinels: track 1 `%…?`, track 2
 * `;…?`, track 3 `+…?` or a second `;…?` (ISO 4909 uses `;` for track 3; MagTek and ID TECH
 * readers can be set to send `+`). Each may be followed by its LRC character. Returns `null`
 * when the text does not start like a swipe.
 */
export function splitSwipe(text: string): SwipeTrack[] | null {
  if (!/^[%;+]/.test(text)) return null;
  const tracks: SwipeTrack[] = [];
  let rest = text;
  while (rest.length > 0) {
    const sentinel = rest[0];
    if (sentinel !== '%' && sentinel !== ';' && sentinel !== '+') {
      // Bytes between tracks that are no track: the read was garbled.
      tracks.push({ track: tracks.length === 0 ? 1 : 3, status: 'error', text: rest });
      break;
    }
    const end = rest.indexOf('?', 1);
    // Up to the end sentinel and an LRC character if one follows that is not a start sentinel.
    let length = end === -1 ? rest.length : end + 1;
    const next = rest[length];
    if (end !== -1 && next !== undefined && !'%;+'.includes(next)) length += 1;
    const piece = rest.slice(0, length);
    rest = rest.slice(length);
    const track: 1 | 2 | 3 =
      sentinel === '%' ? 1 : sentinel === '+' || tracks.some((t) => t.track === 2) ? 3 : 2;
    tracks.push({ track, status: errorToken.test(piece) ? 'error' : 'ok', text: piece });
  }
  return tracks;
}

/**
 * Classifies a swipe from its tracks, using every track that decodes: the officer card is
 * defined on track 2, so a decoded track 2 is read first and track 1 only has to agree if it
 * decoded too; a track 1 alone (a card whose track 2 failed) is read as well. A track the reader
 * flagged as an error, a track 3 or an empty track never cause a refusal: only a swipe where no
 * track decodes is refused, with the reason of the most useful track.
 */
export function parseSwipe(
  tracks: readonly SwipeTrack[],
  source: CardSource,
  options: ParseOptions,
): CardRead {
  const textOf = (n: 1 | 2): string | undefined =>
    tracks.find((t) => t.track === n && t.status === 'ok')?.text;
  const t1Text = textOf(1);
  const t2Text = textOf(2);
  const track1 = t1Text === undefined ? undefined : parseTrack1(t1Text);
  const track2 = t2Text === undefined ? undefined : parseTrack2(t2Text);
  if (track2?.ok) {
    if (track1?.ok && track1.value.pan !== track2.value.pan) {
      // Two tracks that disagree: one of them was misread (swiped unevenly).
      return rejectRead('partial-read', source);
    }
    return fromTrack2(track2.value, source, options);
  }
  if (track1?.ok) return fromTrack2(track1.value, source, options);
  if (track2) return rejectRead(track2.code, source);
  if (track1) return rejectRead(track1.code, source);
  if (tracks.some((t) => t.status === 'error')) return rejectRead('partial-read', source);
  return rejectRead('empty-read', source);
}

/**
 * Classifies one complete read (everything up to the reader's Enter): a swipe (`%`, `;` or `+`
 * first) or a scanned reference code.
 */
export function parseCardRead(raw: string, source: CardSource, options: ParseOptions): CardRead {
  const text = raw.replace(/[\r\n]+$/, '');
  if (text.trim().length === 0) return rejectRead('empty-read', source);
  const tracks = splitSwipe(text);
  if (tracks) return parseSwipe(tracks, source, options);
  return parseReferenceBarcode(text, source);
}
