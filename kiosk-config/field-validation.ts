import type { FieldDefinition } from './schema';

/** A failed check: a message key from the translations and its ICU arguments. */
export interface FieldProblem {
  key:
    | 'form.error.required'
    | 'form.error.tooShort'
    | 'form.error.tooLong'
    | 'form.error.pattern'
    | 'form.error.number'
    | 'form.error.integer'
    | 'form.error.min'
    | 'form.error.max'
    | 'form.error.date'
    | 'form.error.phone'
    | 'form.error.choice';
  values?: Record<string, number | string>;
}

function isRealDate(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!match) return false;
  const [year, month, day] = [Number(match[1]), Number(match[2]), Number(match[3])];
  const date = new Date(Date.UTC(year, month - 1, day));
  return (
    date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day
  );
}

/**
 * Checks one answer against its field definition. Values are the strings the citizen typed or
 * chose; the same check runs before review and again before commit.
 */
export function checkField(
  field: FieldDefinition,
  raw: string | undefined,
): FieldProblem | undefined {
  const value = (raw ?? '').trim();
  if (value === '') return field.required ? { key: 'form.error.required' } : undefined;
  switch (field.type) {
    case 'text': {
      const length = [...value].length;
      if (length < field.minLength)
        return { key: 'form.error.tooShort', values: { min: field.minLength } };
      if (length > field.maxLength)
        return { key: 'form.error.tooLong', values: { max: field.maxLength } };
      if (field.pattern && !new RegExp(field.pattern, 'u').test(value))
        return { key: 'form.error.pattern' };
      return undefined;
    }
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(value)) return { key: 'form.error.number' };
      const number = Number(value);
      if (field.integer && !Number.isInteger(number)) return { key: 'form.error.integer' };
      if (field.min !== undefined && number < field.min)
        return { key: 'form.error.min', values: { min: field.min } };
      if (field.max !== undefined && number > field.max)
        return { key: 'form.error.max', values: { max: field.max } };
      return undefined;
    }
    case 'date':
      return isRealDate(value) ? undefined : { key: 'form.error.date' };
    case 'phone': {
      const digits = value.replace(/[\s()+-]/g, '');
      return /^\d{7,15}$/.test(digits) ? undefined : { key: 'form.error.phone' };
    }
    case 'choice':
      return field.options.some((option) => option.value === value)
        ? undefined
        : { key: 'form.error.choice' };
  }
}
