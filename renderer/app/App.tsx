import { useCallback, useEffect, useMemo, useReducer, useState } from 'react';
import { firstProblem } from '../../kiosk-config/field-validation';
import { askedFields, consentFields, submittedAnswers } from '../../kiosk-config/service-steps';
import type { EngineStatus } from '../../sync/client/engine';
import { Header } from '../components/Header';
import { IdleWarning } from '../components/IdleWarning';
import { createTranslator } from '../i18n/translator';
import { AttractScreen } from '../screens/AttractScreen';
import { ConsentScreen } from '../screens/ConsentScreen';
import { FormScreen } from '../screens/FormScreen';
import { LanguageScreen } from '../screens/LanguageScreen';
import { ReceiptScreen } from '../screens/ReceiptScreen';
import { ReviewScreen } from '../screens/ReviewScreen';
import { ServicesScreen } from '../screens/ServicesScreen';
import { StatusScreen } from '../screens/StatusScreen';
import type { AppShellUpdates } from '../sw/register';
import { silenceGuidance, useSpeechGuidance } from './guidance';
import { useIdleTimer } from './idle-timer';
import type { KioskRuntime } from './kiosk-runtime';
import { initialSession, sessionReducer } from './session';

/** Idle timings in ms: the site's, or the short test-only ones a browser test serves. */
function idleTimings(runtime: KioskRuntime): { idleMs: number; warningMs: number } {
  const { site } = runtime;
  const timing = site.testTiming ?? site;
  return { idleMs: timing.idleTimeoutSeconds * 1000, warningMs: timing.idleWarningSeconds * 1000 };
}

export function App({ runtime, updates }: { runtime: KioskRuntime; updates?: AppShellUpdates }) {
  const { site, catalogue } = runtime;
  const defaults = useMemo(
    () => ({ language: site.defaultLanguage, audio: site.audioGuidance }),
    [site.defaultLanguage, site.audioGuidance],
  );
  const reducer = useMemo(() => sessionReducer(defaults), [defaults]);
  const [session, dispatch] = useReducer(reducer, defaults, initialSession);
  const tr = useMemo(() => createTranslator(session.language), [session.language]);
  const [engine, setEngine] = useState<EngineStatus>(runtime.engine.status);
  useEffect(() => runtime.engine.subscribe(setEngine), [runtime.engine]);

  const { screen, answers } = session;
  const service =
    'serviceId' in screen ? catalogue.services.find((s) => s.id === screen.serviceId) : undefined;
  const fields = service ? askedFields(service, answers) : [];
  const agreements = service ? consentFields(service, answers) : [];
  const sessionOpen = screen.name !== 'attract';

  const end = useCallback(() => {
    silenceGuidance();
    // Nothing of the session may stay in the address or the history either.
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    dispatch({ type: 'end' });
  }, []);

  // A receipt's code scanned on the start, service or status screen opens its status; a card
  // that is not recognised gets one calm sentence. Nothing interrupts a form in progress.
  const [scanned, setScanned] = useState<{ ref: string; at: number } | undefined>();
  const [scanNotice, setScanNotice] = useState(false);
  const statusService = catalogue.services.find((s) => s.kind === 'status-check');
  const screenName = screen.name;
  useEffect(
    () =>
      runtime.cardReads.subscribe((read) => {
        if (read.kind === 'rejected') {
          setScanNotice(true);
          return;
        }
        if (read.kind !== 'reference' || !statusService) return;
        if (!['attract', 'language', 'services', 'status'].includes(screenName)) return;
        setScanNotice(false);
        setScanned({ ref: read.ref, at: Date.now() });
        if (screenName !== 'status') {
          dispatch({ type: 'choose-service', serviceId: statusService.id, kind: 'status-check' });
        }
      }),
    [runtime.cardReads, statusService, screenName],
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
            const committed = await runtime.submit({
              serviceId: service.id,
              catalogueVersion: catalogue.version,
              channel: 'self-service',
              language: session.language,
              fee: service.fee,
              fields: submittedAnswers(service, answers),
            });
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
          onFinish={end}
        />
      );
      break;
  }

  return (
    <div className="kiosk" lang={session.language} data-language={session.language}>
      <div className="kiosk-content" inert={idle.state.phase === 'warning'}>
        {header}
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
