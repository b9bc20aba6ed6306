import { describe, expect, it } from 'vitest';
import { runChaos } from '../../chaos/chaos-run';

/**
 * A small sample of the chaos property (`npm run chaos -- --schedules 1000` runs it at scale):
 * random commits, link faults and gateway crashes, then a healthy link.
 */
describe('the chaos property', () => {
  it('delivers every committed transaction exactly once with an intact chain, leaving nothing pending', async () => {
    const { totals, failure } = await runChaos({ schedules: 12, processEvery: 0 });
    expect(failure).toBeUndefined();
    expect(totals.schedules).toBe(12);
    expect(totals.lost).toBe(0);
    expect(totals.duplicated).toBe(0);
    expect(totals.chainBreaks).toBe(0);
    expect(totals.pendingLeft).toBe(0);
    expect(totals.delivered).toBe(totals.committed);
  }, 60_000);
});
