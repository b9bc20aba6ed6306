import { blockedInputReason } from '../../sync/bridge/key-policy';

/**
 * The page's own share of the lockdown, in every shell. In the browser shell it is what stops
 * Chromium's shortcuts: in an `--app` window Chromium gives the page the first say on every key
 * (Ctrl+N, Ctrl+W, Alt+F4, Ctrl+P, F12 …) and does nothing when the page cancels it. It also
 * cancels what a touch or a mouse can do to leave or change the page: the context menu (a long
 * press), Ctrl+wheel zoom, dropping a file or link (which would open it), and modified or middle
 * clicks on links (new tab, new window). Returns a function that removes the guard.
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
