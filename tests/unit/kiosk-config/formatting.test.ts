import { describe, expect, it } from 'vitest';
import {
  dayInZone,
  daysInMonth,
  formatDate,
  formatDateTime,
  formatDayOf,
  formatMoney,
  formatMoneyTotals,
  formatNumber,
  formatTimeOf,
  parseDateInput,
  parseIsoDate,
  wallClock,
} from '../../../kiosk-config/formatting';

describe('money', () => {
  it('writes Pula as "P 50.00" and Belize dollars as "BZ$50.00", with thousands grouped', () => {
    expect(formatMoney({ amountMinor: 5000, currency: 'BWP' })).toBe('P 50.00');
    expect(formatMoney({ amountMinor: 125_000, currency: 'BWP' })).toBe('P 1,250.00');
    expect(formatMoney({ amountMinor: 5000, currency: 'BZD' })).toBe('BZ$50.00');
    expect(formatMoney({ amountMinor: 123_456_789, currency: 'BZD' })).toBe('BZ$1,234,567.89');
    expect(formatMoney({ amountMinor: 5, currency: 'BZD' })).toBe('BZ$0.05');
  });

  it('never writes a bare "$": an unknown currency keeps its ISO code', () => {
    expect(formatMoney({ amountMinor: 500, currency: 'USD' })).toBe('USD 5.00');
  });

  it('totals per currency put the site currency first and write no money as zero in it', () => {
    expect(formatMoneyTotals({}, 'BWP')).toBe('P 0.00');
    expect(formatMoneyTotals({ BZD: 0 }, 'BWP')).toBe('P 0.00');
    expect(formatMoneyTotals({ BZD: 1000, BWP: 2500 }, 'BWP')).toBe('P 25.00, BZ$10.00');
  });
});

describe('numbers', () => {
  it('group thousands with commas and keep a point for decimals, in every country', () => {
    expect(formatNumber(0)).toBe('0');
    expect(formatNumber(999)).toBe('999');
    expect(formatNumber(1000)).toBe('1,000');
    expect(formatNumber(1234567.5)).toBe('1,234,567.5');
    expect(formatNumber(-12000.25, 2)).toBe('-12,000.25');
  });
});

describe('dates in words', () => {
  const date = { year: 1990, month: 4, day: 1 };
  it('are written in each language with its own month names', () => {
    expect(formatDate(date, 'en')).toBe('1 April 1990');
    expect(formatDate(date, 'es')).toBe('1 de abril de 1990');
    expect(formatDate(date, 'bzj')).toBe('Aypril 1, 1990');
    expect(formatDate(date, 'tn')).toBe('1 Moranang 1990');
    expect(formatDate({ year: 2026, month: 11, day: 14 }, 'tn')).toBe('14 Ngwanatsele 2026');
  });

  it('show an instant at the wall-clock time of the site, not of the machine', () => {
    const instant = '2026-11-14T23:30:00.000Z';
    // Gaborone is UTC+2 (already the 15th there); Belize is UTC-6.
    expect(wallClock(instant, 'Africa/Gaborone')).toEqual({
      year: 2026,
      month: 11,
      day: 15,
      hour: 1,
      minute: 30,
    });
    expect(formatDateTime(instant, 'tn', 'Africa/Gaborone')).toBe('15 Ngwanatsele 2026, 01:30');
    expect(formatDateTime(instant, 'es', 'America/Belize')).toBe('14 de noviembre de 2026, 17:30');
    expect(formatDayOf(instant, 'bzj', 'America/Belize')).toBe('Novemba 14, 2026');
    expect(formatTimeOf(instant, 'America/Belize')).toBe('17:30');
  });

  it("give the site's calendar day and its midnights, not the machine's or UTC's", () => {
    // 01:51 on 1 December in Gaborone (UTC+2) is still 30 November in UTC.
    expect(dayInZone('2026-11-30T23:51:00Z', 'Africa/Gaborone')).toEqual({
      day: '2026-12-01',
      startMs: Date.parse('2026-11-30T22:00:00Z'),
      endMs: Date.parse('2026-12-01T22:00:00Z'),
    });
    // 19:30 on 30 November in Belize (UTC−6) is already 1 December in UTC.
    expect(dayInZone('2026-12-01T01:30:00Z', 'America/Belize')).toEqual({
      day: '2026-11-30',
      startMs: Date.parse('2026-11-30T06:00:00Z'),
      endMs: Date.parse('2026-12-01T06:00:00Z'),
    });
    // The last day of a year, and a day whose offset changes (summer time starts in London).
    expect(dayInZone('2026-12-31T23:59:00Z', 'Africa/Gaborone').day).toBe('2027-01-01');
    expect(dayInZone('2026-03-29T12:00:00Z', 'Europe/London')).toEqual({
      day: '2026-03-29',
      startMs: Date.parse('2026-03-29T00:00:00Z'),
      endMs: Date.parse('2026-03-29T23:00:00Z'),
    });
  });

  it('fall back to UTC for a time zone name that does not exist instead of failing a receipt', () => {
    expect(formatDateTime('2026-01-02T03:04:00Z', 'en', 'Mars/Olympus')).toBe(
      '2 January 2026, 03:04',
    );
  });
});

describe('typed dates', () => {
  it('are read year first, with or without separators, from the date pad or a keyboard', () => {
    for (const text of ['1990-04-01', '19900401', '1990/4/1', '1990.04.01', ' 1990 4 1 ']) {
      expect(parseDateInput(text), text).toEqual({
        ok: true,
        date: { year: 1990, month: 4, day: 1 },
        iso: '1990-04-01',
      });
    }
  });

  it('refuse an impossible day and say why, never rolling it into the next month', () => {
    expect(parseDateInput('1992-02-30')).toEqual({
      ok: false,
      problem: { kind: 'day', year: 1992, month: 2, day: 30, days: 29 },
    });
    expect(parseDateInput('19910229')).toEqual({
      ok: false,
      problem: { kind: 'day', year: 1991, month: 2, day: 29, days: 28 },
    });
    expect(parseDateInput('1990-04-00')).toMatchObject({ ok: false, problem: { kind: 'day' } });
    expect(parseDateInput('1990-13-01')).toEqual({
      ok: false,
      problem: { kind: 'month', month: 13 },
    });
    expect(parseIsoDate('1992-02-30')).toBeUndefined();
    expect(parseIsoDate('2000-02-29')).toEqual({ year: 2000, month: 2, day: 29 });
  });

  it('ask for the year first when the day comes first, and refuse what is not a date', () => {
    expect(parseDateInput('01/04/1990')).toEqual({ ok: false, problem: { kind: 'year-last' } });
    for (const text of ['', '1990-04', '199004011', 'abcd-ef-gh', '1990-004-01', '90-04-01']) {
      expect(parseDateInput(text), text).toEqual({ ok: false, problem: { kind: 'format' } });
    }
  });

  it('count leap years by the Gregorian rules', () => {
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(1900, 2)).toBe(28);
    expect(daysInMonth(2000, 2)).toBe(29);
    expect(daysInMonth(2023, 4)).toBe(30);
    expect(daysInMonth(2023, 12)).toBe(31);
  });
});
