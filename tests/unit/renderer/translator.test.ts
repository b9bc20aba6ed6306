import { beforeAll, describe, expect, it } from 'vitest';
import { checkField } from '../../../kiosk-config/field-validation';
import type { FieldDefinition } from '../../../kiosk-config/schema';
import { createTranslator, loadLanguages } from '../../../renderer/i18n/translator';

beforeAll(() => loadLanguages(['es', 'tn']));

const amount = {
  id: 'amount',
  type: 'amount',
  required: true,
  personal: false,
  min: 1,
  max: 100000,
  label: { en: 'Amount to pay' },
} as FieldDefinition;

describe("a refused answer's sentence", () => {
  it("says an amount's limit as money in the service's currency, in the citizen's language", () => {
    const tooLarge = checkField(amount, '100000.01', { currency: 'BZD' })!;
    expect(createTranslator('es').problem(tooLarge)).toBe(
      'El monto máximo permitido es BZ$100,000.00.',
    );
    const tooSmall = checkField(amount, '0.50', { currency: 'BWP' })!;
    expect(createTranslator('tn').problem(tooSmall)).toBe(
      'Madi a mannye a a letleletsweng ke P 1.00.',
    );
    // Without the currency: the plain number, as before.
    expect(createTranslator('en').problem(checkField(amount, '100000.01')!)).toBe(
      'The largest allowed is 100,000.',
    );
  });
});
