import { ServiceIcon } from '../components/ServiceIcon';
import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { Money, ServiceDefinition } from '../../kiosk-config/schema';
import { parseMobileNumber } from '../../kiosk-config/phone-numbers';
import { SMS_OPT_IN_SERVICE } from '../../kiosk-config/schema';
import type { CountryCode } from '../../kiosk-config/countries';
import { countries } from '../../kiosk-config/countries';
import { observeDelivery } from '../../sync/client/status';
import type { DeliveryView } from '../../sync/client/status';
import type { EngineStatus } from '../../sync/client/engine';
import type { PrintJobReply } from '../../sync/bridge/device-payloads';
import { buildReceiptContent } from '../../sync/bridge/receipt-content';
import type { KioskRuntime } from '../app/kiosk-runtime';
import type { Session } from '../app/session';
import { useObservable } from '../app/use-observable';
import { MessageSlot } from '../components/MessageSlot';
import { SteadyLabel } from '../components/SteadyLabel';
import { OnScreenKeyboard } from '../components/OnScreenKeyboard';
import { QrCode } from '../components/QrCode';
import { revealIfHidden } from '../components/reveal';
import type { Translator } from '../i18n/translator';
import { focusWithoutScroll } from '../components/focus';
import { useDoubleTapGuard } from '../components/double-tap';

interface ReceiptScreenProps {
  tr: Translator;
  runtime: KioskRuntime;
  service: ServiceDefinition;
  txId: string;
  reference: string;
  payment: Session['payment'];
  /** What the transaction recorded as charged: a bill's stated amount, or the fixed fee. */
  fee: Money;
  /** The officer who completed it (assisted mode): shown here and printed on the receipt. */
  officer?: { officerId: string; name: string };
  onFinish: () => void;
}

/** A mobile number of each country, as the error message shows it. */
const MOBILE_EXAMPLE: Record<CountryCode, string> = { BW: '71 234 567', BZ: '610 1234' };

/**
 * The SMS opt-in: a small transaction of its own (the `sms-alerts` service) that names the
 * receipt's reference, the kiosk's country and the alerts wanted, committed and delivered like
 * any other. The gateway makes it a subscription to this application's status changes, in the
 * language on screen (sync/server/sms). The number is checked against the country's numbering
 * plan here (a mobile that can get SMS) and sent in E.164, sealed like every personal field.
 */
function SmsOptIn({
  tr,
  runtime,
  reference,
  officer,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  reference: string;
  officer?: { officerId: string };
}) {
  const [stage, setStage] = useState<'offer' | 'phone' | 'saving' | 'saved' | 'failed'>('offer');
  const [phone, setPhone] = useState('');
  const [invalid, setInvalid] = useState(false);
  const form = useRef<HTMLFormElement>(null);
  // "Yes, SMS" opens the phone field and its keypad after Print and Finish, below the fold on a
  // short screen: they are brought into view (from its question down, when all does not fit).
  // An effect, not a layout effect: the keypad's keys are drawn in its own effect, which runs first.
  useEffect(() => {
    if (stage === 'phone') revealIfHidden([form.current]);
  }, [stage]);
  const alerts = runtime.catalogue.services.find((service) => service.id === SMS_OPT_IN_SERVICE);
  if (!alerts) return null;

  const save = async (event?: FormEvent) => {
    event?.preventDefault();
    const mobile = parseMobileNumber(phone, runtime.catalogue.country);
    if (!mobile.ok) {
      setInvalid(true);
      return;
    }
    setStage('saving');
    try {
      await runtime.submit({
        serviceId: SMS_OPT_IN_SERVICE,
        catalogueVersion: runtime.catalogue.version,
        channel: officer ? 'assisted' : 'self-service',
        ...(officer ? { officerId: officer.officerId } : {}),
        language: tr.language,
        fee: alerts.fee,
        fields: {
          phone: mobile.number.e164,
          alerts: 'all',
          forReference: reference,
          country: runtime.catalogue.country,
        },
      });
      setStage('saved');
    } catch {
      setStage('failed');
    }
  };

  if (stage === 'offer') {
    return (
      <section className="sms" aria-labelledby="sms-title">
        <h2 id="sms-title">{tr.t('receipt.sms.title')}</h2>
        <button type="button" className="secondary" onClick={() => setStage('phone')}>
          {tr.t('receipt.sms.send')}
        </button>
      </section>
    );
  }
  if (stage === 'saved') {
    return (
      <p className="sms-saved" role="status">
        {tr.t('receipt.sms.saved', { phone })}
      </p>
    );
  }
  return (
    <form ref={form} className="sms" onSubmit={(event) => void save(event)} noValidate>
      <label htmlFor="sms-phone" className="question">
        {tr.t('receipt.sms.phone')}
      </label>
      <input
        id="sms-phone"
        className="answer"
        type="text"
        inputMode="tel"
        autoComplete="off"
        autoFocus
        value={phone}
        aria-invalid={invalid || undefined}
        aria-describedby={invalid ? 'sms-error' : undefined}
        onChange={(event) => {
          setPhone(event.target.value);
          setInvalid(false);
        }}
      />
      {/* With Large text the error runs to four lines (Setswana on a 1080 px wide screen): its
          place is kept for them, so it never moves the keypad under the citizen's finger. */}
      <MessageSlot lines={2} largeTextLines={4}>
        {invalid ? (
          <p id="sms-error" className="error" role="alert">
            {tr.t('receipt.sms.error.mobile', {
              example: MOBILE_EXAMPLE[runtime.catalogue.country],
            })}
          </p>
        ) : null}
        {stage === 'failed' ? (
          <p className="error" role="alert">
            {tr.t('error.commitFailed')}
          </p>
        ) : null}
      </MessageSlot>
      <button type="submit" className="primary" disabled={stage === 'saving'}>
        {tr.t('receipt.sms.send')}
      </button>
      <OnScreenKeyboard
        tr={tr}
        kind="phone"
        language={tr.language}
        value={phone}
        onChange={(value) => {
          setPhone(value);
          setInvalid(false);
        }}
        onEnter={() => void save()}
      />
    </form>
  );
}

