import type { Dispatch, ReactElement } from 'react';
import type { Translator } from '../i18n/translator';
import { AttractScreen } from '../screens/AttractScreen';
import { LanguageScreen } from '../screens/LanguageScreen';
import type { KioskFrame } from './kiosk-frame';
import type { KioskRuntime } from './kiosk-runtime';
import { ScreenLoading } from './lazy-screen';
import { ServiceScreens } from './screens-on-demand';
import type { Session, SessionAction } from './session';
import type { CardReadRouting } from './use-card-read-routing';
import type { StaffModeState } from './use-staff-mode';
import type { useSubmission } from './use-submission';

/**
 * The citizen flow's screen switch: the start and language screens here, in the page from the
 * start; every later screen (services → form steps → review → consent → receipt, or the status
 * check) in ServiceScreens.tsx, loaded on demand once the runtime has started.
 */
export function CitizenScreens({
  tr,
  frame,
  runtime,
  session,
  dispatch,
  staff,
  start,
  storageLow,
  end,
  scanned,
  submission,
}: {
  tr: Translator;
  frame: KioskFrame;
  /** Undefined while the runtime is starting: screens past the language screen wait for it. */
  runtime: KioskRuntime | undefined;
  session: Session;
  dispatch: Dispatch<SessionAction>;
  staff: StaffModeState;
  start(): void;
  storageLow: boolean;
  end(): void;
  scanned: CardReadRouting['scanned'];
  submission: ReturnType<typeof useSubmission>;
}): ReactElement {
  const { site } = frame;
  const { screen } = session;

  switch (screen.name) {
    case 'attract':
      return (
        <AttractScreen
          tr={tr}
          languages={site.languages}
          configRefused={frame.configRefused}
          storageLow={storageLow}
          onStart={start}
          officer={staff.officer}
          officerMode={site.profile === 'one-stop-centre'}
          signedOutIdle={staff.signedOutIdle}
          onOfficerSignIn={() => staff.setMode({ name: 'officer-sign-in' })}
          onOfficerTools={() => staff.setMode({ name: 'officer-tools' })}
          onOperator={() => staff.setMode({ name: 'operator-pin' })}
        />
      );
    case 'language':
      return (
        <LanguageScreen
          languages={site.languages}
          onChoose={(language) => dispatch({ type: 'choose-language', language })}
        />
      );
  }
  // Every later screen needs the runtime (the store, the engine), which starts beside the first.
  if (!runtime) return <ScreenLoading />;
  return (
    <ServiceScreens
      tr={tr}
      runtime={runtime}
      session={session}
      dispatch={dispatch}
      end={end}
      scanned={scanned}
      submission={submission}
    />
  );
}
