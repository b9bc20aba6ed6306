import { describe, expect, it } from 'vitest';
import { chainsPage } from '../../../sync/server/dashboard/chain-repair-pages';
import { when } from '../../../sync/server/dashboard/page-shell';
import type { ChainRepair } from '../../../sync/server/chain-repair';

describe('times on the fleet dashboard', () => {
  it("reads an instant on the served country's clock and keeps the exact instant", () => {
    // 08:30 UTC is 10:30 in Gaborone (UTC+2) and 02:30 in Belmopan (UTC-6).
    expect(when('2026-11-14T08:30:00.000Z', 'Africa/Gaborone')).toBe(
      '<time datetime="2026-11-14T08:30:00.000Z">14 November 2026, 10:30</time>',
    );
    expect(when('2026-11-14T08:30:00.000Z', 'America/Belize')).toContain('14 November 2026, 02:30');
  });

  it('shows a value that is not a time as it came, escaped, and a missing one as a dash', () => {
    expect(when('<b>soon</b>', 'UTC')).toBe('&lt;b&gt;soon&lt;/b&gt;');
    expect(when(null, 'UTC')).toBe('—');
  });

  it('puts repairs on the chain page in wall-clock time with the zone named', () => {
    const repair = {
      decidedAt: '2026-11-14T08:30:00.000Z',
      kioskId: 'k1',
      seq: 3,
      kept: 'held',
      keptTxId: 'aaaaaaaa-0000',
      setAsideTxId: 'bbbbbbbb-0000',
      decidedBy: 'Maya Cal',
      reason: 'the stray record was a test',
      headBefore: 2,
      headAfter: 4,
    } as ChainRepair;
    const html = chainsPage([], [repair], 'csrf', 'Africa/Gaborone');
    expect(html).toContain('<th>When (Africa/Gaborone)</th>');
    expect(html).toContain('>14 November 2026, 10:30</time>');
    expect(html).not.toContain('>2026-11-14T08:30:00.000Z<');
  });
});
