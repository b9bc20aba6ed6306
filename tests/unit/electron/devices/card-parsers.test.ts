import { describe, expect, it } from 'vitest';
import {
  luhnValid,
  parseCardRead,
  parseTrack1,
  parseTrack2,
  splitSwipe,
} from '../../../../electron/devices/card-reader/card-parsers';
import { officerCardTrack } from '../../../../electron/devices/simulated/simulated-card-reader';

const options = { officerIssuer: '0001', now: new Date('2026-11-14T12:00:00Z') };

describe('card and code parsers', () => {
  it('reads ISO/IEC 7813 track 1 fields', () => {
    expect(parseTrack1('%B4111111111111111^DOE/JANE^2812101000000000?')).toEqual({
      ok: true,
      value: {
        pan: '4111111111111111',
        name: 'DOE/JANE',
        expiry: '2812',
        serviceCode: '101',
        discretionary: '000000000',
      },
    });
  });

  it('reads ISO/IEC 7813 track 2 fields, with or without the LRC character', () => {
    const expected = {
      pan: '4111111111111111',
      expiry: '2812',
      serviceCode: '101',
      discretionary: '0000000000',
    };
    expect(parseTrack2(';4111111111111111=28121010000000000?')).toEqual({
      ok: true,
      value: expected,
    });
    expect(parseTrack2(';4111111111111111=28121010000000000?3')).toEqual({
      ok: true,
      value: expected,
    });
  });

  it('rejects a track with no end sentinel as a partial read', () => {
    expect(parseTrack2(';4111111111111111=2812')).toEqual({ ok: false, code: 'partial-read' });
    expect(parseTrack1('%B4111111111111111^DOE/JA')).toEqual({ ok: false, code: 'partial-read' });
  });

  it('rejects garbled tracks with a format code', () => {
    expect(parseTrack2(';41111X1111111111=2812101?')).toEqual({ ok: false, code: 'track2-format' });
    expect(parseTrack1('%B4111111111111111DOE/JANE2812101?')).toEqual({
      ok: false,
      code: 'track1-format',
    });
  });

  it('checks card numbers with the Luhn digit', () => {
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('990001000123455')).toBe(true);
  });

  it('reads an officer card as the officer id and expiry month', () => {
    expect(parseCardRead(';990001000123455=2712000?', 'hid', options)).toEqual({
      kind: 'officer',
      officerId: '00012345',
      expires: '2027-12',
      source: 'hid',
    });
    expect(officerCardTrack('0001', '00012345', '2027-12')).toBe(';990001000123455=2712000?');
  });

  it('refuses an officer card from another issuer and an expired one', () => {
    expect(
      parseCardRead(officerCardTrack('0002', '00012345', '2027-12'), 'hid', options),
    ).toMatchObject({
      kind: 'rejected',
      code: 'officer-card-issuer',
    });
    expect(
      parseCardRead(officerCardTrack('0001', '00012345', '2026-10'), 'hid', options),
    ).toMatchObject({
      kind: 'rejected',
      code: 'officer-card-expired',
    });
    // The card is good through the end of its expiry month.
    expect(
      parseCardRead(officerCardTrack('0001', '00012345', '2026-11'), 'hid', options),
    ).toMatchObject({
      kind: 'officer',
    });
  });

  it('keeps only the last four digits of a bank card', () => {
    const read = parseCardRead(
      '%B4111111111111111^DOE/JANE^2812101000000000?;4111111111111111=28121010000000000?',
      'keyboard-wedge',
      options,
    );
    expect(read).toEqual({
      kind: 'bank-card',
      last4: '1111',
      expires: '2028-12',
      source: 'keyboard-wedge',
    });
    expect(JSON.stringify(read)).not.toContain('411111');
    expect(JSON.stringify(read)).not.toContain('DOE');
  });

  it('rejects a two-track swipe whose tracks disagree as a partial read', () => {
    expect(
      parseCardRead(
        '%B4111111111111111^DOE/JANE^2812101000000000?;4012888888881881=28121010000000000?',
        'hid',
        options,
      ),
    ).toMatchObject({ kind: 'rejected', code: 'partial-read' });
  });

  it('reads a receipt reference barcode and checks its check character', () => {
    expect(parseCardRead('7k3m-q9xd-n\n', 'keyboard-wedge', options)).toEqual({
      kind: 'reference',
      ref: '7K3M-Q9XD-N',
      source: 'keyboard-wedge',
    });
    expect(parseCardRead('7K3M-Q9XD-4', 'hid', options)).toMatchObject({
      kind: 'rejected',
      code: 'reference-check-failed',
    });
  });

  it('gives every rejection a sentence a person can act on', () => {
    for (const text of [
      '',
      ';123',
      '%B12',
      'hello world',
      ';4111111111111112=2812101?',
      ';4111111111111111=2813101?',
    ]) {
      const read = parseCardRead(text, 'hid', options);
      expect(read.kind).toBe('rejected');
      if (read.kind === 'rejected') expect(read.message).toMatch(/^[A-Z].+\.$/);
    }
  });

  describe('uses every track that decodes', () => {
    const officer = ';990001000123455=2712000?';
    const officerRead = { kind: 'officer', officerId: '00012345', expires: '2027-12' };

    it('reads the officer track 2 when track 1 came back as the reader’s error token', () => {
      expect(parseCardRead(`%E?${officer}`, 'keyboard-wedge', options)).toMatchObject(officerRead);
      expect(parseCardRead(`%E?${officer}+E?`, 'keyboard-wedge', options)).toMatchObject(
        officerRead,
      );
    });

    it('reads a swipe with a third track, whichever sentinel the reader gives it', () => {
      const bank =
        '%B4111111111111111^DOE/JANE^2812101000000000?;4111111111111111=28121010000000000?';
      for (const track3 of [';0112345678901234=7247?', '+0112345678901234=7247?', '+E?']) {
        expect(parseCardRead(`${bank}${track3}`, 'hid', options)).toMatchObject({
          kind: 'bank-card',
          last4: '1111',
        });
      }
      expect(parseCardRead(`${officer}+E?`, 'hid', options)).toMatchObject(officerRead);
      expect(parseCardRead(`${officer};011234?`, 'hid', options)).toMatchObject(officerRead);
    });

    it('reads track 1 alone when track 2 failed', () => {
      expect(
        parseCardRead('%B4111111111111111^DOE/JANE^2812101000000000?;E?', 'hid', options),
      ).toMatchObject({ kind: 'bank-card', last4: '1111' });
    });

    it('refuses only when no track decodes', () => {
      expect(parseCardRead('%E?;E?+E?', 'hid', options)).toMatchObject({
        kind: 'rejected',
        code: 'partial-read',
      });
      expect(parseCardRead('%E?;9900010001234', 'hid', options)).toMatchObject({
        kind: 'rejected',
        code: 'partial-read',
      });
    });

    it('splits a swipe into its tracks with their LRC characters', () => {
      expect(splitSwipe(`%E?${officer}3+E?`)).toEqual([
        { track: 1, status: 'error', text: '%E?' },
        { track: 2, status: 'ok', text: `${officer}3` },
        { track: 3, status: 'error', text: '+E?' },
      ]);
      expect(splitSwipe('7K3M-Q9XD-N')).toBeNull();
    });
  });
});
