import { describe, expect, it } from 'vitest';
import {
  applyKey,
  codeKeys,
  digitsOnly,
  keyboardKindFor,
  extraLettersFor,
  keyboardLayout,
  textTakesDigits,
} from '../../../renderer/components/keyboard-layouts';

describe('the on-screen keyboard', () => {
  it('gives each typed field type its own layout and touch-only fields none', () => {
    expect(keyboardKindFor('text')).toBe('text');
    expect(keyboardKindFor('number')).toBe('numeric');
    expect(keyboardKindFor('national-id')).toBe('numeric');
    expect(keyboardKindFor('amount')).toBe('amount');
    // Money has a decimal point; a count has none.
    expect(keyboardLayout('amount', ['en']).default?.join(' ')).toContain('.');
    expect(keyboardLayout('numeric', ['en']).default?.join(' ')).not.toContain('.');
    expect(keyboardKindFor('phone')).toBe('phone');
    expect(keyboardKindFor('date')).toBe('date');
    expect(keyboardKindFor('choice')).toBeUndefined();
    expect(keyboardKindFor('consent')).toBeUndefined();
  });

  it("offers a code field's dash and space keys only where its pattern takes them", () => {
    const keys = (pattern: string) =>
      keyboardLayout('code', ['en'], codeKeys(pattern)).default?.join(' ').split(' ') ?? [];
    // The shipped catalogues' patterns: licence, plate, brand number.
    expect(codeKeys('^[A-Z0-9]+$')).toEqual({ dash: false, space: false, capitalsOnly: true });
    expect(keys('^[A-Z0-9]+$')).not.toContain('-');
    expect(keys('^[A-Z0-9]+$')).not.toContain('{space}');
    expect(codeKeys('^[A-Z0-9 -]+$')).toEqual({ dash: true, space: true, capitalsOnly: true });
    expect(keys('^[A-Z0-9 -]+$')).toEqual(expect.arrayContaining(['-', '{space}', 'Q', '0']));
    expect(keys('^[A-Z0-9-]+$')).toContain('-');
    expect(keys('^[A-Z0-9-]+$')).not.toContain('{space}');
    expect(codeKeys('^[A-Z]{2}-\\d{4}$').dash).toBe(true);
    expect(codeKeys('^[A-Za-z0-9]+$').capitalsOnly).toBe(false);
  });

  it('gives a text field of digits only (an account number) the number pad', () => {
    expect(digitsOnly('^[0-9]+$')).toBe(true);
    expect(digitsOnly('^\\d{6,20}$')).toBe(true);
    expect(digitsOnly('^[0-9]*$')).toBe(true);
    expect(digitsOnly('^[A-Z0-9]+$')).toBe(false);
    expect(digitsOnly('^[0-9]+-[0-9]+$')).toBe(false);
    expect(digitsOnly(undefined)).toBe(false);
  });

  it('gives a name no digit row (the field refuses digits) but a dot for initials, and keeps digits where a field takes them', () => {
    const name = "^(?=.*\\p{L})[\\p{L}\\p{M} .'’-]+$";
    expect(textTakesDigits(name)).toBe(false);
    expect(textTakesDigits(undefined)).toBe(true);
    expect(textTakesDigits('^[A-Za-z0-9 ]+$')).toBe(true);
    expect(textTakesDigits('^\\d+[a-z]$')).toBe(true);
    const keys = (digits: boolean) =>
      keyboardLayout('text', ['en'], undefined, { digits }).default?.join(' ').split(' ') ?? [];
    expect(keys(false)).not.toContain('1');
    expect(keys(false)).toContain('.');
    expect(keys(true)).toEqual(expect.arrayContaining(['1', '0', '.']));
    // No row is wider than ten keys (every key stays on a portrait screen at 200% zoom).
    for (const row of keyboardLayout('text', ['tn'], undefined, { digits: true }).default ?? [])
      expect(row.split(' ').length, row).toBeLessThanOrEqual(10);
  });

  it('offers the accented letters Spanish and Setswana need, and none extra for English', () => {
    expect(keyboardLayout('text', ['es']).default?.join(' ')).toContain('ñ');
    expect(keyboardLayout('text', ['es']).shift?.join(' ')).toContain('Ñ');
    expect(keyboardLayout('text', ['tn']).default?.join(' ')).toContain('š');
    expect(keyboardLayout('text', ['en']).default?.join(' ')).not.toMatch(/[ñšáê]/);
  });

  it("offers the site's letters whatever the screen's language, so a name keeps its own", () => {
    // Belize: English or Kriol on screen, a Spanish name to type.
    const belize = keyboardLayout('text', ['en', 'en', 'es', 'bzj']);
    expect(belize.default).toContain('á é í ó ú ñ ü');
    expect(belize.shift).toContain('Á É Í Ó Ú Ñ Ü');
    expect(keyboardLayout('text', ['bzj', 'en', 'es', 'bzj']).default).toContain('á é í ó ú ñ ü');
    // Botswana: English on screen, a Setswana name.
    expect(keyboardLayout('text', ['en', 'en', 'tn']).default).toContain('š ê ô');
    // Each letter once, the screen language's first; no row wider than ten keys.
    expect(extraLettersFor(['tn', 'es', 'tn'])).toEqual('š ê ô á é í ó ú ñ ü'.split(' '));
    for (const row of keyboardLayout('text', ['es', 'en', 'es', 'bzj']).default ?? [])
      expect(row.split(' ').length, row).toBeLessThanOrEqual(10);
    // Number pads have no letters whatever the site.
    const padKeys = keyboardLayout('numeric', ['es', 'es']).default?.join(' ').split(' ') ?? [];
    expect(padKeys.filter((key) => !key.startsWith('{')).join('')).toMatch(/^[0-9]+$/);
  });

  it('types the dashes of a date for the citizen', () => {
    let value = '';
    for (const key of '19900401') value = applyKey('date', value, key);
    expect(value).toBe('1990-04-01');
    expect(applyKey('date', value, '9')).toBe('1990-04-01');
    expect(applyKey('date', '1990-', '{bksp}')).toBe('1990');
  });

  it('applies delete and space to the current answer without a buffer of its own', () => {
    expect(applyKey('text', 'Ana', '{bksp}')).toBe('An');
    expect(applyKey('text', 'Ana', '{space}')).toBe('Ana ');
    expect(applyKey('phone', '+501', '6')).toBe('+5016');
    expect(applyKey('text', 'Ana', '{shift}')).toBe('Ana');
  });
});
