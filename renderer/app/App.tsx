import { Suspense, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { countries } from '../../kiosk-config/countries';
import type { EngineStatus } from '../../sync/client/engine';
import { Header } from '../components/Header';
import { IdleWarning } from '../components/IdleWarning';
import { SpeechNotice } from '../components/SpeechNotice';
import { createTranslator, loadLanguages } from '../i18n/translator';
import type { AppShellUpdates } from '../sw/register';
import { CitizenScreens } from './CitizenScreens';
import { useSpeechGuidance } from './guidance';
import { sessionIdleTimings, useIdleTimer } from './idle-timer';
import type { KioskFrame } from './kiosk-frame';
import type { KioskRuntime } from './kiosk-runtime';
import { ScreenLoading, useScreensLoaded } from './lazy-screen';
import { createSpeaker } from './speech';
import { StaffScreens } from './StaffScreens';
import { useCardReadRouting } from './use-card-read-routing';
import { useKioskSession } from './use-kiosk-session';
import { usePagePreferences } from './use-page-preferences';
import { useSessionOpenSignal } from './use-session-open-signal';
import { forgetSelection } from '../platform/key-guard';
import { useSessionStart } from './use-session-start';
import { useStaffMode } from './use-staff-mode';
import { useSubmission } from './use-submission';
import { OpensAtTop } from '../components/OpensAtTop';
import { StartOverConfirm } from '../components/StartOverConfirm';

/**
 * The kiosk page: the frame every screen shares (header, assisted-mode banner, speech and scan
 * notices, the idle warning) around either a staff screen or the citizen flow. Each concern is
 * one hook or one component; this file only wires them together.
 *
 * The first screens need only `frame` (the bridge and the validated config). `runtime` (store,
 * sync engine, officers, card readers) arrives a moment later, from its own chunk; until then
 * the link shows as not yet known, and screens past the language screen wait for it.
 */
export function App({
  frame,
  runtime,
  updates,
}: {
  frame: KioskFrame;
  runtime?: KioskRuntime;
  updates?: AppShellUpdates;
}) {
  const { site, catalogue } = frame;
  const [session, dispatch] = useKioskSession(frame, runtime?.openReceipt);
  const { screen } = session;
  const sessionOpen = screen.name !== 'attract';
  // Times are shown on the site's wall clock (its country's zone), not the machine's.
  const timeZone = countries[site.country].timeZone;
  const tr = useMemo(
    () => createTranslator(session.language, timeZone),
    [session.language, timeZone],
  );
  const [engine, setEngine] = useState<EngineStatus | undefined>(runtime?.engine.status);
  useEffect(() => runtime?.engine.subscribe(setEngine), [runtime]);

  const staff = useStaffMode(runtime?.officers);
  const submission = useSubmission(runtime, dispatch);
  const { start, storageLow } = useSessionStart(frame, dispatch);

  // Read aloud: the browser's voice where it has one, the shell's offline engine where not.
  const speaker = useMemo(() => createSpeaker(frame.bridge), [frame.bridge]);
  const end = useCallback(() => {
    speaker.cancel();
    // Nothing the citizen selected or copied may be pasted by the next one.
    forgetSelection();
    // Nothing of the session may stay in the address or the history either.
    if (location.hash) history.replaceState(null, '', location.pathname + location.search);
    runtime?.closeReceipt();
    dispatch({ type: 'end' });
  }, [runtime, speaker, dispatch]);

  // An officer who signs out (or is signed out) leaves the kiosk to the next person: the
  // language and the Large text, contrast and voice the officer chose go back to the site's
  // defaults, as they do when a citizen's session ends.
  const officerId = staff.officer?.officerId;
  const officerBefore = useRef(officerId);
  useEffect(() => {
    const before = officerBefore.current;
    officerBefore.current = officerId;
    if (before !== undefined && officerId === undefined && !sessionOpen) end();
  }, [officerId, sessionOpen, end]);

  const { scanned, scanNotice } = useCardReadRouting({
    cardReads: runtime?.cardReads,
    statusService: catalogue.services.find((s) => s.kind === 'status-check'),
    screenName: screen.name,
    modeName: staff.mode.name,
    setMode: staff.setMode,
    dispatch,
  });

  // Start over asks first when answers would be lost (StartOverConfirm); a question left
  // open with nothing typed, a status check or a receipt starts over at once.
  const [confirmingStartOver, setConfirmingStartOver] = useState(false);
  // A session that ends another way (the idle timeout) takes the question with it.
  const [openBefore, setOpenBefore] = useState(sessionOpen);
  if (openBefore !== sessionOpen) {
    setOpenBefore(sessionOpen);
    if (!sessionOpen) setConfirmingStartOver(false);
  }
  const hasAnswers = Object.values(session.answers).some((value) => value !== '');
  const startOverAsked = confirmingStartOver && sessionOpen;
  const { idleMs, warningMs } = sessionIdleTimings(site);
  const idle = useIdleTimer({ enabled: sessionOpen, idleMs, warningMs, onExpire: end });
  // A language, Large text, contrast or voice chosen on the start screen by someone who then
  // walked away would greet the next citizen: after the same idle time they go back to the
  // site's defaults, with no warning (nothing is lost). Not while a staff screen is open.
  const startScreenChanged =
    !sessionOpen &&
    !staff.staffScreenOpen &&
    (session.languageChosen ||
      session.language !== site.defaultLanguage ||
      session.access.highContrast ||
      session.access.largeText ||
      session.access.audio !== site.audioGuidance);
  useIdleTimer({ enabled: startScreenChanged, idleMs, warningMs: 0, onExpire: end });
  useSessionOpenSignal(sessionOpen, frame.bridge, updates);
  usePagePreferences(session.access, session.language);
  // A screen whose code arrives after it was asked for is read when it is on the page.
  const screensLoaded = useScreensLoaded();
  const stepKey = `${screen.name}:${'index' in screen ? screen.index : ''}:${'serviceId' in screen ? screen.serviceId : ''}:${idle.state.phase}:${screensLoaded}`;
  useSpeechGuidance(speaker, session.access.audio, session.language, stepKey);

  const { officer } = staff;
  const body = staff.staffScreenOpen ? (
    <StaffScreens tr={tr} runtime={runtime} staff={staff} />
  ) : (
    <CitizenScreens
      tr={tr}
      frame={frame}
      runtime={runtime}
      session={session}
      dispatch={dispatch}
      staff={staff}
      start={start}
      storageLow={storageLow}
      end={end}
      scanned={scanned}
      submission={submission}
    />
  );

  return (
    <div className="kiosk" lang={session.language} data-language={session.language}>
      <div className="kiosk-content" inert={idle.state.phase === 'warning' || startOverAsked}>
        <OpensAtTop
          screen={
            // A staff screen is named by itself (console, officer's PIN, officer's tools), not
            // by the citizen's screen under it, which does not change between them: the
            // officer's PIN pad opened at the scroll the console was left at.
            staff.staffScreenOpen
              ? `staff:${staff.mode.name}`
              : `citizen:${screen.name}:${'index' in screen ? screen.index : ''}:${'serviceId' in screen ? screen.serviceId : ''}`
          }
        />
        <Header
          tr={tr}
          languageSwitch={screen.name !== 'language'}
          languages={site.languages}
          access={session.access}
          link={engine?.link ?? 'unknown'}
          gettingRoster={engine?.configAt === undefined}
          onLanguage={(language) =>
            // Its messages first (a chunk of their own, precached), then the switch.
            void loadLanguages([language]).then(() =>
              dispatch({ type: 'switch-language', language, byStaff: staff.staffScreenOpen }),
            )
          }
          onToggle={(preference) => dispatch({ type: 'toggle-access', preference })}
          onStartOver={
            sessionOpen ? () => (hasAnswers ? setConfirmingStartOver(true) : end()) : undefined
          }
        />
        {officer && staff.mode.name === 'citizen' && sessionOpen ? (
          <p className="assisted-banner" data-assisted-by={officer.officerId}>
            {tr.t('officer.assisting', { name: officer.name, id: officer.officerId })}
          </p>
        ) : null}
        <SpeechNotice
          tr={tr}
          speaker={speaker}
          enabled={session.access.audio}
          language={session.language}
        />
        {scanNotice ? (
          <p className="scan-notice" role="status">
            {tr.t('scan.notRecognised')}
          </p>
        ) : null}
        <Suspense fallback={<ScreenLoading />}>{body}</Suspense>
      </div>
      {startOverAsked && idle.state.phase !== 'warning' ? (
        <StartOverConfirm
          tr={tr}
          onKeep={() => setConfirmingStartOver(false)}
          onStartOver={() => {
            setConfirmingStartOver(false);
            end();
          }}
        />
      ) : null}
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
