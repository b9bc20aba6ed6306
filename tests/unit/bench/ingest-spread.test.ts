import { describe, expect, it } from 'vitest';
import { roundRobin, spreadOf } from '../../bench/ingest';

describe('bench ingest: requests spread over gateway processes', () => {
  it('gives each request, in the order sent, to the next process whichever kiosk sends it', () => {
    const route = roundRobin(2);
    // Sixteen kiosks sending their first batch at once: eight to each process, not all to one.
    const first = Array.from({ length: 16 }, () => route());
    expect(first.filter((g) => g === 0)).toHaveLength(8);
    expect(first.filter((g) => g === 1)).toHaveLength(8);
    const single = roundRobin(1);
    expect([single(), single(), single()]).toEqual([0, 0, 0]);
  });

  it('measures how long each process had work, and both at once', () => {
    // Process 0 busy 0–50 (two requests overlap 10–20), process 1 busy 40–100: window 0–100.
    const spread = spreadOf(
      [
        { gateway: 0, start: 0, end: 20 },
        { gateway: 0, start: 10, end: 50 },
        { gateway: 1, start: 40, end: 100 },
      ],
      2,
      0,
      100,
    );
    expect(spread.busy[0]).toBeCloseTo(0.5);
    expect(spread.busy[1]).toBeCloseTo(0.6);
    expect(spread.inFlight[0]).toBeCloseTo(0.6);
    expect(spread.inFlight[1]).toBeCloseTo(0.6);
    expect(spread.allBusy).toBeCloseTo(0.1);
  });

  it('sees a relay: every kiosk at one process, then every kiosk at the other', () => {
    const flights = Array.from({ length: 16 }, (_, k) => [
      { gateway: 1, start: 0, end: 40 + k },
      { gateway: 0, start: 40 + k, end: 90 + k },
    ]).flat();
    const spread = spreadOf(flights, 2, 0, 105);
    expect(spread.allBusy).toBeLessThan(0.2);
  });

  it('counts a reply and the next request at the same instant as no overlap', () => {
    const spread = spreadOf(
      [
        { gateway: 0, start: 0, end: 50 },
        { gateway: 0, start: 50, end: 100 },
      ],
      1,
      0,
      100,
    );
    expect(spread.busy[0]).toBeCloseTo(1);
    expect(spread.inFlight[0]).toBeCloseTo(1);
  });
});
