import type { LanguageCode } from '../../kiosk-config/schema';
import { languageNames } from '../i18n/translator';
import type { Translator } from '../i18n/translator';

interface HeaderProps {
  tr: Translator;
  languages: LanguageCode[];
  onLanguage: (language: LanguageCode) => void;
  onStartOver?: () => void;
}

/** Top bar on every screen: the language switch is always one touch away. */
export function Header({ tr, languages, onLanguage, onStartOver }: HeaderProps) {
  return (
    <header className="header">
      <span className="brand">{tr.t('app.name')}</span>
      <nav className="language-switch" aria-label={tr.t('language.switch')}>
        {languages.map((code) => (
          <button
            key={code}
            type="button"
            lang={code}
            className={code === tr.language ? 'chip chip-active' : 'chip'}
            aria-pressed={code === tr.language}
            onClick={() => onLanguage(code)}
          >
            {languageNames[code]}
          </button>
        ))}
      </nav>
      {onStartOver ? (
        <button type="button" className="chip chip-quiet" onClick={onStartOver}>
          {tr.t('common.startOver')}
        </button>
      ) : null}
    </header>
  );
}
