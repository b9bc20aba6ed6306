import type { SwipeTrack } from './card-parsers';

/**
 * Magnetic stripe readers in HID mode (a vendor-defined HID device, not a keyboard) send one
 * input report per swipe. Two published layouts cover the common readers:
 *
 * MagTek ("USB HID Swipe Reader Technical Reference Manual", MagTek 99875191, section 4 "Card
 * data"; also the "MagTek format" of ID TECH MiniMag/SecureMag readers, ID TECH 80066510-003
 * section 5 and SecureMag user manual section 10.1.1), 337 bytes:
 *   0-2 track 1/2/3 decode status (bit 0 set = decode error), 3-5 track 1/2/3 data length,
 *   6 card encode type (0 ISO/ABA, 1 AAMVA, 3 blank, 4 other, 5 undetermined),
 *   7-116 track 1 data, 117-226 track 2 data, 227-336 track 3 data (110 bytes each, ASCII,
 *   start and end sentinels included; bytes past the length are undefined).
 *
 * ID TECH ("ID TECH format", MiniMag USB HID quick start 80066510-001, "HID REPORT"):
 *   0-2 decode status, 3-5 data lengths, 6 card encode type, 7-8 total output length,
 *   9-508 output data: the swipe as the reader formats it for a keyboard (sentinels, error
 *   tokens `%E?`, preamble/postamble if programmed).
 *
 * Pure; reports may carry a leading report id 0 (some HID stacks keep it), which is dropped.
 */
export type MagstripeReportFormat = 'magtek' | 'idtech';

export type DecodedSwipeReport =
  | {
      ok: true;
      format: MagstripeReportFormat;
      tracks: SwipeTrack[];
      encodeType: number;
      text?: string;
    }
  | { ok: false; reason: 'length' | 'track-length' | 'not-ascii' };

const MAGTEK_LENGTH = 337;
const TRACK_FIELD = 110;
const IDTECH_HEADER = 9;
const IDTECH_OUTPUT = 500;

function body(report: Uint8Array, lengths: number[]): Uint8Array | undefined {
  for (const length of lengths) {
    if (report.length === length) return report;
    if (report.length === length + 1 && report[0] === 0) return report.subarray(1);
  }
  return undefined;
}

function ascii(bytes: Uint8Array): string | undefined {
  for (const byte of bytes) if (byte < 0x20 || byte > 0x7e) return undefined;
  return String.fromCharCode(...bytes);
}

/** Decodes a MagTek-layout report (MagTek readers, ID TECH readers in MagTek format). */
export function decodeMagTekReport(report: Uint8Array): DecodedSwipeReport {
  const data = body(report, [MAGTEK_LENGTH]);
  if (!data) return { ok: false, reason: 'length' };
  const tracks: SwipeTrack[] = [];
  for (const index of [0, 1, 2] as const) {
    const status = data[index] ?? 0;
    const length = data[3 + index] ?? 0;
    if (length > TRACK_FIELD) return { ok: false, reason: 'track-length' };
    const start = 7 + TRACK_FIELD * index;
    const text = ascii(data.subarray(start, start + length));
    if (text === undefined) return { ok: false, reason: 'not-ascii' };
    const track = (index + 1) as 1 | 2 | 3;
    if ((status & 1) === 1) tracks.push({ track, status: 'error', text: '' });
    else if (length === 0) tracks.push({ track, status: 'empty', text: '' });
    else tracks.push({ track, status: 'ok', text });
  }
  return { ok: true, format: 'magtek', tracks, encodeType: data[6] ?? 5 };
}

/**
 * Decodes an ID TECH-format report. The output data is the reader's formatted swipe (parsed by
 * `splitSwipe`); the decode status bytes still say which tracks failed. The two-byte total
 * output length's byte order is not stated in the quick start manual: the one reading that fits
 * the 500-byte output field is used (for any length up to 500 only one does, 257 aside, which
 * reads the same both ways).
 */
export function decodeIdTechReport(report: Uint8Array): DecodedSwipeReport {
  const data =
    body(report, [IDTECH_HEADER + IDTECH_OUTPUT]) ??
    (report.length > IDTECH_HEADER ? report : undefined);
  if (!data) return { ok: false, reason: 'length' };
  const low = data[7] ?? 0;
  const high = data[8] ?? 0;
  const littleEndian = low + high * 256;
  const bigEndian = high + low * 256;
  const room = data.length - IDTECH_HEADER;
  const total = littleEndian <= room ? littleEndian : bigEndian <= room ? bigEndian : -1;
  if (total < 0) return { ok: false, reason: 'track-length' };
  const text = ascii(
    data.subarray(IDTECH_HEADER, IDTECH_HEADER + total).filter((b) => b !== 0x0d && b !== 0x0a),
  );
  if (text === undefined) return { ok: false, reason: 'not-ascii' };
  const tracks: SwipeTrack[] = [0, 1, 2].map((index) => ({
    track: (index + 1) as 1 | 2 | 3,
    status:
      ((data[index] ?? 0) & 1) === 1 ? 'error' : (data[3 + index] ?? 0) === 0 ? 'empty' : 'ok',
    text: '',
  }));
  return { ok: true, format: 'idtech', tracks, encodeType: data[6] ?? 5, text };
}

/**
 * Which layout a report has, by its length: 8 (or 9 with a report id) is a boot keyboard report,
 * 337 (338) MagTek's, anything else with a sane ID TECH header ID TECH's.
 */
export function recogniseReport(
  report: Uint8Array,
): 'keyboard' | MagstripeReportFormat | undefined {
  if (report.length === 8 || report.length === 9) return 'keyboard';
  if (report.length === MAGTEK_LENGTH || report.length === MAGTEK_LENGTH + 1) return 'magtek';
  if (decodeIdTechReport(report).ok) return 'idtech';
  return undefined;
}
