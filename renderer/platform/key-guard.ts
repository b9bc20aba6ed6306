import { blockedInputReason } from '../../sync/bridge/key-policy';

/**
 * The page's own share of the lockdown, in every shell. In the browser shell it is what stops
 * Chromium's shortcuts: in an `--app` window Chromium gives the page the first say on every key
 * (Ctrl+N, Ctrl+W, Alt+F4, Ctrl+P, F12 …) and does nothing when the page cancels it. It also
 * cancels what a touch or a mouse can do to leave or change the page: the context menu (a long
 * press), Ctrl+wheel zoom, dropping a file or link (which would open it), modified or middle
 * clicks on links (new tab, new window) and the mouse's back and forward buttons. And no text
 * leaves or enters through the clipboard or the X PRIMARY selection, because the next citizen
 * would get it: copy and cut write an empty text (so the clipboard holds nothing of a session),
 * paste, drag-and-drop and the middle button's selection paste are cancelled. Returns a
 * function that removes the guard.
 */
export function installKeyGuard(
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
  onBlocked?: (reason: string) => void,
): () => void {
  const onKey = (event: KeyboardEvent): void => {
    const reason = blockedInputReason({
      type: event.type === 'keyup' ? 'keyUp' : 'keyDown',
      key: event.key,
      control: event.ctrlKey,
      meta: event.metaKey,
      alt: event.altKey,
      shift: event.shiftKey,
      altGraph: event.getModifierState?.('AltGraph') ?? false,
    });
    if (!reason) return;
    event.preventDefault();
    if (event.type === 'keydown' && !event.repeat) onBlocked?.(reason);
  };
  const cancel = (event: Event): void => event.preventDefault();
  const onWheel = (event: WheelEvent): void => {
    if (event.ctrlKey || event.metaKey) event.preventDefault();
  };
  // The mouse's back and forward buttons (3, 4) navigate the history unless the page cancels them.
  const onHistoryButton = (event: MouseEvent): void => {
    if (event.button === 3 || event.button === 4) event.preventDefault();
  };
  // Copy and cut put an empty text on the clipboard instead of the selection (a cancelled copy
  // would leave the previous contents there).
  const onCopy = (event: ClipboardEvent): void => {
    event.clipboardData?.setData('text/plain', '');
    event.preventDefault();
  };
  // Text arriving by paste, drop or the X selection ("yank"), and text leaving by cut or drag.
  const onBeforeInput = (event: InputEvent): void => {
    if (/^(insertFrom(Paste|Drop|Yank)|deleteBy(Cut|Drag))/.test(event.inputType)) {
      event.preventDefault();
    }
  };
  // The middle button pastes the X PRIMARY selection when its release is not cancelled.
  const onMiddleButton = (event: MouseEvent): void => {
    if (event.button === 1) event.preventDefault();
  };
  const onClick = (event: MouseEvent): void => {
    const link = (event.target as Element | null)?.closest?.('a[href]');
    if (!link) return;
    if (event.button !== 0 || event.ctrlKey || event.shiftKey || event.metaKey || event.altKey) {
      event.preventDefault();
    }
  };
  const listeners: Array<[string, EventListener, AddEventListenerOptions]> = [
    ['keydown', onKey as EventListener, { capture: true }],
    ['keyup', onKey as EventListener, { capture: true }],
    ['contextmenu', cancel, { capture: true }],
    ['wheel', onWheel as EventListener, { capture: true, passive: false }],
    ['dragover', cancel, { capture: true }],
    ['drop', cancel, { capture: true }],
    ['dragstart', cancel, { capture: true }],
    ['click', onClick as EventListener, { capture: true }],
    ['auxclick', onClick as EventListener, { capture: true }],
    ['mousedown', onHistoryButton as EventListener, { capture: true }],
    ['mouseup', onHistoryButton as EventListener, { capture: true }],
    ['copy', onCopy as EventListener, { capture: true }],
    ['cut', onCopy as EventListener, { capture: true }],
    ['paste', cancel, { capture: true }],
    ['beforeinput', onBeforeInput as EventListener, { capture: true }],
    ['mousedown', onMiddleButton as EventListener, { capture: true }],
    ['mouseup', onMiddleButton as EventListener, { capture: true }],
  ];
  for (const [type, listener, options] of listeners) {
    target.addEventListener(type, listener, options);
  }
  return () => {
    for (const [type, listener, options] of listeners) {
      target.removeEventListener(type, listener, options);
    }
  };
}

/**
 * At the end of a session: drops any text selection (a field's included) and overwrites the
 * clipboard with an empty text through the guard's copy handler, so nothing a citizen selected
 * or copied is left for the next one. Chromium lets a page write the clipboard only during a
 * user gesture (the "Start over" press); at an idle reset the guard's refusal to paste is what
 * holds.
 */
export function forgetSelection(doc: Document = document): void {
  const active = doc.activeElement;
  if (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement) {
    try {
      const end = active.value.length;
      active.setSelectionRange(end, end);
    } catch {
      // Input types without a selection (e.g. number) have nothing selected to drop.
    }
  }
  doc.getSelection()?.removeAllRanges();
  try {
    doc.execCommand('copy');
  } catch {
    // Refused outside a user gesture: the guard's paste refusal still holds.
  }
}
