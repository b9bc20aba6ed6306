/**
 * Keyboard-wedge detection: card readers and barcode/QR scanners that "type" into the page. A
 * device types a whole read in a fast, even burst that ends with Enter (card tracks also start
 * with a sentinel, `%` or `;`, and end with `?`); a person's keystrokes are slower and uneven even
 * when they type fast. The detector holds each burst until it can tell which it is, so a scan
 * never lands in a form field and typing is released unchanged. Pure and clock-free: callers pass
 * event times (e.g. `KeyboardEvent.timeStamp`) and call `flush` from a timer.
 */
export interface Keystroke {
  /** `KeyboardEvent.key`: one character, or a name such as `Enter` or `Shift`. */
  key: string;
  /** Milliseconds, any monotonic origin. */
  t: number;
}

export interface WedgeOptions {
  /** A longer pause between two keys ends a burst: no reader pauses this long mid-read. */
  maxGapMs: number;
  /** A burst is a scan only if its keys average at most this far apart. */
  maxMeanGapMs: number;
  /** Fewer characters than this are never a scan (one quick word is not a scan). */
  minLength: number;
  /** Longer bursts are released: nothing the kiosk reads is this long. */
  maxLength: number;
}

export const defaultWedgeOptions: WedgeOptions = {
  maxGapMs: 50,
  maxMeanGapMs: 25,
  minLength: 6,
  maxLength: 200,
};

export type WedgeSource = 'card-track' | 'barcode';

export type WedgeDecision =
  /** Keep the key away from the page for now (call `flush` within `maxGapMs`). */
  | { action: 'hold' }
  /** Typing: deliver these keys to the page in order (they may include the current key). */
  | { action: 'release'; keys: string[] }
  /** A device read: hand `text` to the card/reference parser; nothing reaches the page. */
  | { action: 'scan'; text: string; source: WedgeSource; thenRelease?: string[] };

export interface WedgeDetector {
  feed(stroke: Keystroke): WedgeDecision;
  /** Releases a held burst once `now` is more than `maxGapMs` after its last key. */
  flush(now: number): WedgeDecision;
}

const modifierKeys = new Set(['Shift', 'Control', 'Alt', 'Meta', 'CapsLock', 'AltGraph']);
const startSentinels = new Set(['%', ';']);

export function createWedgeDetector(options: WedgeOptions = defaultWedgeOptions): WedgeDetector {
  let held: Keystroke[] = [];

  const release = (extra: string[] = []): WedgeDecision => {
    const keys = [...held.map((stroke) => stroke.key), ...extra];
    held = [];
    return keys.length > 0 ? { action: 'release', keys } : { action: 'hold' };
  };

  const looksLikeDevice = (): boolean => {
    if (held.length < options.minLength) return false;
    const first = held[0];
    const last = held[held.length - 1];
    if (!first || !last) return false;
    const meanGap = (last.t - first.t) / (held.length - 1);
    return meanGap <= options.maxMeanGapMs;
  };

  const scan = (): WedgeDecision => {
    const text = held.map((stroke) => stroke.key).join('');
    held = [];
    return {
      action: 'scan',
      text,
      source: startSentinels.has(text[0] ?? '') ? 'card-track' : 'barcode',
    };
  };

  const endBurst = (): WedgeDecision => (looksLikeDevice() ? scan() : release());

  const accept = (stroke: Keystroke): WedgeDecision => {
    if (stroke.key === 'Enter') {
      if (held.length > 0 && looksLikeDevice()) return scan();
      return release(['Enter']);
    }
    if (stroke.key.length !== 1) {
      // Tab, Backspace, arrows: a person is editing; hand everything over in order.
      return release([stroke.key]);
    }
    held.push(stroke);
    if (held.length > options.maxLength) return release();
    return { action: 'hold' };
  };

  return {
    feed(stroke) {
      if (modifierKeys.has(stroke.key)) return { action: 'hold' };
      const last = held[held.length - 1];
      if (!last || stroke.t - last.t <= options.maxGapMs) return accept(stroke);
      // The burst ended without Enter. A device's burst is still a (partial) read and goes to
      // the parser, which rejects it with a message; a person's keys go to the page now. This
      // key starts a new burst or is released after them.
      const ended = endBurst();
      const next = accept(stroke);
      const later = next.action === 'release' ? next.keys : [];
      if (ended.action === 'scan') return later.length ? { ...ended, thenRelease: later } : ended;
      const earlier = ended.action === 'release' ? ended.keys : [];
      return { action: 'release', keys: [...earlier, ...later] };
    },
    flush(now) {
      const last = held[held.length - 1];
      if (!last || now - last.t <= options.maxGapMs) return { action: 'hold' };
      return endBurst();
    },
  };
}

export type WedgeSegment =
  { kind: 'typing'; text: string } | { kind: 'scan'; text: string; source: WedgeSource };

/**
 * Classifies a recorded keystroke timeline into typing and scans, as the live detector would
 * (flushing whenever a pause passes). Used by tests and diagnostics.
 */
export function classifyKeystrokes(
  timeline: readonly Keystroke[],
  options: WedgeOptions = defaultWedgeOptions,
): WedgeSegment[] {
  const detector = createWedgeDetector(options);
  const segments: WedgeSegment[] = [];
  const typed = (keys: string[]): void => {
    const text = keys.map((key) => (key === 'Enter' ? '\n' : key.length === 1 ? key : '')).join('');
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
  for (const stroke of timeline) apply(detector.feed(stroke));
  const end = timeline[timeline.length - 1];
  if (end) apply(detector.flush(end.t + options.maxGapMs + 1));
  return segments;
}
