import type { Dispatch, ReactElement } from 'react';
import { countries } from '../../kiosk-config/countries';
import { firstProblem } from '../../kiosk-config/field-validation';
import type { FieldCheckContext } from '../../kiosk-config/field-validation';
import { isoDate, wallClock } from '../../kiosk-config/formatting';
import { askedFields, consentFields, submittedAnswers } from '../../kiosk-config/service-steps';
import type { Translator } from '../i18n/translator';
import { AttractScreen } from '../screens/AttractScreen';
import type { KioskRuntime } from './kiosk-runtime';
import {
  ConsentScreen,
  FormScreen,
  ReceiptScreen,
  ReviewScreen,
  ServicesScreen,
  StatusScreen,
} from './service-screens-on-demand';
import type { Session, SessionAction } from './session';
import type { CardReadRouting } from './use-card-read-routing';
import type { useSubmission } from './use-submission';

/**
 * The citizen flow after the language screen (CitizenScreens.tsx has the first two): services
 * → form steps → review → consent → receipt, or the status check, and where each screen's
 * buttons lead. Every answer is checked again before consent and before the commit. A chunk of
 * its own (with the service steps, the answer checks and the payment step's words in every
 * language), loaded on demand like the screens it switches between.
 */
export function ServiceScreens({
  tr,
  runtime,
  session,
  dispatch,
  end,
  scanned,
  submission,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  session: Session;
  dispatch: Dispatch<SessionAction>;
  end(): void;
  scanned: CardReadRouting['scanned'];
  submission: ReturnType<typeof useSubmission>;
}): ReactElement {
  const { site, catalogue } = runtime;
  const { screen, answers } = session;
  const service =
    'serviceId' in screen ? catalogue.services.find((s) => s.id === screen.serviceId) : undefined;
  const fields = service ? askedFields(service, answers) : [];
  // Date limits ("not after today") are read on the site's wall clock, in its country's zone.
  const checkContext: FieldCheckContext = {
    today: isoDate(wallClock(new Date(), countries[site.country].timeZone)),
  };

  switch (screen.name) {
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
  // The remaining screens belong to one service of the catalogue (the first two are not here).
  if (!service || screen.name === 'attract' || screen.name === 'language') {
    return <AttractScreen tr={tr} languages={site.languages} onStart={end} />;
  }
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
          checkContext={checkContext}
          siteLanguages={site.languages}
          onAnswer={(fieldId, value) => dispatch({ type: 'answer', fieldId, value })}
          onBack={() =>
            dispatch({
              type: 'go',
              // Back from a Change returns to the review it came from.
              screen:
                screen.returnTo === 'review'
                  ? { name: 'review', serviceId: service.id }
                  : screen.index === 0
                    ? { name: 'services', category: service.category }
                    : { name: 'form', serviceId: service.id, index: screen.index - 1 },
            })
          }
          onNext={() =>
            // The reducer reads the answers as they are after this one (the closure's are older).
            dispatch({
              type: 'next',
              fieldsFor: (latest) => askedFields(service, latest),
              context: checkContext,
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
            dispatch({
              type: 'go',
              screen: { name: 'form', serviceId: service.id, index, returnTo: 'review' },
            })
          }
          onBackToQuestions={() =>
            dispatch({
              type: 'go',
              screen: { name: 'form', serviceId: service.id, index: fields.length - 1 },
            })
          }
          onContinue={() => {
            // Check every answer again: nothing invalid reaches the consent step.
            const bad = firstProblem(fields, answers, checkContext);
            dispatch({
              type: 'go',
              screen:
                bad >= 0
                  ? { name: 'form', serviceId: service.id, index: bad, returnTo: 'review' }
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
            const bad = firstProblem(fields, answers, checkContext);
            if (bad >= 0) {
              dispatch({
                type: 'go',
                screen: { name: 'form', serviceId: service.id, index: bad, returnTo: 'review' },
              });
              return;
            }
            await submission.submit(service, submittedAnswers(service, answers), session.language);
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
          fee={screen.fee}
          officer={submission.receiptOfficer}
          onFinish={end}
        />
      );
  }
}
