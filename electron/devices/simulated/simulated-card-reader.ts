import type { CardRead } from '../../../sync/bridge/device-payloads';
import type { DeviceClock, DeviceLogger } from '../device-runtime';
import { luhnValid, parseCardRead } from '../card-reader/card-parsers';

/** What can be swiped: an officer card by id, a reference barcode, or raw reader text. */
export type SimulatedCard =
  | { kind: 'officer'; officerId: string; expires: string }
  | { kind: 'reference'; ref: string }
  | { kind: 'raw'; text: string };

export interface SimulatedCardReader {
  readonly simulated: true;
  /** As if the card were swiped (or the code scanned): parsed exactly like a real read. */
  swipe(card: SimulatedCard): CardRead;
  onRead(listener: (read: CardRead) => void): () => void;
}

/** Completes a 14-digit card number with its Luhn check digit. */
export function withCheckDigit(digits: string): string {
  for (let check = 0; check <= 9; check += 1) {
    if (luhnValid(`${digits}${check}`)) return `${digits}${check}`;
  }
  throw new Error('unreachable: one check digit always fits');
}

/** The track 2 an officer card carries (see card-parsers.ts for the format). */
export function officerCardTrack(issuer: string, officerId: string, expires: string): string {
  const yymm = `${expires.slice(2, 4)}${expires.slice(5, 7)}`;
  return `;${withCheckDigit(`99${issuer}${officerId}`)}=${yymm}000?`;
}

export function createSimulatedCardReader(options: {
  officerIssuer: string;
  clock: DeviceClock;
  logger: DeviceLogger;
}): SimulatedCardReader {
  const listeners = new Set<(read: CardRead) => void>();
  return {
    simulated: true,
    swipe(card) {
      const text =
        card.kind === 'officer'
          ? officerCardTrack(options.officerIssuer, card.officerId, card.expires)
          : card.kind === 'reference'
            ? card.ref
            : card.text;
      const read = parseCardRead(text, 'simulated', {
        officerIssuer: options.officerIssuer,
        now: new Date(options.clock.now()),
      });
      options.logger.log('info', 'card-reader.read', {
        kind: read.kind,
        simulated: true,
        ...(read.kind === 'rejected' ? { code: read.code } : {}),
      });
      for (const listener of listeners) listener(read);
      return read;
    },
    onRead(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
