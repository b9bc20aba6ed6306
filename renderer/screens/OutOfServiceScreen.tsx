import { createTranslator } from '../i18n/translator';
import type { LanguageCode } from '../../kiosk-config/schema';

/**
 * The screen of a kiosk that cannot serve: "out of service, ask an officer" in each of the
 * kiosk's languages, and one technical line for the officer or operator. No button: there is
 * nothing a citizen can do here.
 */
export function OutOfServiceScreen({
  languages,
  reason,
  detail,
}: {
  languages: readonly LanguageCode[];
  /** Why, for tests and for the operator: no shell at all, or a start-up that failed. */
  reason: 'no-shell' | 'start-failed';
  detail: string;
}) {
  const [first, ...others] = (languages.length > 0 ? languages : ['en' as const]).map((language) =>
    createTranslator(language),
  );
  return (
    <main className="screen out-of-service" data-screen="out-of-service" data-reason={reason}>
      {first && <h1 lang={first.language}>{first.t('error.config')}</h1>}
      {others.map((tr) => (
        <p key={tr.language} lang={tr.language} className="out-of-service-message">
          {tr.t('error.config')}
        </p>
      ))}
      <p className="detail" lang="en">
        {detail}
      </p>
    </main>
  );
}
