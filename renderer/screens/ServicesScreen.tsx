import { ServiceIcon } from '../components/ServiceIcon';
import type { Catalogue } from '../../kiosk-config/schema';
import type { Translator } from '../i18n/translator';

export function ServicesScreen({
  tr,
  catalogue,
  onChoose,
}: {
  tr: Translator;
  catalogue: Catalogue;
  onChoose: (serviceId: string) => void;
}) {
  return (
    <main className="screen" data-screen="services">
      <h1>{tr.t('services.title')}</h1>
      <ul className="service-grid">
        {catalogue.services.map((service) => (
          <li key={service.id}>
            <button
              type="button"
              className="service-card"
              data-service={service.id}
              onClick={() => onChoose(service.id)}
            >
              <span className="service-icon">
                <ServiceIcon name={service.icon} />
              </span>
              <span className="service-title">{tr.text(service.title)}</span>
              <span className="service-description">{tr.text(service.description)}</span>
              <span className="service-fee">
                {service.fee.amountMinor > 0
                  ? tr.t('services.fee', { fee: tr.money(service.fee) })
                  : tr.t('services.free')}
              </span>
            </button>
          </li>
        ))}
      </ul>
    </main>
  );
}
