/**
 * A held Enter acts once. A key held past the keyboard's repeat delay (about half a second)
 * sends repeated keydowns (`KeyboardEvent.repeat`), and Chromium activates a focused button, and
 * submits a form from its field, on every one of them: Enter held on the consent screen's Send
 * went on to the receipt's Finish, which has focus as the receipt opens, and ended the session;
 * held in a question's field it went through question after question. The repeats are cancelled
 * everywhere but in a multi-line text field, where a held Enter adds lines as it always has. A
 * second, separate press still acts (that is a person pressing again). The double of a tap that
 * opened a screen is ignored separately (components/double-tap.ts). Returns a function
 * that removes the guard.
 */
export function installAutoRepeatGuard(
  target: Pick<Window, 'addEventListener' | 'removeEventListener'>,
): () => void {
  const onKeyDown = (event: KeyboardEvent): void => {
    if (!event.repeat || event.key !== 'Enter') return;
    const element = event.target as Element | null;
    if (element?.closest?.('textarea')) return;
    event.preventDefault();
  };
  target.addEventListener('keydown', onKeyDown as EventListener, { capture: true });
  return () => target.removeEventListener('keydown', onKeyDown as EventListener, { capture: true });
}
