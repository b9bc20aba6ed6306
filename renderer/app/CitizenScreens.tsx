import type { Dispatch, ReactElement } from 'react';
import { firstProblem } from '../../kiosk-config/field-validation';
import { askedFields, consentFields } from '../../kiosk-config/service-steps';
import type { Translator } from '../i18n/translator';
import { AttractScreen } from '../screens/AttractScreen';
import { LanguageScreen } from '../screens/LanguageScreen';
import type { KioskRuntime } from './kiosk-runtime';
import {
  ConsentScreen,
  FormScreen,
  ReceiptScreen,
  ReviewScreen,
  ServicesScreen,
  StatusScreen,
} from './screens-on-demand';
import type { Session, SessionAction } from './session';
import type { CardReadRouting } from './use-card-read-routing';
import type { StaffModeState } from './use-staff-mode';
import type { useSubmission } from './use-submission';

/**
 * The citizen flow's screen switch: which screen the session is on, and where each screen's
 * buttons lead (start → language → services → form steps → review → consent → receipt; or the
 * status check). Every answer is checked again before consent and before the commit.
 */
export function CitizenScreens({
  tr,
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
  runtime: KioskRuntime;
  session: Session;
  dispatch: Dispatch<SessionAction>;
  staff: StaffModeState;
  start(): void;
  storageLow: boolean;
  end(): void;
  scanned: CardReadRouting['scanned'];
  submission: ReturnType<typeof useSubmission>;
}): ReactElement {
  const { site, catalogue } = runtime;
  const { screen, answers } = session;
  const service =
    'serviceId' in screen ? catalogue.services.find((s) => s.id === screen.serviceId) : undefined;
  const fields = service ? askedFields(service, answers) : [];

  switch (screen.name) {
    case 'attract':
      return (
        <AttractScreen
          tr={tr}
          configRefused={runtime.configRefused}
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
    case 'services':
      return (
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
  }
  // The remaining screens belong to one service of the catalogue.
  if (!service) return <AttractScreen tr={tr} onStart={end} />;
  switch (screen.name) {
    case 'form':
      return (
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
    case 'review':
      return (
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
    case 'consent':
      return (
        <ConsentScreen
          tr={tr}
          fields={consentFields(service, answers)}
          answers={answers}
          onAnswer={(fieldId, value) => dispatch({ type: 'answer', fieldId, value })}
          onBack={() => dispatch({ type: 'go', screen: { name: 'review', serviceId: service.id } })}
          onSubmit={async () => {
            const bad = firstProblem(fields, answers);
            if (bad >= 0) {
              dispatch({ type: 'go', screen: { name: 'form', serviceId: service.id, index: bad } });
              return;
            }
            await submission.submit(service, answers, session.language);
          }}
        />
      );
    case 'status':
      return (
        <StatusScreen
          tr={tr}
          runtime={runtime}
          service={service}
          scanned={scanned}
          onBack={() => dispatch({ type: 'go', screen: { name: 'services' } })}
        />
      );
    case 'receipt':
      return (
        <ReceiptScreen
          tr={tr}
          runtime={runtime}
          service={service}
          txId={screen.txId}
          reference={screen.ref}
          payment={session.payment}
          officer={submission.receiptOfficer}
          onFinish={end}
        />
      );
  }
}
