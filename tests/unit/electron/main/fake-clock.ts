import type { Clock } from '../../../../electron/services/clock';

/** A clock the test moves by hand: timers fire only inside `advance`, in time order. */
export class FakeClock implements Clock {
  private current: number;
  private timers: Array<{ id: number; at: number; callback: () => void }> = [];
  private nextId = 1;

  constructor(start = Date.UTC(2026, 0, 15, 12, 0, 0)) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(callback: () => void, ms: number): unknown {
    const id = this.nextId++;
    this.timers.push({ id, at: this.current + ms, callback });
    return id;
  }

  clearTimeout(handle: unknown): void {
    this.timers = this.timers.filter((timer) => timer.id !== handle);
  }

  get pending(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, running every timer that falls due on the way. */
  advance(ms: number): void {
    const end = this.current + ms;
    for (;;) {
      this.timers.sort((a, b) => a.at - b.at);
      const next = this.timers[0];
      if (!next || next.at > end) break;
      this.timers.shift();
      this.current = next.at;
      next.callback();
    }
    this.current = end;
  }
}
