import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { firstProblem } from '../../kiosk-config/field-validation';
import { askedFields, consentFields, submittedAnswers } from '../../kiosk-config/service-steps';
import type { EngineStatus } from '../../sync/client/engine';
import { Header } from '../components/Header';
import { IdleWarning } from '../components/IdleWarning';
import { countries } from '../../kiosk-config/countries';
import { createTranslator } from '../i18n/translator';
import { AttractScreen } from '../screens/AttractScreen';
import { ConsentScreen } from '../screens/ConsentScreen';
import { FormScreen } from '../screens/FormScreen';
import { LanguageScreen } from '../screens/LanguageScreen';
import { ReceiptScreen } from '../screens/ReceiptScreen';
import { ReviewScreen } from '../screens/ReviewScreen';
import { ServicesScreen } from '../screens/ServicesScreen';
import { StatusScreen } from '../screens/StatusScreen';
import { OfficerSignInScreen } from '../screens/officer/OfficerSignInScreen';
import { OfficerToolsScreen } from '../screens/officer/OfficerToolsScreen';
import { OperatorConsoleScreen } from '../screens/operator/OperatorConsoleScreen';
import { OperatorPinScreen } from '../screens/operator/OperatorPinScreen';
import type { SignedInOfficer } from '../../sync/client/officer-session';
import type { AppShellUpdates } from '../sw/register';
import { silenceGuidance, useSpeechGuidance } from './guidance';
import { useIdleTimer } from './idle-timer';
import type { KioskRuntime } from './kiosk-runtime';
import { initialSession, resumedReceiptSession, sessionReducer } from './session';
import { languageCodeSchema } from '../../kiosk-config/schema';

/** Idle timings in ms: the site's, or the short test-only ones a browser test serves. */
function idleTimings(runtime: KioskRuntime): { idleMs: number; warningMs: number } {
  const { site } = runtime;
  const timing = site.testTiming ?? site;
  return { idleMs: timing.idleTimeoutSeconds * 1000, warningMs: timing.idleWarningSeconds * 1000 };
}

/** How long a staff screen (PIN pad, operator console) stays open without a touch. */
const STAFF_IDLE_MS = 3 * 60_000;

/** Officer and operator screens, shown instead of the citizen flow. */
type StaffMode =
  | { name: 'citizen' }
  | { name: 'officer-sign-in'; card?: string }
  | { name: 'officer-tools' }
  | { name: 'operator-pin' }
  | { name: 'operator' };

