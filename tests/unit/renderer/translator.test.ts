import { beforeAll, describe, expect, it } from 'vitest';
import { checkField } from '../../../kiosk-config/field-validation';
import type { FieldDefinition } from '../../../kiosk-config/schema';
import {
  createTranslator,
  loadLanguages,
  longestTranslation,
} from '../../../renderer/i18n/translator';

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

describe('money on screen', () => {
  it('joins the Pula symbol and the amount with a no-break space; Belize dollars have none', () => {
    expect(createTranslator('tn').money({ amountMinor: 1000, currency: 'BWP' })).toBe(
      'P\u00a010.00',
    );
    expect(createTranslator('es').money({ amountMinor: 125_000, currency: 'BZD' })).toBe(
      'BZ$1,250.00',
    );
  });
});

describe("a refused answer's sentence", () => {
  it("says an amount's limit as money in the service's currency, in the citizen's language", () => {
    const tooLarge = checkField(amount, '100000.01', { currency: 'BZD' })!;
    expect(createTranslator('es').problem(tooLarge)).toBe(
      'El monto máximo permitido es BZ$100,000.00.',
    );
    const tooSmall = checkField(amount, '0.50', { currency: 'BWP' })!;
    // The symbol and the amount are joined by a no-break space: never "P" and "1.00" on two lines.
    expect(createTranslator('tn').problem(tooSmall)).toBe(
      'Madi a mannye a a letleletsweng ke P\u00a01.00.',
    );
    // Without the currency: the plain number, as before.
    expect(createTranslator('en').problem(checkField(amount, '100000.01')!)).toBe(
      'The largest allowed is 100,000.',
    );
  });
});

describe('the room a label keeps (longestTranslation)', () => {
  it("is the longest of the keys' messages in the site's languages", () => {
    expect(longestTranslation(['en', 'tn'], ['a11y.contrast'])).toBe('Mebala e e bonalang');
    expect(longestTranslation(['en', 'es'], ['a11y.contrast'])).toBe('Alto contraste');
    // Several keys: the longest of all of them (the link line's three messages).
    expect(longestTranslation(['en', 'tn'], ['link.online', 'link.offline'])).toBe(
      createTranslator('en').t('link.offline'),
    );
    expect(longestTranslation([], ['a11y.contrast'])).toBe('');
  });
});
