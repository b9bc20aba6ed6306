/**
 * Keyboard-wedge detection: card readers and barcode/QR scanners that "type" into the page. A
 * device types a whole read in a fast burst that ends with Enter (card tracks also start with a
 * sentinel, `%`, `;` or `+`); a person's keystrokes are slower and uneven even when they type
 * fast. The detector holds each burst until it can tell which it is, so a scan never lands in a
 * form field and typing is released unchanged. Pure and clock-free: callers pass event times
 * (e.g. `KeyboardEvent.timeStamp`) and call `flush` from a timer.
 *
 * A scan is read from the physical keys (`KeyboardEvent.code`) as a US keyboard would type them,
 * because that is what readers and scanners send (USB HID key usages, programmed for a US
 * layout), whatever keyboard layout the operating system uses: on a Spanish or Latin American
 * layout the key a scanner presses for `:` types `Ñ`, but its code is still `Semicolon`. Typing
 * is released as the person's own keys (`KeyboardEvent.key`).
 */
import { wedgeConfigSchema } from '../../kiosk-config/devices-schema';
import type { WedgeConfig } from '../../kiosk-config/devices-schema';

export interface Keystroke {
  /** `KeyboardEvent.code`: the physical key, e.g. `KeyA`, `Semicolon`, `Enter`. */
  code: string;
  /** `KeyboardEvent.key`: what the key types on this computer's layout (for typing). */
  key: string;
  /** `KeyboardEvent.shiftKey`. */
  shift: boolean;
  /** `KeyboardEvent.repeat`: a key held down and auto-repeating. */
  repeat?: boolean;
  /** Milliseconds, any monotonic origin. */
  t: number;
}

/**
 * Per-site thresholds: `devices.wedge` in the site config (see `wedgeConfigSchema` for each
 * field). The defaults fit readers and scanners sending up to 30 ms per character with one short
 * pause and a CR LF suffix, and typists down to ~50 ms per key.
 */
export type WedgeOptions = WedgeConfig;

export const defaultWedgeOptions: WedgeOptions = wedgeConfigSchema.parse({});

export type WedgeSource = 'card-track' | 'barcode';

export type WedgeDecision =
  /** Keep the key away from the page for now (call `flush` within `maxPauseMs`). */
  | { action: 'hold' }
  /** Keep the key away from the page for good: a scanner's suffix key. */
  | { action: 'swallow' }
  /** Typing: deliver these keys to the page in order (they may include the current key). */
  | { action: 'release'; keys: string[] }
  /** A device read: hand `text` to the card/reference parser; nothing reaches the page. */
  | {
      action: 'scan';
      text: string;
      source: WedgeSource;
      /** The burst's keys as this computer's layout typed them (to give back if it was typing). */
      keys: string[];
      thenRelease?: string[];
    };

export interface WedgeDetector {
  feed(stroke: Keystroke): WedgeDecision;
  /** Ends a held burst once `now` is more than `maxPauseMs` after its last key. */
  flush(now: number): WedgeDecision;
}

const modifierCodes = new Set([
  'ShiftLeft',
  'ShiftRight',
  'ControlLeft',
  'ControlRight',
  'AltLeft',
  'AltRight',
  'MetaLeft',
  'MetaRight',
  'CapsLock',
]);
const modifierKeys = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'AltGraph']);
const enterCodes = new Set(['Enter', 'NumpadEnter']);
const startSentinels = new Set(['%', ';', '+']);

