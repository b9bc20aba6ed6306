import { describe, expect, it } from 'vitest';
import {
  amountMinor,
  canonicalAmount,
  canonicalAnswer,
  checkField,
  isFieldShown,
  luhnValid,
  mod11Valid,
  resolveDateBound,
} from '../../../kiosk-config/field-validation';
import { fieldSchema } from '../../../kiosk-config/schema';
import { serviceFee } from '../../../kiosk-config/service-fee';
import belize from '../../../kiosk-config/catalogue/belize.json';
import botswana from '../../../kiosk-config/catalogue/botswana.json';

const field = (definition: unknown) => fieldSchema.parse(definition);
const label = { en: 'Label' };

describe('field validation', () => {
  it('asks for a required answer and accepts a missing optional one', () => {
    expect(checkField(field({ id: 'a', type: 'text', label }), '  ')).toEqual({
      key: 'form.error.required',
    });
    expect(
      checkField(field({ id: 'a', type: 'text', label, required: false }), ''),
    ).toBeUndefined();
  });

  it('counts characters, not UTF-16 units, for length limits', () => {
    const name = field({ id: 'a', type: 'text', label, minLength: 2, maxLength: 3 });
    expect(checkField(name, '😀😀😀')).toBeUndefined();
    expect(checkField(name, '😀')).toEqual({ key: 'form.error.tooShort', values: { min: 2 } });
  });

  it("refuses, in the catalogue's own sentence, a name that is not letters (every fullName of both shipped catalogues)", () => {
    const names = [belize, botswana].flatMap((catalogue) =>
      (catalogue as { services: Array<{ fields: unknown[] }> }).services
        .flatMap((service) => service.fields.map(field))
        .filter((f) => f.id === 'fullName'),
    );
    expect(names.length).toBeGreaterThanOrEqual(10);
    for (const name of names) {
      if (name.type !== 'text') throw new Error('fullName is not a text field');
      expect(name.patternMessage?.en).toBe('A name has letters only: no digits or signs.');
      for (const ok of [
        'Kagiso Molefe',
        'José Pérez-Castillo',
        "Mary O'Neil",
        'Kgosi Tšhekedi',
        'Dr. K. Molefe',
        'O’Brien Ngũgĩ',
      ])
        expect(checkField(name, ok), ok).toBeUndefined();
      // Digits, a scanned code, markup, and signs with no letter at all (QA: "--" and ". .").
      for (const bad of [
        '123436789',
        'AbSP:GNGX-X8TE-V',
        'Ana 2',
        '<b>Ann</b>',
        '--',
        '. .',
        "' -",
      ])
        expect(checkField(name, bad), bad).toEqual({
          key: 'form.error.pattern',
          message: name.patternMessage,
        });
    }
  });

  it('applies a text pattern', () => {
    const licence = field({ id: 'a', type: 'text', label, pattern: '^[A-Z0-9]+$' });
    expect(checkField(licence, 'AB123')).toBeUndefined();
    expect(checkField(licence, 'ab-12')).toEqual({ key: 'form.error.pattern' });
  });

  it('refuses an answer with a control character (a NUL from a key Chromium could not name)', () => {
    const name = field({ id: 'a', type: 'text', label });
    expect(checkField(name, 'Mar\u0000a Jos\u0000')).toEqual({
      key: 'form.error.controlCharacter',
    });
    expect(checkField(name, 'Ana\u0085')).toEqual({ key: 'form.error.controlCharacter' });
    expect(checkField(name, 'Ana\nPérez')).toEqual({ key: 'form.error.controlCharacter' });
    expect(checkField(field({ id: 'p', type: 'phone', label }), '7123\u00004567')).toEqual({
      key: 'form.error.controlCharacter',
    });
    expect(checkField(name, 'María José Núñez')).toBeUndefined();
  });

  it('checks numbers and their range', () => {
    const amount = field({ id: 'a', type: 'number', label, min: 1, max: 100 });
    expect(checkField(amount, '12.5')).toBeUndefined();
    expect(checkField(amount, '1e3')).toEqual({ key: 'form.error.number' });
    expect(checkField(amount, '0')).toEqual({ key: 'form.error.min', values: { min: 1 } });
    expect(checkField(amount, '101')).toEqual({ key: 'form.error.max', values: { max: 100 } });
  });

  it('accepts only real calendar dates, typed with or without separators, and says what is wrong', () => {
    const date = field({ id: 'a', type: 'date', label });
    expect(checkField(date, '2024-02-29')).toBeUndefined();
    expect(checkField(date, '20240229')).toBeUndefined();
    expect(checkField(date, '2024/2/29')).toBeUndefined();
    expect(checkField(date, '2023-02-29')).toEqual({
      key: 'form.error.dateDay',
      values: { day: 29, month: 2, year: 2023, days: 28 },
    });
    expect(checkField(date, '2023-13-01')).toEqual({
      key: 'form.error.dateMonth',
      values: { month: 13 },
    });
    expect(checkField(date, '01/02/2020')).toEqual({ key: 'form.error.dateYearLast' });
    expect(checkField(date, '2020-0')).toEqual({ key: 'form.error.date' });
  });

  it('refuses a date after its notAfter limit and before its notBefore limit, on the given day', () => {
    const birth = field({
      id: 'a',
      type: 'date',
      label,
      notAfter: 'today',
      notBefore: 'today-130y',
    });
    const today = { today: '2026-11-30' };
    expect(checkField(birth, '2026-11-30', today)).toBeUndefined();
    expect(checkField(birth, '2026-12-01', today)).toEqual({ key: 'form.error.dateFuture' });
    expect(checkField(birth, '2099-01-01', today)).toEqual({ key: 'form.error.dateFuture' });
    expect(checkField(birth, '1896-11-30', today)).toBeUndefined();
    expect(checkField(birth, '1896-11-29', today)).toEqual({
      key: 'form.error.dateTooEarly',
      values: { limit: '1896-11-30' },
    });
    // The site's day decides, not the machine's: at 23:30 in Gaborone it is already tomorrow.
    expect(checkField(birth, '2026-12-01', { today: '2026-12-01' })).toBeUndefined();
    const move = field({ id: 'b', type: 'date', label, notBefore: 'today', notAfter: 'today+90d' });
    expect(checkField(move, '2026-11-29', today)).toEqual({
      key: 'form.error.dateTooEarly',
      values: { limit: '2026-11-30' },
    });
    expect(checkField(move, '2027-02-28', today)).toBeUndefined();
    expect(checkField(move, '2027-03-01', today)).toEqual({
      key: 'form.error.dateTooLate',
      values: { limit: '2027-02-28' },
    });
  });

  it('reads date limits: fixed days, today moved by days or years, 29 February in a common year', () => {
    expect(resolveDateBound('2000-01-31', '2026-11-30')).toEqual({ year: 2000, month: 1, day: 31 });
    expect(resolveDateBound('today', '2024-02-29')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(resolveDateBound('today-1y', '2024-02-29')).toEqual({ year: 2023, month: 2, day: 28 });
    expect(resolveDateBound('today+2d', '2026-12-31')).toEqual({ year: 2027, month: 1, day: 2 });
    expect(() => field({ id: 'a', type: 'date', label, notAfter: 'tomorrow' })).toThrow(
      /today with days or years added/,
    );
  });

  it('accepts phone numbers with 7 to 15 digits and common separators', () => {
    const phone = field({ id: 'a', type: 'phone', label });
    expect(checkField(phone, '+501 622-1234')).toBeUndefined();
    expect(checkField(phone, '12345')).toEqual({ key: 'form.error.phone' });
  });

  it('accepts only listed choices', () => {
    const choice = field({
      id: 'a',
      type: 'choice',
      label,
      options: [
        { value: 'x', label },
        { value: 'y', label },
      ],
    });
    expect(checkField(choice, 'y')).toBeUndefined();
    expect(checkField(choice, 'z')).toEqual({ key: 'form.error.choice' });
  });
});

describe('national id, checklist and consent fields', () => {
  const luhnId = field({
    id: 'nationalId',
    type: 'national-id',
    label,
    pattern: '[0-9]{9}',
    checkDigit: 'luhn',
  });
  const mod11Id = field({
    id: 'nationalId',
    type: 'national-id',
    label,
    pattern: '[0-9]{9}',
    checkDigit: 'mod11',
  });

  it('accepts a national id whose Luhn check digit is right and names a wrong digit', () => {
    expect(luhnValid('79927398713')).toBe(true);
    expect(checkField(luhnId, '123 456 782')).toBeUndefined();
    expect(checkField(luhnId, '123456783')).toEqual({ key: 'form.error.checkDigit' });
  });

  it('checks mod 11 with weights from 2 and refuses a body whose check would be 10', () => {
    // 12345678: weights 9..2 from the left give 1*9+2*8+3*7+4*6+5*5+6*4+7*3+8*2 = 156; 156 % 11 = 2; 11 - 2 = 9.
    expect(mod11Valid('123456789')).toBe(true);
    expect(checkField(mod11Id, '123-456-789')).toBeUndefined();
    expect(checkField(mod11Id, '123456788')).toEqual({ key: 'form.error.checkDigit' });
    expect(mod11Valid('000000010')).toBe(false);
  });

  it('refuses an id of the wrong shape before looking at its check digit', () => {
    expect(checkField(luhnId, '12345')).toEqual({ key: 'form.error.nationalId' });
    expect(checkField(luhnId, 'ABC456782')).toEqual({ key: 'form.error.nationalId' });
  });

  it('needs every paper of a required checklist ticked and counts the missing ones', () => {
    const docs = field({
      id: 'documents',
      type: 'documents',
      label,
      items: [
        { id: 'idCard', label },
        { id: 'photos', label },
      ],
    });
    expect(checkField(docs, '')).toEqual({ key: 'form.error.documents', values: { count: 2 } });
    expect(checkField(docs, 'photos')).toEqual({
      key: 'form.error.documents',
      values: { count: 1 },
    });
    expect(checkField(docs, 'idCard,photos')).toBeUndefined();
    expect(checkField(docs, 'idCard,passport')).toEqual({ key: 'form.error.choice' });
  });

  it('takes consent only as an explicit yes', () => {
    const consent = field({ id: 'consent', type: 'consent', label });
    expect(checkField(consent, '')).toEqual({ key: 'form.error.consent' });
    expect(checkField(consent, 'no')).toEqual({ key: 'form.error.consent' });
    expect(checkField(consent, 'yes')).toBeUndefined();
  });

  it('shows a conditional field only when the earlier answer matches', () => {
    const equals = field({
      id: 'b',
      type: 'text',
      label,
      showIf: { field: 'a', equals: 'renewal' },
    });
    const within = field({ id: 'c', type: 'text', label, showIf: { field: 'a', in: ['x', 'y'] } });
    expect(isFieldShown(equals, { a: 'renewal' })).toBe(true);
    expect(isFieldShown(equals, { a: 'new' })).toBe(false);
    expect(isFieldShown(within, { a: 'y' })).toBe(true);
    expect(isFieldShown(within, {})).toBe(false);
  });
});

describe('amount fields (money the citizen states)', () => {
  it('reads an amount in minor units exactly, with at most two decimals after a point', () => {
    expect(amountMinor('12.5')).toBe(1250);
    expect(amountMinor('12.50')).toBe(1250);
    expect(amountMinor(' 12 ')).toBe(1200);
    expect(amountMinor('0.07')).toBe(7);
    expect(amountMinor('999999999.99')).toBe(99_999_999_999);
    // 0.29 × 100 is 28.999999999999996 in floating point: never through a product.
    expect(amountMinor('0.29')).toBe(29);
    // A point with nothing before or after it, as a number is said aloud ("point five").
    expect(amountMinor('.5')).toBe(50);
    expect(amountMinor(' .05')).toBe(5);
    expect(amountMinor('12.')).toBe(1200);
    for (const bad of [
      '12.505',
      '-1',
      '1,000',
      '.',
      ' . ',
      '..5',
      'BZ$12',
      '1e3',
      '',
      '1234567890',
    ]) {
      expect(amountMinor(bad), bad).toBeUndefined();
    }
  });

  it('keeps an accepted amount with two decimals, and any answer without spaces around it', () => {
    expect(canonicalAmount('.5')).toBe('0.50');
    expect(canonicalAmount(' 50 ')).toBe('50.00');
    expect(canonicalAmount('007.5')).toBe('7.50');
    expect(canonicalAmount('12.')).toBe('12.00');
    expect(canonicalAmount('999999999.99')).toBe('999999999.99');
    // Not an amount: left as typed but for the spaces (its check says what is wrong).
    expect(canonicalAmount(' 12,50 ')).toBe('12,50');
    const amount = field({ id: 'amount', type: 'amount', label, min: 1, max: 100000 });
    const date = field({ id: 'dob', type: 'date', label });
    const text = field({ id: 'name', type: 'text', label });
    expect(canonicalAnswer(amount, ' 50')).toBe('50.00');
    expect(canonicalAnswer(date, '19900401')).toBe('1990-04-01');
    expect(canonicalAnswer(text, '  Neo Dube ')).toBe('Neo Dube');
  });

  it('judges ".5" against the smallest amount, not as a badly written one', () => {
    const amount = field({ id: 'amount', type: 'amount', label, min: 1, max: 100000 });
    expect(checkField(amount, '.5', { currency: 'BZD' })).toEqual({
      key: 'form.error.amountMin',
      values: { amount: 100, currency: 'BZD' },
    });
    expect(checkField(amount, '.', { currency: 'BZD' })).toEqual({ key: 'form.error.amount' });
  });

  it('checks the form of the amount and its limits in the major unit', () => {
    const amount = field({ id: 'amount', type: 'amount', label, min: 1, max: 100000 });
    expect(checkField(amount, '12.50')).toBeUndefined();
    expect(checkField(amount, '12.505')).toEqual({ key: 'form.error.amount' });
    expect(checkField(amount, '0.99')).toEqual({ key: 'form.error.min', values: { min: 1 } });
    expect(checkField(amount, '1')).toBeUndefined();
    expect(checkField(amount, '100000.01')).toEqual({
      key: 'form.error.max',
      values: { max: 100000 },
    });
    expect(checkField(amount, '')).toEqual({ key: 'form.error.required' });
  });

  it("says an amount's limits as money in the service's currency, and a huge one as too large", () => {
    const amount = field({ id: 'amount', type: 'amount', label, min: 1, max: 100000 });
    const inPula = { currency: 'BWP' };
    expect(checkField(amount, '100000.01', inPula)).toEqual({
      key: 'form.error.amountMax',
      values: { amount: 10_000_000, currency: 'BWP' },
    });
    expect(checkField(amount, '0.5', inPula)).toEqual({
      key: 'form.error.amountMin',
      values: { amount: 100, currency: 'BWP' },
    });
    // Ten digits or more: written as an amount, but past the largest, not "not an amount".
    expect(checkField(amount, '1234567890', inPula)).toEqual({
      key: 'form.error.amountMax',
      values: { amount: 10_000_000, currency: 'BWP' },
    });
    expect(checkField(amount, '12345678901.50')).toEqual({
      key: 'form.error.max',
      values: { max: 100000 },
    });
    expect(checkField(amount, '12,50', inPula)).toEqual({ key: 'form.error.amount' });
    // Without a largest amount, a number of ten digits is still not one the kiosk can take.
    const open = field({ id: 'amount', type: 'amount', label });
    expect(checkField(open, '1234567890', inPula)).toEqual({ key: 'form.error.amount' });
  });

  it("charges a fixed fee, or the answer to the service's fee field", () => {
    const fixed = { fee: { amountMinor: 1000, currency: 'BZD' } };
    expect(serviceFee(fixed, { amount: '99' })).toEqual({ amountMinor: 1000, currency: 'BZD' });
    const bill = { fee: { amountMinor: 0, currency: 'BWP' }, feeField: 'amount' };
    expect(serviceFee(bill, { amount: '12.5' })).toEqual({ amountMinor: 1250, currency: 'BWP' });
    expect(serviceFee(bill, { amount: 'twelve' })).toEqual({ amountMinor: 0, currency: 'BWP' });
    expect(serviceFee(bill, {})).toEqual({ amountMinor: 0, currency: 'BWP' });
  });
});
