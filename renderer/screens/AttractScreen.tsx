import type { Translator } from '../i18n/translator';

export function AttractScreen({
  tr,
  configRefused,
  storageLow,
  onStart,
}: {
  tr: Translator;
  /** New sessions are refused: too little storage left to be sure a commit would succeed. */
  storageLow?: boolean;
  /** Shown small, for the operator: the kiosk runs on its last good service list. */
  configRefused?: string;
  onStart: () => void;
}) {
  return (
    <main className="screen attract" data-screen="attract">
      <h1 data-prompt>{tr.t('attract.title')}</h1>
      <p className="lead">{tr.t('attract.subtitle')}</p>
      {storageLow ? (
        <p className="error" role="alert" data-storage-low>
          {tr.t('attract.storageLow')}
        </p>
      ) : null}
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