/** What each physical key types on a US keyboard: [plain, with Shift]. */
const usLayout = new Map<string, [string, string]>();
for (let i = 0; i < 26; i += 1) {
  const letter = String.fromCharCode(0x61 + i);
  usLayout.set(`Key${letter.toUpperCase()}`, [letter, letter.toUpperCase()]);
}
'1234567890'.split('').forEach((digit, i) => {
  usLayout.set(`Digit${digit}`, [digit, '!@#$%^&*()'[i] ?? digit]);
  usLayout.set(`Numpad${digit}`, [digit, digit]);
});
for (const [code, plain, shifted] of [
  ['Space', ' ', ' '],
  ['Minus', '-', '_'],
  ['Equal', '=', '+'],
  ['BracketLeft', '[', '{'],
  ['BracketRight', ']', '}'],
  ['Backslash', '\\', '|'],
  ['Semicolon', ';', ':'],
  ['Quote', "'", '"'],
  ['Backquote', '`', '~'],
  ['Comma', ',', '<'],
  ['Period', '.', '>'],
  ['Slash', '/', '?'],
  ['NumpadDecimal', '.', '.'],
  ['NumpadSubtract', '-', '-'],
  ['NumpadAdd', '+', '+'],
  ['NumpadMultiply', '*', '*'],
  ['NumpadDivide', '/', '/'],
] as const) {
  usLayout.set(code, [plain, shifted]);
}

/**
 * Whether a `KeyboardEvent.key` is one character that types something: not a named key
 * (`Enter`, `Backspace`) and not a C0/C1 control character. Chromium on X11 reports keys it
 * cannot name (an accented letter sent by `xdotool type`, a remapped keysym) as `"\u0000"` with
 * an empty `code`; the browser's own text input still types the right letter for them.
 */
export function isTypedCharacter(key: string): boolean {
  return [...key].length === 1 && !/\p{Cc}/u.test(key);
}

/** The character a US-programmed device meant by this keystroke. */
export function usCharacter(stroke: Pick<Keystroke, 'code' | 'key' | 'shift'>): string {
  const pair = usLayout.get(stroke.code);
  // Where this computer's layout agrees with US on the key, its own value also carries the
  // Shift state exactly (and synthetic events that type ':' without pressing Shift).
  if (pair && (stroke.key === pair[0] || stroke.key === pair[1])) return stroke.key;
  if (pair) return stroke.shift ? pair[1] : pair[0];
  // A key with no US meaning (or a synthetic event without a code): what the layout typed.
  return isTypedCharacter(stroke.key) ? stroke.key : '';
}

/** A key that types a character (as opposed to Enter, Tab, arrows, Backspace, modifiers). */
export function isCharacterKey(stroke: Pick<Keystroke, 'code' | 'key'>): boolean {
  return usLayout.has(stroke.code) || isTypedCharacter(stroke.key);
}

/** A modifier on its own (Shift, Control…): it changes the next key, it is no key itself. */
export function isModifierKey(stroke: Pick<Keystroke, 'code' | 'key'>): boolean {
  return modifierCodes.has(stroke.code) || modifierKeys.has(stroke.key);
}

const isCharacter = isCharacterKey;