export function App({ runtime, updates }: { runtime: KioskRuntime; updates?: AppShellUpdates }) {
  const { site, catalogue } = runtime;
  const defaults = useMemo(
    () => ({ language: site.defaultLanguage, audio: site.audioGuidance }),
    [site.defaultLanguage, site.audioGuidance],
  );
  const reducer = useMemo(() => sessionReducer(defaults), [defaults]);
  // A receipt a crash left open comes first: the citizen must not apply twice.
  const [session, dispatch] = useReducer(reducer, defaults, (d) => {
    const open = runtime.openReceipt;
    const language = languageCodeSchema.safeParse(open?.language);
    return open && language.success && catalogue.services.some((s) => s.id === open.serviceId)
      ? resumedReceiptSession(d, { ...open, language: language.data })
      : initialSession(d);
  });
  // Times are shown on the site's wall clock (its country's zone), not the machine's.
  const timeZone = countries[site.country].timeZone;
  const tr = useMemo(
    () => createTranslator(session.language, timeZone),
    [session.language, timeZone],
  );
  const [engine, setEngine] = useState<EngineStatus>(runtime.engine.status);
  useEffect(() => runtime.engine.subscribe(setEngine), [runtime.engine]);

  const { screen, answers } = session;
  const [mode, setMode] = useState<StaffMode>({ name: 'citizen' });
  const [officer, setOfficer] = useState<SignedInOfficer | undefined>(runtime.officers.officer);
  const [signedOutIdle, setSignedOutIdle] = useState(false);
  const signingOut = useRef(false);
  // Who completed the transaction on the receipt screen (the officer at submit time).
  const [receiptOfficer, setReceiptOfficer] = useState<
    Pick<SignedInOfficer, 'officerId' | 'name'> | undefined
  >(runtime.openReceipt?.officer);
  useEffect(() => {
    let previous = runtime.officers.officer;
    return runtime.officers.subscribe((next) => {
      // Signed out without the sign-out button: the inactivity timer did it.
      if (previous && !next && !signingOut.current) setSignedOutIdle(true);
      if (next) setSignedOutIdle(false);
      signingOut.current = false;
      previous = next;
      setOfficer(next);
      if (!next)
        setMode((current) => (current.name === 'officer-tools' ? { name: 'citizen' } : current));
    });
  }, [runtime.officers]);
  const signOut = useCallback(() => {
    signingOut.current = true;
    void runtime.officers.signOut('signed-out').catch(() => undefined);
    setMode({ name: 'citizen' });
  }, [runtime.officers]);
  // A staff screen left alone (PIN pad, operator console) goes back to the start screen, so a
  // citizen never finds the console open. Officer tools close with the officer's sign-out.
  useEffect(() => {
    if (mode.name === 'citizen' || mode.name === 'officer-tools') return undefined;
    let timer = setTimeout(() => setMode({ name: 'citizen' }), STAFF_IDLE_MS);
    const touch = (): void => {
      clearTimeout(timer);
      timer = setTimeout(() => setMode({ name: 'citizen' }), STAFF_IDLE_MS);
    };
    window.addEventListener('pointerdown', touch, true);
    window.addEventListener('keydown', touch, true);
    return () => {
      clearTimeout(timer);
      window.removeEventListener('pointerdown', touch, true);
      window.removeEventListener('keydown', touch, true);
    };
  }, [mode.name]);
  // Any touch or key while an officer is signed in keeps them signed in.
  useEffect(() => {
    if (!officer) return undefined;
    const touch = (): void => runtime.officers.touch();
    window.addEventListener('pointerdown', touch, true);
    window.addEventListener('keydown', touch, true);
    return () => {
      window.removeEventListener('pointerdown', touch, true);
      window.removeEventListener('keydown', touch, true);
    };
  }, [officer, runtime.officers]);
  const service =
    'serviceId' in screen ? catalogue.services.find((s) => s.id === screen.serviceId) : undefined;
  const fields = service ? askedFields(service, answers) : [];
  const agreements = service ? consentFields(service, answers) : [];
  const sessionOpen = screen.name !== 'attract';

  const end = useCallback(() => {
    silenceGuidance();
    // Nothing of the session may stay in the address or the history either.
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    runtime.closeReceipt();
    dispatch({ type: 'end' });
  }, [runtime]);

  // A receipt's code scanned on the start, service or status screen opens its status; a card
  // that is not recognised gets one calm sentence. Nothing interrupts a form in progress.
  const [scanned, setScanned] = useState<{ ref: string; at: number } | undefined>();
  const [scanNotice, setScanNotice] = useState(false);
  const statusService = catalogue.services.find((s) => s.kind === 'status-check');
  const screenName = screen.name;
  const modeName = mode.name;
  useEffect(
    () =>
      runtime.cardReads.subscribe((read) => {
        if (read.kind === 'rejected') {
          setScanNotice(true);
          return;
        }
        // An officer card opens sign-in from the start screen, never in a citizen's session;
        // also from the operator console (between sessions), whose simulated reader swipes one.
        if (read.kind === 'officer') {
          if (screenName === 'attract' && (modeName === 'citizen' || modeName === 'operator')) {
            setMode({ name: 'officer-sign-in', card: read.officerId });
          }
          return;
        }
        if (modeName !== 'citizen') return;
        if (read.kind !== 'reference' || !statusService) return;
        if (!['attract', 'language', 'services', 'status'].includes(screenName)) return;
        setScanNotice(false);
        setScanned({ ref: read.ref, at: Date.now() });
        if (screenName !== 'status') {
          dispatch({ type: 'choose-service', serviceId: statusService.id, kind: 'status-check' });
        }
      }),
    [runtime.cardReads, statusService, screenName, modeName],
  );
  useEffect(() => {
    if (!scanNotice) return undefined;
    const timer = setTimeout(() => setScanNotice(false), 6000);
    return () => clearTimeout(timer);
  }, [scanNotice]);

  // Checked at each session start, before a citizen types anything: better to turn them away
  // with a message than to fail their commit at the end.
  const [storageLow, setStorageLow] = useState(false);
  const start = useCallback(() => {
    void runtime
      .checkStorage()
      .catch(() => ({ ok: true as const }))
      .then((check) => {
        setStorageLow(!check.ok);
        if (check.ok) dispatch({ type: 'start' });
      });
  }, [runtime]);

  const { idleMs, warningMs } = idleTimings(runtime);
  const idle = useIdleTimer({ enabled: sessionOpen, idleMs, warningMs, onExpire: end });

  // The shell holds restarts and the service worker holds updates while a session is open.
  useEffect(() => {
    updates?.setSessionOpen(sessionOpen);
    void runtime.bridge.invoke('session:state', { active: sessionOpen }).catch(() => undefined);
  }, [sessionOpen, runtime.bridge, updates]);

  // On the root element, so rem-based sizes grow and the whole page changes colour.
  useEffect(() => {
    const root = document.documentElement;
    root.classList.toggle('high-contrast', session.access.highContrast);
    root.classList.toggle('large-text', session.access.largeText);
    root.lang = session.language;
  }, [session.access.highContrast, session.access.largeText, session.language]);

  const stepKey = `${screen.name}:${'index' in screen ? screen.index : ''}:${'serviceId' in screen ? screen.serviceId : ''}:${idle.state.phase}`;
  useSpeechGuidance(session.access.audio, session.language, stepKey);

  const header =
    screen.name === 'language' ? null : (
      <Header
        tr={tr}
        languages={site.languages}
        access={session.access}
        link={engine.link}
        gettingRoster={engine.configAt === undefined}
        onLanguage={(language) => dispatch({ type: 'switch-language', language })}
        onToggle={(preference) => dispatch({ type: 'toggle-access', preference })}
        onStartOver={sessionOpen ? end : undefined}
      />
    );

  let body;
  switch (screen.name) {
    case 'attract':
      body = (
        <AttractScreen
          tr={tr}
          configRefused={runtime.configRefused}
          storageLow={storageLow}
          onStart={start}
          officer={officer}
          officerMode={site.profile === 'one-stop-centre'}
          signedOutIdle={signedOutIdle}
          onOfficerSignIn={() => setMode({ name: 'officer-sign-in' })}
          onOfficerTools={() => setMode({ name: 'officer-tools' })}
          onOperator={() => setMode({ name: 'operator-pin' })}
        />
      );
      break;
    case 'language':
      body = (
        <LanguageScreen
          languages={site.languages}
          onChoose={(language) => dispatch({ type: 'choose-language', language })}
        />
      );
      break;
    case 'services':
      body = (
        <ServicesScreen
          tr={tr}
          catalogue={catalogue}
          category={screen.category}
          onCategory={(category) => dispatch({ type: 'choose-category', category })}
          onChoose={(chosen) =>
            dispatch({ type: 'choose-service', serviceId: chosen.id, kind: chosen.kind })
          }
        />
      );
      break;
    case 'form':
      if (!service) break;
      body = (
        <FormScreen
          key={`${service.id}:${screen.index}`}
          tr={tr}
          service={service}
          fields={fields}
          index={screen.index}
          answers={answers}
          onAnswer={(fieldId, value) => dispatch({ type: 'answer', fieldId, value })}
          onBack={() =>
            dispatch({
              type: 'go',
              screen:
                screen.index === 0
                  ? { name: 'services', category: service.category }
                  : { name: 'form', serviceId: service.id, index: screen.index - 1 },
            })
          }
          onNext={() =>
            dispatch({
              type: 'go',
              screen:
                screen.index + 1 < fields.length
                  ? { name: 'form', serviceId: service.id, index: screen.index + 1 }
                  : { name: 'review', serviceId: service.id },
            })
          }
        />
      );
      break;
    case 'review':
      if (!service) break;
      body = (
        <ReviewScreen
          tr={tr}
          service={service}
          fields={fields}
          answers={answers}
          onChange={(index) =>
            dispatch({ type: 'go', screen: { name: 'form', serviceId: service.id, index } })
          }
          onContinue={() => {
            // Check every answer again: nothing invalid reaches the consent step.
            const bad = firstProblem(fields, answers);
            dispatch({
              type: 'go',
              screen:
                bad >= 0
                  ? { name: 'form', serviceId: service.id, index: bad }
                  : { name: 'consent', serviceId: service.id },
            });
          }}
        />
      );
      break;
    case 'consent':
      if (!service) break;
      body = (
        <ConsentScreen
          tr={tr}
          fields={agreements}
          answers={answers}
          onAnswer={(fieldId, value) => dispatch({ type: 'answer', fieldId, value })}
          onBack={() => dispatch({ type: 'go', screen: { name: 'review', serviceId: service.id } })}
          onSubmit={async () => {
            const bad = firstProblem(fields, answers);
            if (bad >= 0) {
              dispatch({ type: 'go', screen: { name: 'form', serviceId: service.id, index: bad } });
              return;
            }
            // Recorded inside the signed record: who completed it on the citizen's behalf.
            const assisting = runtime.officers.officer;
            const committed = await runtime.submit(
              {
                serviceId: service.id,
                catalogueVersion: catalogue.version,
                channel: assisting ? 'assisted' : 'self-service',
                ...(assisting ? { officerId: assisting.officerId } : {}),
                language: session.language,
                fee: service.fee,
                fields: submittedAnswers(service, answers),
              },
              { openReceipt: true },
            );
            setReceiptOfficer(assisting);
            dispatch({ type: 'submitted', txId: committed.txId, ref: committed.ref });
          }}
        />
      );
      break;
    case 'status':
      if (!service) break;
      body = (
        <StatusScreen
          tr={tr}
          runtime={runtime}
          service={service}
          scanned={scanned}
          onBack={() => dispatch({ type: 'go', screen: { name: 'services' } })}
        />
      );
      break;
    case 'receipt':
      if (!service) break;
      body = (
        <ReceiptScreen
          tr={tr}
          runtime={runtime}
          service={service}
          txId={screen.txId}
          reference={screen.ref}
          payment={session.payment}
          officer={receiptOfficer}
          onFinish={end}
        />
      );
      break;
  }

  // Staff screens replace the citizen flow; only reachable between citizen sessions.
  const back = () => setMode({ name: 'citizen' });
  if (mode.name === 'officer-sign-in') {
    body = (
      <OfficerSignInScreen
        key={mode.card ?? 'typed'}
        tr={tr}
        officers={runtime.officers}
        card={mode.card}
        onSignedIn={() => setMode({ name: 'officer-tools' })}
        onCancel={back}
      />
    );
  } else if (mode.name === 'officer-tools' && officer) {
    body = (
      <OfficerToolsScreen
        tr={tr}
        runtime={runtime}
        officer={officer}
        onServe={back}
        onSignOut={signOut}
      />
    );
  } else if (mode.name === 'operator-pin') {
    body = (
      <OperatorPinScreen
        tr={tr}
        runtime={runtime}
        onOpen={() => setMode({ name: 'operator' })}
        onCancel={back}
      />
    );
  } else if (mode.name === 'operator') {
    body = <OperatorConsoleScreen tr={tr} runtime={runtime} onClose={back} />;
  }
  const assistedBanner =
    officer && mode.name === 'citizen' && screen.name !== 'attract' ? (
      <p className="assisted-banner" data-assisted-by={officer.officerId}>
        {tr.t('officer.assisting', { name: officer.name, id: officer.officerId })}
      </p>
    ) : null;

  return (
    <div className="kiosk" lang={session.language} data-language={session.language}>
      <div className="kiosk-content" inert={idle.state.phase === 'warning'}>
        {header}
        {assistedBanner}
        {scanNotice ? (
          <p className="scan-notice" role="status">
            {tr.t('scan.notRecognised')}
          </p>
        ) : null}
        {body ?? <AttractScreen tr={tr} onStart={end} />}
      </div>
      {idle.state.phase === 'warning' ? (
        <IdleWarning
          tr={tr}
          secondsLeft={idle.state.secondsLeft}
          onContinue={idle.keepAlive}
          onEnd={end}
        />
      ) : null}
    </div>
  );
}
