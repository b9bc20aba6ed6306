/** The parts of Electron's `Input` (before-input-event) the guard looks at. */
export interface KeyInput {
  type: string;
  key: string;
  control: boolean;
  meta: boolean;
  alt: boolean;
  shift: boolean;
}

/** Editing shortcuts an officer may need in a form field; nothing that leaves or changes the page. */
const editingKeys = new Set(['a', 'c', 'v', 'x', 'z', 'y']);

/** Hardware keys on multimedia keyboards that would navigate or reload. */
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
  'print',
  'help',
]);

/**
 * Why a key press must not reach the page or Chromium, or undefined when it may. An allow-list for
 * modified keys: Ctrl/Cmd with anything but the editing keys is blocked (close, quit, reload, print,
 * devtools, zoom, find, new window…), as is every Ctrl+Alt and Alt combination, every function key
 * and the browser/launch keys. Plain typing, Tab, Enter, Escape and arrows pass.
 */
export function blockedInputReason(input: KeyInput): string | undefined {
  if (input.type !== 'keyDown' && input.type !== 'rawKeyDown' && input.type !== 'keyUp')
    return undefined;
  const key = input.key.toLowerCase();
  if (/^f\d{1,2}$/.test(key)) return `function key ${input.key}`;
  if (browserKeys.has(key)) return `browser key ${input.key}`;
  if (input.control && input.alt) return 'Ctrl+Alt combination';
  if (input.alt) {
    // AltGr on European layouts arrives as Ctrl+Alt on Windows (handled above); a bare Alt press
    // is harmless, but Alt with a key is menu access, history navigation, Alt+F4 or Alt+Tab.
    return key === 'alt' ? undefined : `Alt+${input.key}`;
  }
  if (input.control || input.meta) {
    if (key === 'control' || key === 'meta' || key === 'shift') return undefined;
    if (editingKeys.has(key) && (!input.shift || key === 'z')) return undefined;
    return `${input.meta ? 'Cmd' : 'Ctrl'}+${input.shift ? 'Shift+' : ''}${input.key}`;
  }
  return undefined;
}
