/**
 * The one list of keys the kiosk never lets through to the browser: Electron's shell enforces it
 * in `before-input-event` (electron/main/lockdown.ts), and the page itself in every shell
 * (renderer/platform/key-guard.ts), which is what stops Chromium's own shortcuts in the browser
 * shell: in an `--app` window Chromium lets a page cancel every one of them.
 */

/** The parts of a key event the policy looks at (Electron's `Input`, or a DOM KeyboardEvent). */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
  /** AltGr held (European layouts type @, €, ñ with it); never a shortcut. */
  altGraph?: boolean;
}

/** Editing shortcuts an officer may need in a form field; nothing that leaves or changes the page. */
const editingKeys = new Set(['a', 'c', 'v', 'x', 'z', 'y']);

/** The operator console's keyboard gesture (renderer/screens/AttractScreen.tsx), Ctrl+Alt+O. */
const operatorShortcut = 'o';

/** Hardware keys on multimedia and office keyboards that would navigate, reload, open or save. */
const browserKeys = new Set([
  'browserback',
  'browserforward',
  'browserrefresh',
  'browserhome',
  'browsersearch',
  'browserfavorites',
  'browserstop',
  'contextmenu',
  'launchapplication1',
  'launchapplication2',
  'launchmail',
  'launchwebbrowser',
  'print',
  'help',
  'new',
  'open',
  'save',
  'close',
  'find',
  'zoomin',
  'zoomout',
  'zoomtoggle',
]);

/**
 * Why a key press must not reach the page or Chromium, or undefined when it may. An allow-list for
 * modified keys: Ctrl/Cmd with anything but the editing keys is blocked (close, quit, reload, print,
 * devtools, zoom, find, new window…), as is every Alt and Ctrl+Alt combination but the operator's
 * Ctrl+Alt+O, every function key and the browser/launch keys. Plain typing, AltGr characters,
 * Tab, Enter, Escape and arrows pass.
 */
export function blockedInputReason(input: KeyInput): string | undefined {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown' && input.type !== 'keyUp')
    return undefined;
  const key = input.key.toLowerCase();
  if (/^f\d{1,2}$/.test(key)) return `function key ${input.key}`;
  if (browserKeys.has(key)) return `browser key ${input.key}`;
  // Chromium's task manager, which can end the kiosk's own processes.
  if (key === 'escape' && input.shift) return 'Shift+Escape';
  // AltGr arrives as Ctrl+Alt on Windows and as Alt on some Linux layouts: a character, not a
  // shortcut, when the key it produced is one printable character.
  if (input.altGraph && [...input.key].length === 1 && !input.meta) return undefined;
  if (input.control && input.alt) {
    if (key === operatorShortcut && !input.shift && !input.meta) return undefined;
    return 'Ctrl+Alt combination';
  }
  if (input.alt) {
    // A bare Alt press is harmless, but Alt with a key is menu access, history navigation, Alt+F4
    // or Alt+Tab.
    return key === 'alt' ? undefined : `Alt+${input.key}`;
  }
  if (input.control || input.meta) {
    if (key === 'control' || key === 'meta' || key === 'shift') return undefined;
    if (editingKeys.has(key) && (!input.shift || key === 'z')) return undefined;
    return `${input.meta ? 'Cmd' : 'Ctrl'}+${input.shift ? 'Shift+' : ''}${input.key}`;
  }
  return undefined;
}