export function createWedgeDetector(options: WedgeOptions = defaultWedgeOptions): WedgeDetector {
  let held: Keystroke[] = [];
  /** Set once a burst shows a person's rhythm: its keys go straight to the page. */
  let typing = false;
  let lastKeyAt = Number.NEGATIVE_INFINITY;
  let suffixUntil = Number.NEGATIVE_INFINITY;

  const release = (extra: string[] = []): WedgeDecision => {
    const keys = [...held.map((stroke) => stroke.key), ...extra];
    held = [];
    return keys.length > 0 ? { action: 'release', keys } : { action: 'hold' };
  };

  const pauses = (): number => {
    let count = 0;
    for (let i = 1; i < held.length; i += 1) {
      const gap = (held[i]?.t ?? 0) - (held[i - 1]?.t ?? 0);
      if (gap > options.maxCharGapMs) count += 1;
    }
    return count;
  };

  const looksLikeDevice = (): boolean => {
    if (held.length < options.minLength) return false;
    if (held.some((stroke) => stroke.repeat)) return false;
    // One key over and over is a key held down, not a code.
    if (held.every((stroke) => stroke.code === held[0]?.code && stroke.key === held[0]?.key)) {
      return false;
    }
    return pauses() <= options.maxPauses;
  };

  const scan = (t: number): WedgeDecision => {
    const text = held.map(usCharacter).join('');
    const keys = held.map((stroke) => stroke.key);
    held = [];
    suffixUntil = t + options.suffixMs;
    return {
      action: 'scan',
      text,
      source: startSentinels.has(text[0] ?? '') ? 'card-track' : 'barcode',
      keys,
    };
  };

  const endBurst = (t: number): WedgeDecision => (looksLikeDevice() ? scan(t) : release());

  const accept = (stroke: Keystroke): WedgeDecision => {
    if (enterCodes.has(stroke.code) || stroke.key === 'Enter') {
      if (held.length > 0 && looksLikeDevice()) return scan(stroke.t);
      return release(['Enter']);
    }
    if (!isCharacter(stroke)) {
      // Tab, Backspace, arrows: a person is editing; hand everything over in order.
      typing = true;
      return release([stroke.key]);
    }
    if (typing || stroke.repeat) {
      // A person's rhythm (or a key held down): straight through, after anything held.
      typing = true;
      return release([stroke.key]);
    }
    held.push(stroke);
    if (held.length > options.maxLength) {
      typing = true;
      return release();
    }
    if (pauses() > options.maxPauses) {
      // More pauses than any reader makes: a person typing. Release now, not at the pause.
      typing = true;
      return release();
    }
    return { action: 'hold' };
  };

  return {
    feed(stroke) {
      if (isModifierKey(stroke)) return { action: 'hold' };
      const isSuffix =
        enterCodes.has(stroke.code) || stroke.key === 'Enter' || stroke.code === 'Tab';
      if (held.length === 0 && isSuffix && stroke.t <= suffixUntil) {
        suffixUntil = stroke.t + options.suffixMs;
        lastKeyAt = stroke.t;
        return { action: 'swallow' };
      }
      const gap = stroke.t - lastKeyAt;
      lastKeyAt = stroke.t;
      if (gap > options.maxPauseMs) typing = false;
      const last = held[held.length - 1];
      if (!last || stroke.t - last.t <= options.maxPauseMs) return accept(stroke);
      // The burst ended without Enter. A device's burst is still a (partial) read and goes to
      // the parser, which rejects it with a message; a person's keys go to the page now. This
      // key starts a new burst or is released after them.
      const ended = endBurst(last.t);
      const next = accept(stroke);
      const later = next.action === 'release' ? next.keys : [];
      if (ended.action === 'scan') return later.length ? { ...ended, thenRelease: later } : ended;
      const earlier = ended.action === 'release' ? ended.keys : [];
      return { action: 'release', keys: [...earlier, ...later] };
    },
    flush(now) {
      const last = held[held.length - 1];
      if (!last || now - last.t <= options.maxPauseMs) return { action: 'hold' };
      return endBurst(last.t);
    },
  };
}

export type WedgeSegment =
  { kind: 'typing'; text: string } | { kind: 'scan'; text: string; source: WedgeSource };

/**
 * Classifies a recorded keystroke timeline into typing and scans, as the live detector would
 * (flushing whenever a pause passes). Swallowed suffix keys appear in neither. Used by tests and
 * diagnostics.
 */
export function classifyKeystrokes(
  timeline: readonly Keystroke[],
  options: WedgeOptions = defaultWedgeOptions,
): WedgeSegment[] {
  const detector = createWedgeDetector(options);
  const segments: WedgeSegment[] = [];
  const typed = (keys: string[]): void => {
    const text = keys
      .map((key) => (key === 'Enter' ? '\n' : isTypedCharacter(key) ? key : ''))
      .join('');
    if (text.length === 0) return;
    const last = segments[segments.length - 1];
    if (last?.kind === 'typing') last.text += text;
    else segments.push({ kind: 'typing', text });
  };
  const apply = (decision: WedgeDecision): void => {
    if (decision.action === 'release') typed(decision.keys);
    else if (decision.action === 'scan') {
      segments.push({ kind: 'scan', text: decision.text, source: decision.source });
      if (decision.thenRelease) typed(decision.thenRelease);
    }
  };
  for (const stroke of timeline) {
    apply(detector.flush(stroke.t));
    apply(detector.feed(stroke));
  }
  const end = timeline[timeline.length - 1];
  if (end) apply(detector.flush(end.t + options.maxPauseMs + 1));
  return segments;
}
