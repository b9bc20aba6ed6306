import type { Translator } from '../i18n/translator';

export function AttractScreen({ tr, onStart }: { tr: Translator; onStart: () => void }) {
  return (
    <main className="screen attract" data-screen="attract">
      <h1>{tr.t('attract.title')}</h1>
      <p className="lead">{tr.t('attract.subtitle')}</p>
      <button type="button" className="primary huge" onClick={onStart} autoFocus>
        {tr.t('attract.start')}
      </button>
    </main>
  );
}