/**
 * What the citizen is told for each print reply. Anything but a receipt on paper (or one going out
 * now for an earlier tap) is "the printer is not working": a self-service original the printer
 * could not print is `not-printed` (never printed later for someone else), an assisted one is
 * `held` for the officer, an `uncertain` one waits for a person to look.
 */
/**
 * What a print's reply means on screen. `held` (only an assisted receipt is held: a citizen's own
 * ends `not-printed`) prints by itself once the printer is ready, so it is not said as a failure.
 */
const printOutcome: Record<PrintJobReply['state'], 'printed' | 'held' | 'failed'> = {
  queued: 'printed',
  printing: 'printed',
  printed: 'printed',
  held: 'held',
  uncertain: 'failed',
  'not-printed': 'failed',
};

/**
 * The print button: sends the receipt content over `printer:print` (the shell lays it out for
 * the thermal printer). A missing or failing printer is said plainly; the reference stays on
 * screen to be written down.
 */
function PrintButton({
  tr,
  runtime,
  service,
  txId,
  reference,
  payment,
  fee,
  delivered,
  officer,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  service: ServiceDefinition;
  txId: string;
  reference: string;
  payment: Session['payment'];
  fee: Money;
  delivered: boolean;
  officer?: { officerId: string; name: string };
}) {
  const [state, setState] = useState<'ready' | 'printing' | 'printed' | 'held' | 'failed'>('ready');
  /** Out of paper: said as such, not as a printer that does not work. */
  const [paperOut, setPaperOut] = useState(false);
  /**
   * Printed, and then Print pressed again: the shell prints one receipt per transaction (its
   * print queue answers a second press with the first job), so the citizen is told it is already
   * printed and where it is, rather than shown the same "Printed" line as if nothing happened.
   * Each language's words are no longer than its "Printed" line: a longer result grew the
   * receipt's print place (four lines of Setswana at 1080 x 1920 overran it).
   */
  const [printedBefore, setPrintedBefore] = useState(false);
  const print = async () => {
    const again = state === 'printed';
    setState('printing');
    try {
      const method = payment?.method;
      // The transaction's own time, as its reprints and the officer's day list show it (not the
      // moment the button was touched).
      const row = await runtime.store.find({ txId }).catch(() => undefined);
      // One builder for the receipt and its reprints (receipt-content.ts), in the language on
      // screen now: the citizen may have switched it here to read the receipt.
      const content = buildReceiptContent({
        site: runtime.site,
        service,
        transaction: {
          txId,
          ref: reference,
          channel: officer ? 'assisted' : 'self-service',
          fee,
          language: tr.language,
        },
        issuedAt: row?.record.createdAt ?? new Date().toISOString(),
        // The site's wall clock, as the screen and the report show it.
        timeZone: countries[runtime.site.country].timeZone,
        payment: {
          method:
            method === 'counter' || method === 'mobile-money' || method === 'card-terminal'
              ? method
              : 'none',
          ...(payment?.reference ? { reference: payment.reference } : {}),
        },
        delivery: delivered ? 'delivered' : 'queued',
      });
      const reply = await runtime.bridge.invoke('printer:print', {
        ...content,
        ...(officer ? { officer: { id: officer.officerId, name: officer.name } } : {}),
      });
      setPaperOut(reply.printer === 'paper-out');
      setPrintedBefore(again && printOutcome[reply.state] === 'printed');
      setState(printOutcome[reply.state]);
    } catch {
      setPaperOut(false);
      setState('failed');
    }
  };
  return (
    <>
      <button
        type="button"
        className="secondary"
        data-print
        disabled={state === 'printing'}
        onClick={() => void print()}
      >
        <SteadyLabel
          text={state === 'printing' ? tr.t('receipt.printing') : tr.t('receipt.print')}
          reserve={state === 'printing' ? tr.t('receipt.print') : tr.t('receipt.printing')}
        />
      </button>
      <MessageSlot lines={4}>
        {state === 'printed' || state === 'held' || state === 'failed' ? (
          <p
            className={state === 'printed' ? 'print-done' : 'error'}
            role="alert"
            data-print-state={state}
          >
            {tr.t(
              state === 'printed'
                ? printedBefore
                  ? 'receipt.printedAlready'
                  : 'receipt.printed'
                : state === 'held'
                  ? paperOut
                    ? 'receipt.paperOutHeld'
                    : 'receipt.printHeld'
                  : paperOut
                    ? 'receipt.paperOut'
                    : 'receipt.printFailed',
            )}
          </p>
        ) : null}
      </MessageSlot>
    </>
  );
}

