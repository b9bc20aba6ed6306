import type { ReactElement } from 'react';
import type { Translator } from '../i18n/translator';
import type { KioskRuntime } from './kiosk-runtime';
import { ScreenLoading } from './lazy-screen';
import {
  OfficerSignInScreen,
  OfficerToolsScreen,
  OperatorConsoleScreen,
  OperatorPinScreen,
} from './screens-on-demand';
import type { StaffModeState } from './use-staff-mode';

/**
 * The staff screens' switch: officer sign-in and tools, the operator's PIN pad and console. They
 * replace the citizen flow and are only reachable between citizen sessions. Returns null in
 * citizen mode (and for officer tools with nobody signed in).
 */
export function StaffScreens({
  tr,
  runtime,
  staff,
}: {
  tr: Translator;
  /** Undefined while the runtime is starting: every staff screen needs it, so they wait. */
  runtime: KioskRuntime | undefined;
  staff: StaffModeState;
}): ReactElement | null {
  const { mode, setMode, officer } = staff;
  if (mode.name === 'citizen') return null;
  if (!runtime) return <ScreenLoading />;
  const back = (): void => setMode({ name: 'citizen' });
  switch (mode.name) {
    case 'officer-sign-in':
      return (
        <OfficerSignInScreen
          key={mode.card ?? 'typed'}
          tr={tr}
          officers={runtime.officers}
          card={mode.card}
          onSignedIn={() => setMode({ name: 'officer-tools' })}
          onCancel={back}
        />
      );
    case 'officer-tools':
      return officer ? (
        <OfficerToolsScreen
          tr={tr}
          runtime={runtime}
          officer={officer}
          onServe={back}
          onSignOut={staff.signOut}
        />
      ) : null;
    case 'operator-pin':
      return (
        <OperatorPinScreen
          tr={tr}
          runtime={runtime}
          onOpen={() => setMode({ name: 'operator' })}
          onCancel={back}
        />
      );
    case 'operator':
      return <OperatorConsoleScreen tr={tr} runtime={runtime} onClose={back} />;
  }
}
