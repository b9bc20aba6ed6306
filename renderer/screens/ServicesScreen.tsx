import { ServiceIcon } from '../components/ServiceIcon';
import type { Catalogue, ServiceDefinition } from '../../kiosk-config/schema';
import type { Translator } from '../i18n/translator';

/** Services grouped by category: tabs first, then large cards with an icon, words and the fee. */
export function ServicesScreen({
  tr,
  catalogue,
  category,
  onCategory,
  onChoose,
}: {
  tr: Translator;
  catalogue: Catalogue;
  category: string | undefined;
  onCategory: (category: string | undefined) => void;
  onChoose: (service: ServiceDefinition) => void;
}) {
  const shown = category
    ? catalogue.services.filter((service) => service.category === category)
    : catalogue.services;
  return (
    <main className="screen" data-screen="services">
      <h1 data-prompt>{tr.t('services.title')}</h1>
      <nav className="categories" aria-label={tr.t('services.categories')}>
        {catalogue.categories.map((item) => (
          <button
            key={item.id}
            type="button"
            className={item.id === category ? 'category selected' : 'category'}
            aria-pressed={item.id === category}
            data-category={item.id}
            onClick={() => onCategory(item.id === category ? undefined : item.id)}
          >
            <ServiceIcon name={item.icon} size={32} />
            {tr.text(item.label)}
          </button>
        ))}
      </nav>
      <ul className="service-grid">
        {shown.map((service) => (
          <li key={service.id}>
            <button
              type="button"
              className="service-card"
              data-service={service.id}
              onClick={() => onChoose(service)}
            >
              <span className="service-icon">
                <ServiceIcon name={service.icon} />
              </span>
              <span className="service-title">{tr.text(service.title)}</span>
              <span className="service-description">{tr.text(service.description)}</span>
              <span className="service-fee">
                {service.feeField !== undefined
                  ? tr.t('services.feeAsEntered')
                  : service.fee.amountMinor > 0
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
