import type { Translator } from '../i18n/translator';

export function AttractScreen({
  tr,
  configRefused,
  onStart,
}: {
  tr: Translator;
  /** Shown small, for the operator: the kiosk runs on its last good service list. */
  configRefused?: string;
  onStart: () => void;
}) {
  return (
    <main className="screen attract" data-screen="attract">
      <h1 data-prompt>{tr.t('attract.title')}</h1>
      <p className="lead">{tr.t('attract.subtitle')}</p>
      <button type="button" className="primary huge" onClick={onStart} autoFocus>
        {tr.t('attract.start')}
      </button>
      {configRefused ? (
        <p className="operator-notice" data-config-refused>
          {tr.t('attract.configNotice', { error: configRefused })}
        </p>
      ) : null}
    </main>
  );
}
