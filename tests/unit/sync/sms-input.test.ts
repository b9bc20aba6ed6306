import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatDate, wallClock } from '../../../kiosk-config/formatting';
import { parseMobileNumber } from '../../../kiosk-config/phone-numbers';
import type { ReminderDefinition } from '../../../kiosk-config/schema';
import {
  parseDeliveryReceipt,
  receiptIdCandidates,
  stateOfStat,
} from '../../../sync/server/sms/delivery-receipt';
import { SendRate } from '../../../sync/server/sms/smpp-link';
import { readReply, reminderDue } from '../../../sync/server/sms/sms-service';
import { smscConfigFrom } from '../../../sync/server/sms/sms-settings';
import { renderSms } from '../../../sync/server/sms/sms-templates';
import { messageFields, smsEncoding } from '../../../sync/server/sms/sms-text';

/**
 * What the SMS side reads from outside: delivery receipts and citizens' replies from the SMS
 * centre (deliver_sm), phone numbers typed at a kiosk, and the SMSC settings an administrator
 * gives. Each bad one gets a clear answer and changes nothing it should not.
 */
describe('delivery receipts (deliver_sm, SMPP v3.4 Appendix B)', () => {
  const text = (id: string, stat: string, err = '000') =>
    `id:${id} sub:001 dlvrd:001 submit date:2611301200 done date:2611301201 stat:${stat} err:${err} text:Service Point: req`;

  it('reads the id and state from the TLVs when the SMSC sends them, else from the text', () => {
    expect(
      parseDeliveryReceipt({
        esm_class: 0x04,
        receipted_message_id: 'a1b2c3',
        message_state: 5,
        text: text('a1b2c3', 'DELIVRD'),
      }),
    ).toEqual({
      smscMessageId: 'a1b2c3',
      stat: 'UNDELIV',
      error: '000',
      state: 'permanent-failure',
    });
    expect(parseDeliveryReceipt({ esm_class: 0x04, text: text('0012345678', 'delivrd') })).toEqual({
      smscMessageId: '0012345678',
      stat: 'DELIVRD',
      error: '000',
      state: 'delivered',
    });
  });

  it('maps each receipt word to a clear state, as notification services report them', () => {
    expect(
      ['DELIVRD', 'EXPIRED', 'UNKNOWN', 'UNDELIV', 'REJECTD', 'DELETED', 'ENROUTE', 'ACCEPTD'].map(
        stateOfStat,
      ),
    ).toEqual([
      'delivered',
      'temporary-failure',
      'temporary-failure',
      'permanent-failure',
      'permanent-failure',
      'permanent-failure',
      'sending',
      'sending',
    ]);
    // A word no SMSC should send leaves the message sending: nothing is claimed delivered.
    expect(parseDeliveryReceipt({ esm_class: 0x04, text: text('77', 'XYZZY') })?.valueOf()).toEqual(
      { smscMessageId: '77', stat: 'XYZZY', error: '000', state: 'sending' },
    );
  });

  it('calls a receipt without a message id malformed, so it is never read as a reply', () => {
    expect(parseDeliveryReceipt({ esm_class: 0x04, text: 'stop' })).toEqual({
      malformed: 'no message id in the receipt',
    });
    expect(
      parseDeliveryReceipt({ esm_class: 0x04, receipted_message_id: '  ', text: 'stat:DELIVRD' }),
    ).toEqual({ malformed: 'no message id in the receipt' });
  });

  it('leaves a citizen’s own message (esm_class 0, no receipted_message_id) to the replies', () => {
    expect(parseDeliveryReceipt({ esm_class: 0, text: 'STOP' })).toBeUndefined();
    expect(parseDeliveryReceipt({ esm_class: 0, text: 'id:1 stat:DELIVRD' })).toBeUndefined();
    expect(parseDeliveryReceipt({ text: '' })).toBeUndefined();
  });

  it('matches an id written in decimal in the text to the hex id of submit_sm_resp, and back', () => {
    // Digits alone may be either: both readings are tried.
    expect(receiptIdCandidates('255')).toEqual(['255', 'ff', '597']);
    expect(receiptIdCandidates('ff')).toEqual(['ff', '255']);
    expect(receiptIdCandidates('msg-7/x')).toEqual(['msg-7/x']);
  });
});

