import {
  createWedgeDetector,
  defaultWedgeOptions,
  isCharacterKey,
  isModifierKey,
  isTypedCharacter,
} from './keyboard-wedge';
import type { WedgeDecision, WedgeOptions, WedgeSource } from './keyboard-wedge';

const textInputTypes = new Set([
  'text',
  'search',
  'tel',
  'number',
  'email',
  'url',
  'password',
  'date',
]);

function isTextEntry(element: Element | null): element is HTMLInputElement | HTMLTextAreaElement {
  if (element instanceof HTMLTextAreaElement) return !element.readOnly && !element.disabled;
  return (
    element instanceof HTMLInputElement &&
    textInputTypes.has(element.type) &&
    !element.readOnly &&
    !element.disabled
  );
}

/** Types released keys into the focused field the way a keystroke would (React sees `input`). */
function deliver(keys: string[]): void {
  for (const key of keys) {
    const target = document.activeElement;
    if (key === 'Enter') {
      if (isTextEntry(target)) target.form?.requestSubmit();
      continue;
    }
    // Never a control character: a key Chromium could not name arrives as "\u0000".
    if (isTypedCharacter(key) && isTextEntry(target)) {
      // execCommand is the one way to insert text that the page's own input handlers and the
      // undo stack treat as typing; setting `.value` would bypass React's onChange.
      document.execCommand('insertText', false, key);
    }
  }
}

/**
 * Types a burst that was taken for a scan back into the field it was caught in, where it was
 * caught (after anything typed there since), and keeps the caret where the person left it.
 * Returns false when that field is gone or can no longer be typed in.
 */
function giveBackTo(
  field: HTMLInputElement | HTMLTextAreaElement,
  at: number | null,
  keys: string[],
) {
  return (): boolean => {
    const text = keys.filter(isTypedCharacter).join('');
    if (!field.isConnected || !isTextEntry(field)) return false;
    if (text === '') return true;
    if (document.activeElement !== field) field.focus();
    const caret = field.selectionStart;
    const canPlace = at !== null && caret !== null && at <= field.value.length;
    if (canPlace) field.setSelectionRange(at, at);
    document.execCommand('insertText', false, text);
    if (canPlace && caret >= at) {
      const after = caret + text.length;
      field.setSelectionRange(after, after);
    }
    return true;
  };
}

/** A read the page caught, and (when it was caught in a text field) a way to give it back. */
export interface WedgeScan {
  text: string;
  source: WedgeSource;
  /**
   * Present when the burst was taken from a focused text field: types it back there, for when
   * the parser does not recognise it (it was a person typing fast, not a device). False if the
   * field is gone.
   */
  giveBack?: () => boolean;
}

/**
 * Keeps keyboard-wedge card readers and barcode/QR scanners out of form fields. Keys typed into
 * a text field are held for at most `maxPauseMs` while the detector decides: a person's keys are
 * then typed into the field in order; a device's burst never reaches the page and is handed to
 * `onScan` instead, read from the physical keys so the OS keyboard layout does not matter.
 * Elsewhere (buttons, choices) keys act as usual unless they turn out to be a scan, whose final
 * Enter is then swallowed so it cannot press the focused button; so is a scanner's suffix (the
 * LF of CR LF, a Tab) anywhere.
 */
export function installWedgeListener(
  target: Window,
  onScan: (scan: WedgeScan) => void,
  options: WedgeOptions = defaultWedgeOptions,
): () => void {
  const detector = createWedgeDetector(options);
  let flushTimer: ReturnType<typeof setTimeout> | undefined;
  // Whether the held keys were caught in a text field (and so must be typed in by us).
  let holdingForField = false;
  // The field the held burst was caught in, and where its caret was at the burst's first key.
  let heldIn: { field: HTMLInputElement | HTMLTextAreaElement; at: number | null } | undefined;

  const report = (decision: Extract<WedgeDecision, { action: 'scan' }>): void => {
    const from = holdingForField ? heldIn : undefined;
    heldIn = undefined;
    onScan({
      text: decision.text,
      source: decision.source,
      ...(from ? { giveBack: giveBackTo(from.field, from.at, decision.keys) } : {}),
    });
  };

  const apply = (decision: WedgeDecision, event?: KeyboardEvent): void => {
    if (decision.action === 'swallow') {
      event?.preventDefault();
      event?.stopImmediatePropagation();
    } else if (decision.action === 'scan') {
      event?.preventDefault();
      report(decision);
      if (holdingForField && decision.thenRelease) deliver(decision.thenRelease);
    } else if (decision.action === 'release') {
      if (holdingForField) {
        event?.preventDefault();
        deliver(decision.keys);
      }
    } else if (holdingForField) {
      event?.preventDefault();
    }
  };

  const scheduleFlush = (): void => {
    clearTimeout(flushTimer);
    flushTimer = setTimeout(() => {
      apply(detector.flush(performance.now()));
    }, options.maxPauseMs + 5);
  };

  const onKeyDown = (event: KeyboardEvent): void => {
    if (event.isComposing || event.ctrlKey || event.altKey || event.metaKey) return;
    const stroke = {
      code: event.code,
      key: event.key,
      shift: event.shiftKey,
      repeat: event.repeat,
      t: event.timeStamp,
    };
    if (isModifierKey(stroke)) return;
    const inField = isTextEntry(document.activeElement);
    if (!isCharacterKey(stroke) && event.key !== 'Enter') {
      // Editing keys (Backspace, Tab, arrows) go through natively, after any held typing;
      // a Tab right after a scan is its suffix and is swallowed.
      const decision = detector.feed(stroke);
      if (decision.action === 'swallow') {
        apply(decision, event);
        return;
      }
      if (decision.action === 'release' && holdingForField) {
        deliver(decision.keys.filter((key) => key !== event.key));
      } else if (decision.action === 'scan') {
        report(decision);
      }
      holdingForField = inField;
      return;
    }
    holdingForField = inField;
    const active = document.activeElement;
    if (!isTextEntry(active)) heldIn = undefined;
    else if (heldIn?.field !== active) heldIn = { field: active, at: active.selectionStart };
    const decision = detector.feed(stroke);
    apply(decision, event);
    if (decision.action === 'release') heldIn = undefined;
    // A read that ended at this key's pause: this key starts the next held burst, here.
    if (decision.action === 'scan' && event.key !== 'Enter' && !decision.thenRelease) {
      heldIn = isTextEntry(active) ? { field: active, at: active.selectionStart } : undefined;
    }
    scheduleFlush();
  };

  target.addEventListener('keydown', onKeyDown, { capture: true });
  return () => {
    clearTimeout(flushTimer);
    target.removeEventListener('keydown', onKeyDown, { capture: true });
  };
}
