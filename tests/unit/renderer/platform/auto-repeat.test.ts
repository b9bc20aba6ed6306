import { describe, expect, it } from 'vitest';
import { installAutoRepeatGuard } from '../../../../renderer/platform/auto-repeat';

type Listener = (event: never) => void;

/** A window stand-in that records the guard's listeners. */
function fakeWindow() {
  const listeners = new Map<string, Set<Listener>>();
  return {
    target: {
      addEventListener(type: string, listener: Listener) {
        const set = listeners.get(type) ?? new Set();
        set.add(listener);
        listeners.set(type, set);
      },
      removeEventListener(type: string, listener: Listener) {
        listeners.get(type)?.delete(listener);
      },
    } as unknown as Window,
    /** A keydown at an element of `tag` (inside a form); returns whether it was cancelled. */
    keydown(key: string, repeat: boolean, tag = 'button'): boolean {
      let cancelled = false;
      const element = { closest: (selector: string) => (selector === tag ? {} : null) };
      const event = {
        type: 'keydown',
        key,
        repeat,
        target: element,
        preventDefault: () => {
          cancelled = true;
        },
      };
      for (const listener of listeners.get('keydown') ?? []) listener(event as never);
      return cancelled;
    },
  };
}

describe('a held Enter acts once', () => {
  it('cancels the repeats of a held Enter on a button and in a text field, never the first press', () => {
    const w = fakeWindow();
    installAutoRepeatGuard(w.target);
    expect(w.keydown('Enter', false)).toBe(false);
    expect(w.keydown('Enter', true)).toBe(true);
    expect(w.keydown('Enter', false, 'input')).toBe(false);
    expect(w.keydown('Enter', true, 'input')).toBe(true);
  });

  it('leaves other held keys alone, and a held Enter in a multi-line field', () => {
    const w = fakeWindow();
    installAutoRepeatGuard(w.target);
    expect(w.keydown(' ', true)).toBe(false);
    expect(w.keydown('a', true, 'input')).toBe(false);
    expect(w.keydown('Enter', true, 'textarea')).toBe(false);
  });

  it('stops when removed', () => {
    const w = fakeWindow();
    installAutoRepeatGuard(w.target)();
    expect(w.keydown('Enter', true)).toBe(false);
  });
});