export function ReceiptScreen({
  tr,
  runtime,
  service,
  txId,
  reference,
  payment,
  fee,
  officer,
  onFinish,
}: ReceiptScreenProps) {
  const delivery = useObservable<DeliveryView | undefined>(
    () => observeDelivery(runtime.store, txId),
    [runtime.store, txId],
  );
  const [engine, setEngine] = useState<EngineStatus>(runtime.engine.status);
  useEffect(() => runtime.engine.subscribe(setEngine), [runtime.engine]);
  // Finish may take the place of the consent screen's Send: the second tap of a double tap on
  // Send must not end the session before the citizen has seen the reference (double-tap.ts).
  const guardDoubleTap = useDoubleTapGuard();

  // A purged transaction was delivered; only its personal data left the kiosk.
  const state = delivery?.state === 'purged' ? 'delivered' : (delivery?.state ?? 'queued');
  const shown: Exclude<DeliveryView['state'], 'purged'> | 'sending' =
    state === 'queued' && engine.state === 'syncing' && engine.link === 'online'
      ? 'sending'
      : state;

  // The method in the words the paper receipt and the report use.
  const method = payment?.method;
  const methodLabel =
    method === 'counter' || method === 'mobile-money' || method === 'card-terminal'
      ? tr.t(`payment.method.${method}`)
      : undefined;

  return (
    <main className="screen receipt" data-screen="receipt">
      <h1 data-prompt>{tr.t('receipt.title')}</h1>
      <div className="receipt-layout">
        <div>
          <p className="receipt-service">
            <ServiceIcon name={service.icon} size={40} />
            {tr.text(service.title)}
          </p>
          <div className="reference">
            <span className="label">{tr.t('receipt.reference')}</span>
            <strong data-testid="reference">{reference}</strong>
          </div>
          {methodLabel ? (
            <p className="receipt-payment" data-payment={payment?.method}>
              {tr.t('receipt.paid', { fee: tr.money(fee), method: methodLabel })}
              {payment?.reference ? ` · ${payment.reference}` : ''}
            </p>
          ) : null}
          <p
            className={`delivery delivery-${shown}`}
            data-delivery={state}
            role="status"
            aria-live="polite"
          >
            {tr.t(`receipt.state.${shown}`)}
          </p>
          {officer ? (
            <p className="receipt-officer" data-receipt-officer={officer.officerId}>
              {tr.t('receipt.officer', { name: officer.name, id: officer.officerId })}
            </p>
          ) : null}
          <p className="receipt-text">{tr.text(service.receiptText)}</p>
        </div>
        <figure className="receipt-qr">
          <QrCode value={reference} label={`${tr.t('receipt.reference')} ${reference}`} />
          <figcaption>{tr.t('receipt.qr')}</figcaption>
        </figure>
      </div>
      <div className="actions" onClickCapture={guardDoubleTap}>
        <PrintButton
          tr={tr}
          runtime={runtime}
          service={service}
          txId={txId}
          reference={reference}
          payment={payment}
          fee={fee}
          delivered={state === 'delivered'}
          officer={officer}
        />
        <button type="button" className="primary" onClick={onFinish} ref={focusWithoutScroll}>
          {tr.t('receipt.finish')}
        </button>
      </div>
      {/* After the primary actions, so opening it never pushes Print and Finish off the screen. */}
      {service.smsAlerts ? (
        <SmsOptIn tr={tr} runtime={runtime} reference={reference} officer={officer} />
      ) : null}
    </main>
  );
}
