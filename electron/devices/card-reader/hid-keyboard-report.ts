/**
 * Most magnetic-stripe readers and scanners can be HID keyboards: each character arrives as an
 * 8-byte boot keyboard report (modifier byte, reserved byte, up to six key usages), followed by
 * an all-keys-up report. This turns reports back into characters (US layout, which is what
 * readers emit whatever the desktop layout).
 */
const LEFT_SHIFT = 0x02;
const RIGHT_SHIFT = 0x20;
export const ENTER_USAGE = 0x28;

// HID usage table, keyboard page (0x07): usage → [plain, shifted].
const usages = new Map<number, [string, string]>();
for (let i = 0; i < 26; i += 1) {
  const letter = String.fromCharCode(0x61 + i);
  usages.set(0x04 + i, [letter, letter.toUpperCase()]);
}
'1234567890'.split('').forEach((digit, i) => {
  usages.set(0x1e + i, [digit, '!@#$%^&*()'[i] ?? digit]);
});
const punctuation: Array<[number, string, string]> = [
  [0x2c, ' ', ' '],
  [0x2d, '-', '_'],
  [0x2e, '=', '+'],
  [0x2f, '[', '{'],
  [0x30, ']', '}'],
  [0x31, '\\', '|'],
  [0x33, ';', ':'],
  [0x34, "'", '"'],
  [0x35, '`', '~'],
  [0x36, ',', '<'],
  [0x37, '.', '>'],
  [0x38, '/', '?'],
];
for (const [usage, plain, shifted] of punctuation) usages.set(usage, [plain, shifted]);

export type KeyboardReportEvent =
  | { kind: 'char'; char: string }
  | { kind: 'enter' }
  | { kind: 'release' }
  | { kind: 'invalid'; reason: 'length' | 'usage' };

/**
 * Decodes one report on its own: every key it holds, in order. For a stream of reports use
 * `createKeyboardReportDecoder`, which knows which keys were already down.
 */
export function decodeKeyboardReport(report: Uint8Array): KeyboardReportEvent[] {
  return createKeyboardReportDecoder()(report);
}

/**
 * Decodes a stream of boot keyboard reports. A report lists every key held down, so a key is
 * typed only in the report where it first appears: with rollover (`[1]`, `[1,2]`, `[2]`, `[]`)
 * that is "12", not "1122". Shift applies to the keys pressed with it.
 */
export function createKeyboardReportDecoder(): (report: Uint8Array) => KeyboardReportEvent[] {
  let down = new Set<number>();
  return (report) => {
    // Some readers prefix a report id; anything else than 8 or 9 bytes is not a boot report.
    const body = report.length === 9 ? report.subarray(1) : report;
    if (body.length !== 8) return [{ kind: 'invalid', reason: 'length' }];
    const modifier = body[0] ?? 0;
    const shifted = (modifier & (LEFT_SHIFT | RIGHT_SHIFT)) !== 0;
    const keys = Array.from(body.subarray(2)).filter((usage) => usage !== 0);
    const pressed = keys.filter((usage) => !down.has(usage));
    down = new Set(keys);
    if (keys.length === 0) return [{ kind: 'release' }];
    if (pressed.length === 0) return [];
    return pressed.map((usage): KeyboardReportEvent => {
      if (usage === ENTER_USAGE || usage === 0x58) return { kind: 'enter' };
      const pair = usages.get(usage);
      if (!pair) return { kind: 'invalid', reason: 'usage' };
      return { kind: 'char', char: shifted ? pair[1] : pair[0] };
    });
  };
}

/** The reverse, for tests and the simulated reader: one press and one release per character. */
export function encodeKeyboardReports(text: string, withEnter = true): Uint8Array[] {
  const reports: Uint8Array[] = [];
  for (const char of text) {
    let found: [number, boolean] | undefined;
    for (const [usage, [plain, shifted]] of usages) {
      if (plain === char) found = [usage, false];
      else if (shifted === char) found = [usage, true];
      if (found) break;
    }
    if (!found) throw new Error(`no HID usage for character code ${char.charCodeAt(0)}`);
    reports.push(Uint8Array.of(found[1] ? LEFT_SHIFT : 0, 0, found[0], 0, 0, 0, 0, 0));
    reports.push(new Uint8Array(8));
  }
  if (withEnter) {
    reports.push(Uint8Array.of(0, 0, ENTER_USAGE, 0, 0, 0, 0, 0));
    reports.push(new Uint8Array(8));
  }
  return reports;
}