describe('a citizen’s reply', () => {
  it('ends the subscription on STOP in any case, spacing or punctuation, and its usual variants', () => {
    for (const reply of [
      'STOP',
      'stop',
      ' Stop. ',
      'stop please',
      'STOP ALL',
      'stopall',
      'Unsubscribe',
      'baja',
      'Alto!',
      'PARAR',
      'emisa',
      'Ema',
    ]) {
      expect(readReply(reply), reply).toMatchObject({ stop: true });
    }
  });

  it('changes nothing on any other text, an empty reply or one that only mentions stopping', () => {
    for (const reply of ['', '   ', 'YES', 'please stop', 'STOPPED?', 'S T O P', '🛑', 'Dumela']) {
      expect(readReply(reply), reply).toMatchObject({ stop: false });
    }
    expect(readReply('Bája').keyword).toBe('BAJA');
    expect(readReply('x'.repeat(500)).keyword).toHaveLength(20);
  });
});

describe('phone numbers for SMS alerts', () => {
  it('takes the mobiles of Botswana (+267, 8 digits from 7) and Belize (+501, 7 from 6) as typed', () => {
    expect(parseMobileNumber('71 234 567', 'BW')).toEqual({
      ok: true,
      number: { e164: '+26771234567', country: 'BW' },
    });
    expect(parseMobileNumber('+267 7123-4567')).toMatchObject({ ok: true });
    expect(parseMobileNumber('610-1234', 'BZ')).toEqual({
      ok: true,
      number: { e164: '+5016101234', country: 'BZ' },
    });
    expect(parseMobileNumber('+501 610 1234')).toMatchObject({ ok: true });
  });

  it('refuses landlines, other countries, short, long and non-numbers, saying which', () => {
    expect(parseMobileNumber('391 2345', 'BW')).toEqual({ ok: false, problem: 'not-mobile' });
    expect(parseMobileNumber('+501 222 1234')).toEqual({ ok: false, problem: 'not-mobile' });
    expect(parseMobileNumber('71 234 567', 'BZ')).toEqual({ ok: false, problem: 'not-mobile' });
    expect(parseMobileNumber('+27 82 123 4567')).toEqual({ ok: false, problem: 'other-country' });
    expect(parseMobileNumber('+267 7123 456789')).toEqual({ ok: false, problem: 'not-mobile' });
    expect(parseMobileNumber('7123')).toEqual({ ok: false, problem: 'not-a-number' });
    expect(parseMobileNumber('seventy one')).toEqual({ ok: false, problem: 'not-a-number' });
    expect(parseMobileNumber('71234567; DROP TABLE')).toEqual({
      ok: false,
      problem: 'not-a-number',
    });
  });
});

describe('the texts sent', () => {
  it('fills the named placeholders of the citizen’s language, English for one not spoken', () => {
    expect(renderSms('sms.status.approved', 'tn', { ref: 'AB12-CD34-X' })).toBe(
      'Service Point: kopo AB12-CD34-X e dumeletswe. Re tla go romelela SMS fa e siame.',
    );
    expect(renderSms('sms.status.approved', 'fr', { ref: 'AB12-CD34-X' })).toBe(
      'Service Point: request AB12-CD34-X is approved. We will send an SMS when it is ready.',
    );
    expect(() => renderSms('status.state.approved', 'en', {})).toThrow(
      'no SMS template "status.state.approved"',
    );
  });

  it('sends GSM 03.38 text as it is and Spanish or Setswana accents in UCS-2, long ones whole', () => {
    expect(smsEncoding('Service Point: request 1 is approved.')).toMatchObject({
      dataCoding: 0,
      segments: 1,
    });
    expect(smsEncoding('kopo e ntšhafatse')).toMatchObject({ dataCoding: 8, segments: 1 });
    expect(smsEncoding('€'.repeat(80))).toEqual({ dataCoding: 0, units: 160, segments: 1 });
    expect(smsEncoding('á'.repeat(71))).toEqual({ dataCoding: 8, units: 71, segments: 2 });
    expect(Object.keys(messageFields('á'.repeat(71)))).toEqual(['data_coding', 'message_payload']);
  });
});

