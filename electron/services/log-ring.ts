import type { LogLine } from '../../sync/bridge/operator-payloads';

/** Recent shell events in memory, for the operator console (`log:tail`). */
export interface LogRing {
  push(level: LogLine['level'], text: string): void;
  tail(limit: number): LogLine[];
}

/**
 * Removes what could identify a person before a line is kept: long digit runs (national ids,
 * phone numbers, card numbers, officer numbers), e-mail addresses and card tracks. Shell events
 * should carry none of these; this is the second line of defence, because the console shows
 * the lines to whoever holds the operator PIN.
 */
export function redactLogText(text: string): string {
  return (
    text
      .replace(/[;%][^?\s]*\?/g, '[card]')
      .replace(/[^\s@]+@[^\s@]+\.[^\s@]+/g, '[email]')
      .replace(/\+?\d[\d\s-]{5,}\d/g, '[number]')
      // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
      .replace(/[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, ' ')
      .slice(0, 300)
  );
}

export function createLogRing(capacity = 500, now: () => number = Date.now): LogRing {
  const lines: LogLine[] = [];
  return {
    push(level, text) {
      lines.push({ at: new Date(now()).toISOString(), level, text: redactLogText(text) });
      if (lines.length > capacity) lines.splice(0, lines.length - capacity);
    },
    tail(limit) {
      return lines.slice(-limit);
    },
  };
}
