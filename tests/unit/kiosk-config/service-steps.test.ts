import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalogue } from '../../../kiosk-config/load';
import { askedFields, consentFields, submittedAnswers } from '../../../kiosk-config/service-steps';

const catalogue = parseCatalogue(
  readFileSync(new URL('../../../kiosk-config/catalogue/belize.json', import.meta.url), 'utf8'),
);
if (!catalogue.ok) throw new Error(catalogue.error);
const service = (id: string) => {
  const found = catalogue.value.services.find((s) => s.id === id);
  if (!found) throw new Error(id);
  return found;
};

describe('the steps of a service', () => {
  it('asks a conditional question only when its rule matches', () => {
    const passport = service('passport');
    expect(askedFields(passport, { applicationType: 'new' }).map((f) => f.id)).not.toContain(
      'oldPassportNumber',
    );
    expect(askedFields(passport, { applicationType: 'renewal' }).map((f) => f.id)).toContain(
      'oldPassportNumber',
    );
  });

  it('puts consent after review and the payment step after the questions', () => {
    const birth = service('birth-certificate-replacement');
    const ids = askedFields(birth, {}).map((f) => f.id);
    expect(ids).not.toContain('consent');
    expect(ids[ids.length - 1]).toBe('paymentMethod');
    expect(consentFields(birth, {}).map((f) => f.id)).toEqual(['consent']);
  });

  it('asks for a payment reference for mobile money and card terminal, not at the counter', () => {
    const birth = service('birth-certificate-replacement');
    expect(askedFields(birth, { paymentMethod: 'counter' }).map((f) => f.id)).not.toContain(
      'paymentReference',
    );
    expect(askedFields(birth, { paymentMethod: 'card-terminal' }).map((f) => f.id)).toContain(
      'paymentReference',
    );
  });

  it('has no payment step for a free service', () => {
    expect(askedFields(service('social-grant'), {}).map((f) => f.id)).not.toContain(
      'paymentMethod',
    );
  });

  it('never submits the stale answer of a question that became hidden', () => {
    const passport = service('passport');
    const answers = {
      applicationType: 'new',
      oldPassportNumber: 'P123456',
      fullName: ' Ana ',
      consent: 'yes',
    };
    const submitted = submittedAnswers(passport, answers);
    expect(submitted).not.toHaveProperty('oldPassportNumber');
    expect(submitted).toMatchObject({ applicationType: 'new', fullName: 'Ana', consent: 'yes' });
  });

  it('sends an amount with two decimals however it was typed', () => {
    const bill = service('bill-payment');
    const answers = { billType: 'water', accountNumber: '00123456', amount: ' .5' };
    expect(submittedAnswers(bill, answers)).toMatchObject({ amount: '0.50' });
    expect(submittedAnswers(bill, { ...answers, amount: '12.5' })).toMatchObject({
      amount: '12.50',
    });
  });
});
