import type { LanguageCode } from '../../kiosk-config/schema';
import type { AccessPreferences } from '../app/session';
import type { LinkState } from '../../sync/client/engine';
import { languageNames, longestTranslation } from '../i18n/translator';
import { SteadyLabel } from './SteadyLabel';
import type { Translator } from '../i18n/translator';

interface HeaderProps {
  tr: Translator;
  languages: LanguageCode[];
  access: AccessPreferences;
  link: LinkState;
  /** Online, but the office's config (with the officer list) has not arrived yet. */
  gettingRoster?: boolean;
  onLanguage: (language: LanguageCode) => void;
  onToggle: (preference: keyof AccessPreferences) => void;
  onStartOver?: () => void;
  /**
   * The language switch; left out on the language screen, whose own big buttons are the choice
   * (the bar is there for Read aloud, the display toggles and Start over).
   */
  languageSwitch?: boolean;
}

function ToggleIcon({ name }: { name: keyof AccessPreferences }) {
  // Drawn here so no emoji font is needed on the kiosk.
  const paths: Record<keyof AccessPreferences, string> = {
    highContrast: 'M12 3a9 9 0 1 0 0 18V3z M12 3a9 9 0 0 1 0 18',
    largeText: 'M3 20 9 4h2l6 16 M5.5 14h9 M18 4v6 M15 7h6',
    audio: 'M4 9h4l5-4v14l-5-4H4z M16 9a4 4 0 0 1 0 6 M18.5 6.5a8 8 0 0 1 0 11',
  };
  return (
    <svg className="toggle-icon" viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">
      <path
        d={paths[name]}
        fill="none"
        stroke="currentColor"
        strokeWidth="2"
        strokeLinejoin="round"
        strokeLinecap="round"
      />
    </svg>
  );
}

/**
 * A language or display button pressed with a finger or the mouse leaves the focus where it was:
 * a field being typed in from a keyboard (an officer's, a scanner's) keeps it, so the next key
 * goes on into the answer instead of nowhere (QA: after switching language, typing was lost).
 * Tab and Enter reach these buttons as before.
 */
const keepFocus = (event: { preventDefault(): void }): void => event.preventDefault();

const toggles: Array<{
  preference: keyof AccessPreferences;
  key: 'a11y.contrast' | 'a11y.largeText' | 'a11y.audio';
}> = [
  { preference: 'highContrast', key: 'a11y.contrast' },
  { preference: 'largeText', key: 'a11y.largeText' },
  { preference: 'audio', key: 'a11y.audio' },
];

/**
 * Top bar on every screen: the language switch, display and sound toggles, and the link state,
 * said calmly (an offline kiosk still takes requests). Every control is a real button.
 */
export function Header({
  tr,
  languages,
  access,
  link,
  gettingRoster,
  onLanguage,
  onToggle,
  onStartOver,
  languageSwitch = true,
}: HeaderProps) {
  // Each label holds the room of its longest translation in the site's languages, worked out on
  // each render, not kept: the other languages' words arrive after the first screen is up.
  return (
    <header className="header">
      <div className="header-row">
        <span className="brand">
          {/* "Lefelo la Ditirelo" is longer than "Service Point": with Large text on an 800 px
              screen the Setswana name pushed the language buttons onto a row of their own. */}
          <SteadyLabel
            text={tr.t('app.name')}
            reserve={longestTranslation(languages, ['app.name'])}
          />
        </span>
        {languageSwitch ? (
          <nav className="language-switch" aria-label={tr.t('language.switch')}>
            {languages.map((code) => (
              <button
                key={code}
                type="button"
                lang={code}
                className={code === tr.language ? 'chip chip-active' : 'chip'}
                aria-pressed={code === tr.language}
                onMouseDown={keepFocus}
                onClick={() => onLanguage(code)}
              >
                {/* As wide as its bold (chosen) self, so choosing one moves none of the others. */}
                <SteadyLabel text={languageNames[code]} reserve={languageNames[code]} />
              </button>
            ))}
          </nav>
        ) : null}
        {onStartOver ? (
          <button type="button" className="chip chip-quiet" onClick={onStartOver} data-start-over>
            {/* As wide in every site language as in the longest ("Empezar de nuevo"): a switch
                of language moved the bar's buttons, and a tap meant for Kriol met Start over (QA). */}
            <SteadyLabel
              text={tr.t('common.startOver')}
              reserve={longestTranslation(languages, ['common.startOver'])}
            />
          </button>
        ) : null}
      </div>
      <div className="header-row">
        <div className="access-toggles" role="group" aria-label={tr.t('a11y.toolbar')}>
          {toggles.map(({ preference, key }) => (
            <button
              key={preference}
              type="button"
              className={access[preference] ? 'chip chip-active' : 'chip'}
              aria-pressed={access[preference]}
              data-toggle={preference}
              onMouseDown={keepFocus}
              onClick={() => onToggle(preference)}
            >
              <ToggleIcon name={preference} />
              {/* As wide in every site language as in its longest ("Mebala e e bonalang"): a
                  switch of language moved the toggles beside it, and on an 800 px screen
                  Setswana's wrapped them into a second row that pushed the page down 64 px. */}
              <SteadyLabel text={tr.t(key)} reserve={longestTranslation(languages, [key])} />
            </button>
          ))}
        </div>
        {/* The longest of its messages in any site language, unseen and unread (data-reserve,
            drawn hidden by the stylesheet), holds its room: when the link comes or goes, or the
            language changes, the bar keeps its size, so nothing below it moves under a finger. */}
        <p
          className={`link link-${link === 'online' && !gettingRoster ? 'online' : 'offline'}`}
          data-link={link}
          data-getting-roster={gettingRoster && link === 'online' ? true : undefined}
          data-reserve={longestTranslation(languages, [
            'link.offline',
            'link.gettingRoster',
            'link.online',
          ])}
        >
          <span className="link-text">
            {link !== 'online'
              ? tr.t('link.offline')
              : gettingRoster
                ? tr.t('link.gettingRoster')
                : tr.t('link.online')}
          </span>
        </p>
      </div>
    </header>
  );
}
