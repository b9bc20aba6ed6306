import { describe, expect, it } from 'vitest';
import {
  isStatusByte,
  parsePrinterStatus,
} from '../../../../electron/devices/printer/printer-status';
import type { StatusReplies } from '../../../../electron/devices/printer/printer-status';

// Replies to DLE EOT 1..4 as an Epson-compatible printer sends them. 0x12 is "all clear".
const table: Array<[string, StatusReplies, string, string | undefined]> = [
  [
    'all clear',
    { printer: 0x12, offlineCause: 0x12, errorCause: 0x12, paperSensor: 0x12 },
    'online',
    undefined,
  ],
  [
    'paper near end (one sensor)',
    { printer: 0x12, offlineCause: 0x12, errorCause: 0x12, paperSensor: 0x16 },
    'paper-low',
    undefined,
  ],
  [
    'paper near end (both bits)',
    { printer: 0x12, offlineCause: 0x12, errorCause: 0x12, paperSensor: 0x1e },
    'paper-low',
    undefined,
  ],
  [
    'paper end',
    { printer: 0x1a, offlineCause: 0x32, errorCause: 0x12, paperSensor: 0x72 },
    'paper-out',
    undefined,
  ],
  [
    'paper end seen only as "printing stopped"',
    { printer: 0x1a, offlineCause: 0x32, errorCause: 0x12, paperSensor: 0x12 },
    'paper-out',
    undefined,
  ],
  [
    'cover open',
    { printer: 0x1a, offlineCause: 0x16, errorCause: 0x12, paperSensor: 0x12 },
    'cover-open',
    undefined,
  ],
  [
    'cover open with no paper: the cover comes first',
    { printer: 0x1a, offlineCause: 0x36, errorCause: 0x12, paperSensor: 0x72 },
    'cover-open',
    undefined,
  ],
  [
    'autocutter jammed',
    { printer: 0x1a, offlineCause: 0x52, errorCause: 0x1a, paperSensor: 0x12 },
    'offline',
    'autocutter-error',
  ],
  [
    'unrecoverable error',
    { printer: 0x1a, offlineCause: 0x52, errorCause: 0x32, paperSensor: 0x12 },
    'offline',
    'unrecoverable-error',
  ],
  [
    'offline for another reason (feed button held)',
    { printer: 0x1a, offlineCause: 0x1a, errorCause: 0x12, paperSensor: 0x12 },
    'offline',
    'printer-offline',
  ],
  [
    'no answer at all',
    { printer: null, offlineCause: null, errorCause: null, paperSensor: null },
    'offline',
    'no-reply',
  ],
  [
    'a byte that is not a status byte',
    { printer: 0x41, offlineCause: 0x12, errorCause: 0x12, paperSensor: 0x12 },
    'offline',
    'bad-status-byte:printer:0x41',
  ],
];

describe('DLE EOT real-time status', () => {
  it.each(table)('reads %s as the right state', (_name, replies, state, detail) => {
    const parsed = parsePrinterStatus(replies);
    expect(parsed.state).toBe(state);
    expect(parsed.detail).toBe(detail);
  });

  it('accepts only bytes with the fixed bits of a status reply', () => {
    expect(isStatusByte(0x12)).toBe(true);
    expect(isStatusByte(0x7e)).toBe(true);
    expect(isStatusByte(0x13)).toBe(false);
    expect(isStatusByte(0x92)).toBe(false);
    expect(isStatusByte(0x10)).toBe(false);
    expect(isStatusByte(0x00)).toBe(false);
  });
});
