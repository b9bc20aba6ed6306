import { describe, expect, it } from 'vitest';
import { installKeyGuard } from '../../../../renderer/platform/key-guard';

type Listener = (event: never) => void;

/** A window stand-in that records listeners, and events that record whether they were cancelled. */
function fakeWindow() {
  const listeners = new Map<string, Set<Listener>>();
  const options = new Map<string, unknown>();
  return {
    target: {
      addEventListener(type: string, listener: Listener, opts: unknown) {
        const set = listeners.get(type) ?? new Set();
        set.add(listener);
        listeners.set(type, set);
        options.set(type, opts);
      },
      removeEventListener(type: string, listener: Listener) {
        listeners.get(type)?.delete(listener);
      },
    } as unknown as Window,
    options,
    fire(type: string, init: Record<string, unknown>): boolean {
      let cancelled = false;
      const event = {
        type,
        ctrlKey: false,
        altKey: false,
        shiftKey: false,
        metaKey: false,
        repeat: false,
        button: 0,
        getModifierState: (name: string) => name === 'AltGraph' && Boolean(init.altGraph),
        preventDefault: () => {
          cancelled = true;
        },
        ...init,
      };
      for (const listener of listeners.get(type) ?? []) listener(event as never);
      return cancelled;
    },
  };
}

const key = (k: string, mods: Record<string, boolean> = {}) => ({ key: k, ...mods });

describe("the page's key guard", () => {
  it('cancels the browser shortcuts a person could use to leave or change the kiosk', () => {
    const w = fakeWindow();
    const blocked: string[] = [];
    installKeyGuard(w.target, (reason) => blocked.push(reason));
    const cancelled = (k: string, mods: Record<string, boolean> = {}) =>
      w.fire('keydown', key(k, mods));
    expect(cancelled('n', { ctrlKey: true })).toBe(true);
    expect(cancelled('N', { ctrlKey: true, shiftKey: true })).toBe(true);
    expect(cancelled('w', { ctrlKey: true })).toBe(true);
    expect(cancelled('F4', { altKey: true })).toBe(true);
    expect(cancelled('p', { ctrlKey: true })).toBe(true);
    expect(cancelled('F12')).toBe(true);
    expect(cancelled('=', { ctrlKey: true })).toBe(true);
    expect(cancelled('ArrowLeft', { altKey: true })).toBe(true);
    expect(cancelled('Escape', { shiftKey: true })).toBe(true);
    expect(cancelled('BrowserBack')).toBe(true);
    expect(blocked).toContain('Ctrl+n');
    expect(blocked).toContain('Shift+Escape');
  });

  it('lets typing, editing shortcuts, AltGr characters and the operator shortcut through', () => {
    const w = fakeWindow();
    installKeyGuard(w.target);
    expect(w.fire('keydown', key('a'))).toBe(false);
    expect(w.fire('keydown', key('Enter'))).toBe(false);
    expect(w.fire('keydown', key('Escape'))).toBe(false);
    expect(w.fire('keydown', key('Tab', { shiftKey: true }))).toBe(false);
    expect(w.fire('keydown', key('c', { ctrlKey: true }))).toBe(false);
    expect(w.fire('keydown', key('v', { ctrlKey: true }))).toBe(false);
    // AltGr on a Spanish or German layout (Ctrl+Alt on Windows): a character, not a shortcut.
    expect(w.fire('keydown', key('@', { ctrlKey: true, altKey: true, altGraph: true }))).toBe(
      false,
    );
    expect(w.fire('keydown', key('o', { ctrlKey: true, altKey: true }))).toBe(false);
    expect(w.fire('keydown', key('t', { ctrlKey: true, altKey: true }))).toBe(true);
  });

  it('cancels the context menu, Ctrl+wheel zoom, drops, modified clicks on links and the back button', () => {
    const w = fakeWindow();
    const remove = installKeyGuard(w.target);
    expect(w.fire('contextmenu', {})).toBe(true);
    expect(w.fire('wheel', { ctrlKey: true })).toBe(true);
    expect(w.fire('wheel', {})).toBe(false);
    expect(w.options.get('wheel')).toMatchObject({ passive: false, capture: true });
    expect(w.fire('drop', {})).toBe(true);
    expect(w.fire('dragover', {})).toBe(true);
    const link = { closest: (selector: string) => (selector === 'a[href]' ? {} : null) };
    const button = { closest: () => null };
    expect(w.fire('click', { target: link, ctrlKey: true })).toBe(true);
    expect(w.fire('auxclick', { target: link, button: 1 })).toBe(true);
    expect(w.fire('click', { target: link })).toBe(false);
    expect(w.fire('click', { target: button, ctrlKey: true })).toBe(false);
    expect(w.fire('mouseup', { button: 3 })).toBe(true);
    expect(w.fire('mousedown', { button: 4 })).toBe(true);
    expect(w.fire('mouseup', { button: 0 })).toBe(false);
    remove();
    expect(w.fire('contextmenu', {})).toBe(false);
  });
});
