import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import type { CardRead } from '../../sync/bridge/device-payloads';
import type { WedgeOptions } from '../platform/keyboard-wedge';
import { installWedgeListener } from '../platform/wedge-listener';

/** Every card swipe and code scan the kiosk sees, whatever the reader, parsed by the shell. */
export interface CardReads {
  subscribe(listener: (read: CardRead) => void): () => void;
  /** Stops listening to the readers (page teardown, tests). */
  close(): void;
}

/**
 * Joins the two kinds of reader: HID readers (the shell pushes `card-reader:read`) and
 * keyboard-wedge readers and scanners (caught in the page before they reach a field, then
 * parsed by the shell through `card-reader:wedge-read`). The raw text goes nowhere else.
 */
export function connectCardReads(
  bridge: KioskBridge,
  target: Window = window,
  wedge?: WedgeOptions,
): CardReads {
  const listeners = new Set<(read: CardRead) => void>();
  const publish = (read: CardRead): void => {
    for (const listener of listeners) listener(read);
  };
  const offHid = bridge.on('card-reader:read', publish);
  const offWedge = installWedgeListener(
    target,
    ({ text, source, giveBack }) => {
      // A burst taken from a text field that is no card track and no code was a person typing
      // fast (or under load): it goes back into the field instead of being refused. Card track
      // data never does, so a misread swipe cannot leave a card number in a form.
      const typedAfterAll = (): boolean => source !== 'card-track' && (giveBack?.() ?? false);
      bridge.invoke('card-reader:wedge-read', { text }).then(
        (read) => {
          if (read.kind === 'rejected' && typedAfterAll()) return;
          publish(read);
        },
        () => {
          if (typedAfterAll()) return;
          publish({
            kind: 'rejected',
            code: 'shell-unavailable',
            message: 'The card could not be read. Please try again.',
            source: 'keyboard-wedge',
          });
        },
      );
    },
    wedge,
  );
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      offHid();
      offWedge();
      listeners.clear();
    },
  };
}
