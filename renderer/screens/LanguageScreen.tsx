import type { LanguageCode } from '../../kiosk-config/schema';
import { createTranslator, languageNames } from '../i18n/translator';

/** Each choice is written in its own language, with its own prompt under it. */
export function LanguageScreen({
  languages,
  onChoose,
}: {
  languages: LanguageCode[];
  onChoose: (language: LanguageCode) => void;
}) {
  return (
    <main className="screen" data-screen="language">
      <h1 data-prompt>
        {languages.map((code) => (
          <span key={code} lang={code} className="stacked">
            {createTranslator(code).t('language.title')}
          </span>
        ))}
      </h1>
      <div className="choices">
        {languages.map((code) => (
          <button
            key={code}
            type="button"
            lang={code}
            className="choice big"
            onClick={() => onChoose(code)}
          >
            {languageNames[code]}
          </button>
        ))}
      </div>
    </main>
  );
}
