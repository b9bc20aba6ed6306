import { describe, expect, it } from 'vitest';
import { initialSession, sessionReducer } from '../../../renderer/app/session';

const reduce = sessionReducer('en');

describe('the citizen session', () => {
  it('walks from attract through language and service to the first question', () => {
    let session = initialSession('en');
    session = reduce(session, { type: 'start' });
    expect(session.screen).toEqual({ name: 'language' });
    session = reduce(session, { type: 'choose-language', language: 'es' });
    expect(session).toMatchObject({ language: 'es', screen: { name: 'services' } });
    session = reduce(session, { type: 'choose-service', serviceId: 'bill-payment' });
    expect(session.screen).toEqual({ name: 'form', serviceId: 'bill-payment', index: 0 });
  });

  it('forgets every answer once the transaction is submitted', () => {
    let session = reduce(initialSession('en'), { type: 'choose-service', serviceId: 'bill-payment' });
    session = reduce(session, { type: 'answer', fieldId: 'accountNumber', value: '123456' });
    session = reduce(session, { type: 'go', screen: { name: 'review', serviceId: 'bill-payment' } });
    session = reduce(session, { type: 'submitted', txId: 't', ref: 'AAAA-BBBB-C' });
    expect(session.answers).toEqual({});
    expect(session.screen).toMatchObject({ name: 'receipt', ref: 'AAAA-BBBB-C' });
  });

  it('ends in the default language with nothing left of the session', () => {
    let session = reduce(initialSession('en'), { type: 'choose-language', language: 'es' });
    session = reduce(session, { type: 'answer', fieldId: 'fullName', value: 'Ana' });
    session = reduce(session, { type: 'end' });
    expect(session).toEqual(initialSession('en'));
  });

  it('ignores a late submit result when the citizen already left the review screen', () => {
    const session = reduce(initialSession('en'), { type: 'start' });
    expect(reduce(session, { type: 'submitted', txId: 't', ref: 'r' })).toBe(session);
  });
});