describe('the expiry reminder the catalogue asks for', () => {
  const licence: ReminderDefinition = {
    id: 'licence-expiry',
    after: 'ready-for-collection',
    validFor: { yearsField: 'years' },
    daysBefore: 60,
    what: { en: 'driving licence', tn: 'laesense ya go kgweetsa' },
  };
  const ready = '2026-11-30T10:00:00.000Z';
  const now = new Date(ready);

  it('is due 60 days before the end of the years the citizen chose', () => {
    const due = reminderDue(licence, { occurredAt: ready, fields: { years: '5' } }, now);
    expect(due?.expiresAt.toISOString()).toBe('2031-11-30T10:00:00.000Z');
    expect(due?.sendAt.toISOString()).toBe('2031-10-01T10:00:00.000Z');
    // Its words and date in the citizen's language, on the country's calendar.
    const date = formatDate(wallClock(due?.expiresAt ?? now, 'Africa/Gaborone'), 'tn');
    expect(
      renderSms('sms.reminder.expiry', 'tn', { what: licence.what.tn ?? '', date, ref: 'X' }),
    ).toBe(
      'Service Point: laesense ya go kgweetsa ya gago e fela ka 30 Ngwanatsele 2031. E ntšhafatse kwa khiosikong epe ya Service Point.',
    );
    expect(
      renderSms('sms.reminder.expiry', 'es', {
        what: 'licencia de conducir',
        date: formatDate(wallClock(due?.expiresAt ?? now, 'America/Belize'), 'es'),
        ref: 'X',
      }),
    ).toBe(
      'Service Point: su licencia de conducir vence el 30 de noviembre de 2031. Puede renovarla en cualquier quiosco de Service Point.',
    );
  });

  it('is sent at once when less than 60 days are left, and not at all when the period is unknown or over', () => {
    const monthly = { ...licence, validFor: { months: 1 } };
    expect(reminderDue(monthly, { occurredAt: ready, fields: {} }, now)?.sendAt).toEqual(now);
    for (const years of ['', 'five', '0', '-1', '1.2']) {
      expect(reminderDue(licence, { occurredAt: ready, fields: { years } }, now), years).toBe(
        undefined,
      );
    }
    const later = new Date('2032-01-01T00:00:00.000Z');
    expect(reminderDue(licence, { occurredAt: ready, fields: { years: '5' } }, later)).toBe(
      undefined,
    );
  });
});

describe('the SMSC settings of `npm run gateway`', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-smsc-'));
  const passwordFile = path.join(dir, 'password');
  writeFileSync(passwordFile, 'secret1\nignored second line\n');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const real = { smsc: 'smpp://smsc.example.bw:2775', 'smsc-system-id': 'svcpoint' };

  it('starts the local SMS centre of the demo without --smsc, and none with --sms-off', () => {
    expect(smscConfigFrom({}, {})).toEqual({
      mode: 'demo',
      settings: { sourceAddr: 'ServicePt', ratePerSecond: 10 },
    });
    expect(smscConfigFrom({ 'sms-off': true, smsc: 'smpp://x:1' }, {})).toBeUndefined();
  });

  it('reads a real SMSC’s password from the first line of its file or the environment', () => {
    expect(smscConfigFrom({ ...real, 'smsc-password-file': passwordFile }, {})).toMatchObject({
      mode: 'real',
      config: { url: real.smsc, systemId: 'svcpoint', password: 'secret1' },
    });
    expect(
      smscConfigFrom({ ...real, 'sms-rate': '2.5' }, { SERVICE_POINT_SMSC_PASSWORD: 'envpass' }),
    ).toMatchObject({ config: { password: 'envpass', ratePerSecond: 2.5 } });
  });

  it('names the option that is wrong', () => {
    const env = { SERVICE_POINT_SMSC_PASSWORD: 'secret1' };
    expect(() => smscConfigFrom(real, {})).toThrow('--smsc needs --smsc-password-file');
    expect(() => smscConfigFrom({ ...real, smsc: 'http://smsc:2775' }, env)).toThrow(
      '--smsc: must be smpp://host:port or ssmpp://host:port',
    );
    expect(() => smscConfigFrom({ ...real, 'smsc-system-id': undefined }, env)).toThrow(
      '--smsc-system-id',
    );
    expect(() => smscConfigFrom(real, { SERVICE_POINT_SMSC_PASSWORD: 'nine char' })).toThrow(
      'the SMSC password: SMPP v3.4 allows a password of at most 8 characters',
    );
    expect(() => smscConfigFrom({ ...real, 'sms-source': 'Service Point BW' }, env)).toThrow(
      '--sms-source',
    );
    expect(() => smscConfigFrom({ 'sms-rate': 'fast' }, env)).toThrow(
      '--sms-rate: must be a number above 0',
    );
    expect(() => smscConfigFrom({ 'sms-rate': '0' }, env)).toThrow('--sms-rate');
  });
});

describe('the send rate', () => {
  it('spaces a burst of sends to the rate the SMSC allows the account', () => {
    let now = 1_000;
    const rate = new SendRate(4, () => now);
    expect([rate.book(), rate.book(), rate.book(), rate.book()]).toEqual([0, 250, 500, 750]);
    now += 2_000;
    expect(rate.book()).toBe(0);
    expect(() => new SendRate(0)).toThrow(RangeError);
  });
});
