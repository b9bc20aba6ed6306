import { describe, expect, it } from 'vitest';
import { checkField } from '../../../kiosk-config/field-validation';
import { fieldSchema } from '../../../kiosk-config/schema';

const field = (definition: unknown) => fieldSchema.parse(definition);
const label = { en: 'Label' };

describe('field validation', () => {
  it('asks for a required answer and accepts a missing optional one', () => {
    expect(checkField(field({ id: 'a', type: 'text', label }), '  ')).toEqual({ key: 'form.error.required' });
    expect(checkField(field({ id: 'a', type: 'text', label, required: false }), '')).toBeUndefined();
  });

  it('counts characters, not UTF-16 units, for length limits', () => {
    const name = field({ id: 'a', type: 'text', label, minLength: 2, maxLength: 3 });
    expect(checkField(name, '😀😀😀')).toBeUndefined();
    expect(checkField(name, '😀')).toEqual({ key: 'form.error.tooShort', values: { min: 2 } });
  });

  it('applies a text pattern', () => {
    const licence = field({ id: 'a', type: 'text', label, pattern: '^[A-Z0-9]+$' });
    expect(checkField(licence, 'AB123')).toBeUndefined();
    expect(checkField(licence, 'ab-12')).toEqual({ key: 'form.error.pattern' });
  });

  it('checks numbers and their range', () => {
    const amount = field({ id: 'a', type: 'number', label, min: 1, max: 100 });
    expect(checkField(amount, '12.5')).toBeUndefined();
    expect(checkField(amount, '1e3')).toEqual({ key: 'form.error.number' });
    expect(checkField(amount, '0')).toEqual({ key: 'form.error.min', values: { min: 1 } });
    expect(checkField(amount, '101')).toEqual({ key: 'form.error.max', values: { max: 100 } });
  });

  it('accepts only real calendar dates', () => {
    const date = field({ id: 'a', type: 'date', label });
    expect(checkField(date, '2024-02-29')).toBeUndefined();
    expect(checkField(date, '2023-02-29')).toEqual({ key: 'form.error.date' });
    expect(checkField(date, '01/02/2020')).toEqual({ key: 'form.error.date' });
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
