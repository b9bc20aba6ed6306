import { describe, expect, it } from 'vitest';
import { initialSession, sessionReducer } from '../../../renderer/app/session';

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
    session = reduce(session, { type: 'submitted', txId: 't', ref: 'AAAA-BBBB-C' });
    expect(session.answers).toEqual({});
    expect(session.payment).toEqual({ method: 'mobile-money', reference: 'MM-1234' });
    expect(session.screen).toMatchObject({ name: 'receipt', ref: 'AAAA-BBBB-C' });
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
    expect(reduce(session, { type: 'submitted', txId: 't', ref: 'r' })).toBe(session);
  });
});
