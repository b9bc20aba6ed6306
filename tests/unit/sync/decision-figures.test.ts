import { describe, expect, it } from 'vitest';
import {
  decisionDeadline,
  decisionFigures,
  servicesOf,
  smsSubscriptions,
} from '../../../sync/server/dashboard/decision-figures';
import type { ServiceInfo } from '../../../sync/server/dashboard/decision-figures';
import { shippedCatalogues } from '../../../sync/server/dashboard/dashboard-data';
import type { DecisionRow } from '../../../sync/server/agency/agencies';

const belize = 'America/Belize';

describe('decision targets in working days', () => {
  it('counts Monday to Friday after the day of submission, on the country clock', () => {
    const deadline = (at: string, n: number, zone = belize) =>
      new Date(decisionDeadline(at, n, zone)).toISOString().slice(0, 10);
    // Friday 6 November 2026, 10:00 in Belize: five working days is the next Friday.
    expect(deadline('2026-11-06T16:00:00.000Z', 5)).toBe('2026-11-13');
    // Saturday: the count starts on Monday.
    expect(deadline('2026-11-07T16:00:00.000Z', 1)).toBe('2026-11-09');
    // 21:00 on Thursday in Belize is already Friday in UTC: the country's day decides.
    expect(deadline('2026-11-13T03:00:00.000Z', 1)).toBe('2026-11-13');
    expect(deadline('2026-11-13T03:00:00.000Z', 1, 'UTC')).toBe('2026-11-16');
  });

  it('reads each service target from the catalogues shipped, in both countries', () => {
    const services = servicesOf(shippedCatalogues());
    expect(services.get('birth-certificate-replacement')).toMatchObject({
      targetWorkingDays: 5,
      timeZone: belize,
    });
    expect(services.get('omang-replacement')).toMatchObject({
      targetWorkingDays: 15,
      timeZone: 'Africa/Gaborone',
    });
    expect(services.get('bill-payment')?.targetWorkingDays).toBeUndefined();
  });
});

describe('processing figures', () => {
  const services = new Map<string, ServiceInfo>([
    ['passport', { title: 'Passport', targetWorkingDays: 5, timeZone: 'UTC' }],
    ['grant', { title: 'Social grant', timeZone: 'UTC' }],
  ]);
  // Monday 2 November 2026: the deadline for 5 working days is Monday 9 November.
  const monday = '2026-11-02T09:00:00.000Z';
  const row = (over: Partial<DecisionRow>): DecisionRow => ({
    serviceId: 'passport',
    kioskId: 'kiosk-a',
    submittedAt: monday,
    decidedAt: null,
    tracked: true,
    ...over,
  });
  const now = new Date('2026-11-20T12:00:00.000Z');

  it('measures days to decision and the share decided within target, by service and by site', () => {
    const figures = decisionFigures(
      [
        row({ decidedAt: '2026-11-03T09:00:00.000Z' }), // 1 day: on time
        row({ decidedAt: '2026-11-09T21:00:00.000Z' }), // the deadline day itself: on time
        row({ decidedAt: '2026-11-12T09:00:00.000Z', kioskId: 'kiosk-b' }), // 10 days: late
        row({ kioskId: 'kiosk-b' }), // undecided past the deadline: late
        row({ submittedAt: '2026-11-19T09:00:00.000Z' }), // undecided, within: pending
        row({ serviceId: 'grant', decidedAt: '2026-11-04T09:00:00.000Z' }), // no target
        row({ tracked: false, decidedAt: null }), // no agency: not measured
      ],
      services,
      { 'kiosk-a': 'Belmopan', 'kiosk-b': 'Orange Walk' },
      now,
    );
    expect(figures.byService).toEqual([
      {
        key: 'passport',
        label: 'Passport',
        submitted: 5,
        decided: 3,
        medianDays: 7.5,
        p90Days: 10,
        onTime: 2,
        late: 2,
        pending: 1,
        sharePct: 50,
        targetWorkingDays: 5,
      },
      {
        key: 'grant',
        label: 'Social grant',
        submitted: 1,
        decided: 1,
        medianDays: 2,
        p90Days: 2,
        onTime: 0,
        late: 0,
        pending: 0,
        sharePct: null,
      },
    ]);
    expect(figures.bySite.map((s) => [s.key, s.submitted, s.onTime, s.late, s.sharePct])).toEqual([
      ['Belmopan', 4, 2, 0, 100],
      ['Orange Walk', 2, 0, 2, 0],
    ]);
  });

  it('counts SMS sign-ups by the service of the receipt they name', () => {
    const rows = smsSubscriptions(
      [
        { fields: { forReference: 'AAAA-AAAA-A', alerts: 'ready' } },
        { fields: { forReference: 'BBBB-BBBB-B', alerts: 'ready' } },
        { fields: { forReference: 'CCCC-CCCC-C', alerts: 'ready' } },
        { fields: { alerts: 'all' } },
      ],
      new Map([
        ['AAAA-AAAA-A', 'passport'],
        ['BBBB-BBBB-B', 'passport'],
        ['CCCC-CCCC-C', 'grant'],
      ]),
      services,
    );
    expect(rows).toEqual([
      { serviceId: 'passport', label: 'Passport', subscriptions: 2 },
      { serviceId: null, label: 'All services (signed up without a receipt)', subscriptions: 1 },
      { serviceId: 'grant', label: 'Social grant', subscriptions: 1 },
    ]);
  });
});
