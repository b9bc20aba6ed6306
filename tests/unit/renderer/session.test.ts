import { describe, expect, it } from 'vitest';
import { initialSession, sessionReducer } from '../../../renderer/app/session';
import type { Session } from '../../../renderer/app/session';
import { isFieldShown } from '../../../kiosk-config/field-validation';
import { fieldSchema } from '../../../kiosk-config/schema';
import type { FieldDefinition } from '../../../kiosk-config/schema';

const defaults = { language: 'en', audio: false } as const;
const reduce = sessionReducer(defaults);

describe('the citizen session', () => {
  it('walks from attract through language and service to the first question', () => {
    let session = initialSession(defaults);
    session = reduce(session, { type: 'start' });
    expect(session.screen).toEqual({ name: 'language' });
    session = reduce(session, { type: 'choose-language', language: 'es' });
    expect(session).toMatchObject({ language: 'es', screen: { name: 'services' } });
    session = reduce(session, { type: 'choose-service', serviceId: 'bill-payment' });
    expect(session.screen).toEqual({ name: 'form', serviceId: 'bill-payment', index: 0 });
  });

  it('skips the language screen once a language was chosen on the start screen, until the session ends', () => {
    let session = reduce(initialSession(defaults), { type: 'switch-language', language: 'es' });
    session = reduce(session, { type: 'start' });
    expect(session).toMatchObject({ language: 'es', screen: { name: 'services' } });
    session = reduce(session, { type: 'end' });
    expect(reduce(session, { type: 'start' }).screen).toEqual({ name: 'language' });
    // An officer's or operator's language, chosen on their own screens, is not the citizen's.
    session = reduce(session, { type: 'switch-language', language: 'es', byStaff: true });
    expect(reduce(session, { type: 'start' }).screen).toEqual({ name: 'language' });
    // Nor when a citizen had chosen one first (QA: Spanish chosen, English on the operator's
    // PIN pad, then Start went to the services in English without asking).
    session = reduce(session, { type: 'switch-language', language: 'es' });
    session = reduce(session, { type: 'switch-language', language: 'en', byStaff: true });
    expect(reduce(session, { type: 'start' }).screen).toEqual({ name: 'language' });
  });

  it('opens the status check instead of a form for a status-check service', () => {
    const session = reduce(initialSession(defaults), {
      type: 'choose-service',
      serviceId: 'application-status',
      kind: 'status-check',
    });
    expect(session.screen).toEqual({ name: 'status', serviceId: 'application-status' });
  });

  it('forgets every answer once the transaction is submitted, keeping only the payment method', () => {
    let session = reduce(initialSession(defaults), {
      type: 'choose-service',
      serviceId: 'bill-payment',
    });
    session = reduce(session, { type: 'answer', fieldId: 'accountNumber', value: '123456' });
    session = reduce(session, { type: 'answer', fieldId: 'paymentMethod', value: 'mobile-money' });
    session = reduce(session, { type: 'answer', fieldId: 'paymentReference', value: 'MM-1234' });
    session = reduce(session, {
      type: 'go',
      screen: { name: 'consent', serviceId: 'bill-payment' },
    });
    const fee = { amountMinor: 1250, currency: 'BZD' };
    session = reduce(session, { type: 'submitted', txId: 't', ref: 'AAAA-BBBB-C', fee });
    expect(session.answers).toEqual({});
    expect(session.payment).toEqual({ method: 'mobile-money', reference: 'MM-1234' });
    expect(session.screen).toMatchObject({ name: 'receipt', ref: 'AAAA-BBBB-C', fee });
  });

  it('ends in the default language with nothing left of the session, display choices included', () => {
    let session = reduce(initialSession(defaults), { type: 'choose-language', language: 'es' });
    session = reduce(session, { type: 'answer', fieldId: 'fullName', value: 'Ana' });
    session = reduce(session, { type: 'toggle-access', preference: 'highContrast' });
    expect(session.access.highContrast).toBe(true);
    session = reduce(session, { type: 'end' });
    expect(session).toEqual(initialSession(defaults));
  });

  it('ignores a late submit result when the citizen already left the consent screen', () => {
    const session = reduce(initialSession(defaults), { type: 'start' });
    const fee = { amountMinor: 0, currency: 'BZD' };
    expect(reduce(session, { type: 'submitted', txId: 't', ref: 'r', fee })).toBe(session);
  });
});

describe('Next from a question', () => {
  const label = { en: 'Label' };
  const fieldsFor = (answers: Record<string, string>): FieldDefinition[] =>
    [
      fieldSchema.parse({ id: 'name', type: 'text', label }),
      fieldSchema.parse({
        id: 'method',
        type: 'choice',
        label,
        options: [
          { value: 'counter', label },
          { value: 'mobile', label },
        ],
      }),
      fieldSchema.parse({
        id: 'reference',
        type: 'text',
        label,
        showIf: { field: 'method', equals: 'mobile' },
      }),
      fieldSchema.parse({ id: 'district', type: 'text', label }),
    ].filter((field) => isFieldShown(field, answers));
  const next = { type: 'next', fieldsFor, context: { today: '2026-11-30' } } as const;
  const answered = { name: 'Maria', method: 'counter', district: 'Cayo' };
  const at = (index: number, returnTo?: 'review'): Session => ({
    ...initialSession(defaults),
    answers: answered,
    screen: { name: 'form', serviceId: 's', index, ...(returnTo ? { returnTo } : {}) },
  });

  it('walks the questions in order, then opens the review', () => {
    expect(reduce(at(0), next).screen).toEqual({ name: 'form', serviceId: 's', index: 1 });
    expect(reduce(at(2), next).screen).toEqual({ name: 'review', serviceId: 's' });
  });

  it('after a Change from the review, returns straight to it with every other answer kept', () => {
    const session = reduce(at(0, 'review'), next);
    expect(session.screen).toEqual({ name: 'review', serviceId: 's' });
    expect(session.answers).toEqual(answered);
  });

  it('after a Change that shows a new question, asks it and then returns to the review', () => {
    let session = reduce(at(1, 'review'), { type: 'answer', fieldId: 'method', value: 'mobile' });
    session = reduce(session, next);
    expect(session.screen).toEqual({ name: 'form', serviceId: 's', index: 2, returnTo: 'review' });
    session = reduce(session, { type: 'answer', fieldId: 'reference', value: 'MM-1' });
    session = reduce(session, next);
    expect(session.screen).toEqual({ name: 'review', serviceId: 's' });
  });
});
