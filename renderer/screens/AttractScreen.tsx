import { useEffect, useRef } from 'react';
import type { SignedInOfficer } from '../../sync/client/officer-session';
import type { LanguageCode } from '../../kiosk-config/schema';
import { SteadyLabel } from '../components/SteadyLabel';
import { longestTranslation } from '../i18n/translator';
import type { MessageKey, Translator } from '../i18n/translator';

/** How long the hidden corner must be held to open the operator PIN pad. */
export const OPERATOR_HOLD_MS = 3000;

export function AttractScreen({
  tr,
  languages,
  configRefused,
  storageLow,
  onStart,
  officer,
  officerMode,
  signedOutIdle,
  onOfficerSignIn,
  onOfficerTools,
  onOperator,
}: {
  tr: Translator;
  /** The site's languages: each text holds the room of its longest translation. */
  languages: readonly LanguageCode[];
  /** New sessions are refused: too little storage left to be sure a commit would succeed. */
  storageLow?: boolean;
  /** Shown small, for the operator: the kiosk runs on its last good service list. */
  configRefused?: string;
  onStart: () => void;
  /** The signed-in officer (assisted mode), if any. */
  officer?: SignedInOfficer;
  /** A one-stop-centre counter: assisted mode is the normal mode, sign-in is on this screen. */
  officerMode?: boolean;
  /** The last officer was signed out for inactivity. */
  signedOutIdle?: boolean;
  onOfficerSignIn?: () => void;
  onOfficerTools?: () => void;
  /** The hidden operator gesture: hold the top-left corner, or Ctrl+Alt+O. */
  onOperator?: () => void;
}) {
  const hold = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  // The latest callback: the screen re-renders during a hold (the link state changes every few
  // seconds), and a hold must survive that; only leaving the screen or lifting the finger ends it.
  const openOperator = useRef(onOperator);
  useEffect(() => {
    openOperator.current = onOperator;
  });
  useEffect(() => () => clearTimeout(hold.current), []);
  const release = () => {
    clearTimeout(hold.current);
    hold.current = undefined;
  };
  useEffect(() => {
    if (!onOperator) return undefined;
    const onKey = (event: KeyboardEvent) => {
      if (event.ctrlKey && event.altKey && event.key.toLowerCase() === 'o') {
        event.preventDefault();
        onOperator();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [onOperator]);

  const counterWithoutOfficer = officerMode && !officer;
  // A citizen taps a language in the top bar, then Start: the title, the line below it and Start
  // keep the room of their longest translation, so Start stays where it was (in Kriol, with
  // Large text on an 800 px screen, it had moved up 82 px).
  const steady = (key: MessageKey) => (
    <SteadyLabel text={tr.t(key)} reserve={longestTranslation(languages, [key])} />
  );
  return (
    <main className="screen attract" data-screen="attract">
      {onOperator ? (
        // Not a control for citizens: no role, not focusable; operators know to hold it.
        <div
          className="operator-corner"
          data-operator-corner
          onPointerDown={() => {
            release();
            hold.current = setTimeout(() => openOperator.current?.(), OPERATOR_HOLD_MS);
          }}
          onPointerUp={release}
          onPointerLeave={release}
          onPointerCancel={release}
        />
      ) : null}
      {officer ? (
        <div className="officer-bar" data-officer-bar={officer.officerId}>
          <p>{tr.t('officer.signedInAs', { name: officer.name, id: officer.officerId })}</p>
          <button type="button" className="secondary" data-officer-tools onClick={onOfficerTools}>
            {tr.t('officer.tools.open')}
          </button>
        </div>
      ) : null}
      {signedOutIdle ? (
        <p className="operator-notice" role="status" data-signed-out-idle>
          {tr.t('officer.signedOutIdle')}
        </p>
      ) : null}
      <h1 data-prompt>
        {counterWithoutOfficer ? steady('officer.counter.title') : steady('attract.title')}
      </h1>
      <p className="lead">
        {counterWithoutOfficer ? steady('officer.counter.lead') : steady('attract.subtitle')}
      </p>
      {storageLow ? (
        <p className="error" role="alert" data-storage-low>
          {tr.t('attract.storageLow')}
        </p>
      ) : null}
      {counterWithoutOfficer ? (
        <button
          type="button"
          className="primary huge"
          data-officer-sign-in
          onClick={onOfficerSignIn}
          autoFocus
        >
          {steady('officer.signIn.title')}
        </button>
      ) : (
        <button type="button" className="primary huge" onClick={onStart} autoFocus>
          {officer ? steady('officer.startForCitizen') : steady('attract.start')}
        </button>
      )}
      {configRefused ? (
        <p className="operator-notice" data-config-refused>
          {tr.t('attract.configNotice', { error: configRefused })}
        </p>
      ) : null}
    </main>
  );
}
