import { ServiceIcon } from '../components/ServiceIcon';
import { useEffect, useState } from 'react';
import type { ServiceDefinition } from '../../kiosk-config/schema';
import { observeDelivery } from '../../sync/client/status';
import type { DeliveryView } from '../../sync/client/status';
import type { EngineStatus } from '../../sync/client/engine';
import type { KioskRuntime } from '../app/kiosk-runtime';
import { useObservable } from '../app/use-observable';
import type { Translator } from '../i18n/translator';

interface ReceiptScreenProps {
  tr: Translator;
  runtime: KioskRuntime;
  service: ServiceDefinition;
  txId: string;
  reference: string;
  onFinish: () => void;
}

export function ReceiptScreen({
  tr,
  runtime,
  service,
  txId,
  reference,
  onFinish,
}: ReceiptScreenProps) {
  const delivery = useObservable<DeliveryView | undefined>(
    () => observeDelivery(runtime.db, txId),
    [runtime.db, txId],
  );
  const [engine, setEngine] = useState<EngineStatus>(runtime.engine.status);
  useEffect(() => runtime.engine.subscribe(setEngine), [runtime.engine]);

  // A purged transaction was delivered; only its personal data left the kiosk.
  const state = delivery?.state === 'purged' ? 'delivered' : (delivery?.state ?? 'queued');
  const shown: Exclude<DeliveryView['state'], 'purged'> | 'sending' =
    state === 'queued' && engine.state === 'syncing' && engine.link === 'online'
      ? 'sending'
      : state;

  return (
    <main className="screen receipt" data-screen="receipt">
      <h1>{tr.t('receipt.title')}</h1>
      <p className="receipt-service">
        <ServiceIcon name={service.icon} size={40} />
        {tr.text(service.title)}
      </p>
      <div className="reference">
        <span className="label">{tr.t('receipt.reference')}</span>
        <strong data-testid="reference">{reference}</strong>
      </div>
      <p
        className={`delivery delivery-${shown}`}
        data-delivery={state}
        role="status"
        aria-live="polite"
      >
        {tr.t(`receipt.state.${shown}`)}
      </p>
      <p className="receipt-text">{tr.text(service.receiptText)}</p>
      <div className="actions">
        <button type="button" className="primary" onClick={onFinish}>
          {tr.t('receipt.finish')}
        </button>
      </div>
    </main>
  );
}
