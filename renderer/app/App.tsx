import { useMemo, useReducer } from 'react';
import { checkField } from '../../kiosk-config/field-validation';
import { Header } from '../components/Header';
import { createTranslator } from '../i18n/translator';
import { AttractScreen } from '../screens/AttractScreen';
import { FormScreen } from '../screens/FormScreen';
import { LanguageScreen } from '../screens/LanguageScreen';
import { ReceiptScreen } from '../screens/ReceiptScreen';
import { ReviewScreen } from '../screens/ReviewScreen';
import { ServicesScreen } from '../screens/ServicesScreen';
import type { KioskRuntime } from './kiosk-runtime';
import { initialSession, sessionReducer } from './session';

export function App({ runtime }: { runtime: KioskRuntime }) {
  const { site, catalogue } = runtime;
  const reducer = useMemo(() => sessionReducer(site.defaultLanguage), [site.defaultLanguage]);
  const [session, dispatch] = useReducer(reducer, site.defaultLanguage, initialSession);
  const tr = useMemo(() => createTranslator(session.language), [session.language]);
  const { screen } = session;
  const service =
    'serviceId' in screen ? catalogue.services.find((s) => s.id === screen.serviceId) : undefined;

  const header =
    screen.name === 'language' ? null : (
      <Header
        tr={tr}
        languages={site.languages}
        onLanguage={(language) => dispatch({ type: 'switch-language', language })}
        onStartOver={screen.name === 'attract' ? undefined : () => dispatch({ type: 'end' })}
      />
    );

  let body;
  switch (screen.name) {
    case 'attract':
      body = <AttractScreen tr={tr} onStart={() => dispatch({ type: 'start' })} />;
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
          onChoose={(serviceId) => dispatch({ type: 'choose-service', serviceId })}
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
          index={screen.index}
          answers={session.answers}
          onAnswer={(fieldId, value) => dispatch({ type: 'answer', fieldId, value })}
          onBack={() =>
            dispatch({
              type: 'go',
              screen:
                screen.index === 0
                  ? { name: 'services' }
                  : { name: 'form', serviceId: service.id, index: screen.index - 1 },
            })
          }
          onNext={() =>
            dispatch({
              type: 'go',
              screen:
                screen.index + 1 < service.fields.length
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
          answers={session.answers}
          onChange={(index) =>
            dispatch({ type: 'go', screen: { name: 'form', serviceId: service.id, index } })
          }
          onSubmit={async () => {
            // Check every answer again: nothing invalid is ever committed.
            const bad = service.fields.findIndex((field) =>
              checkField(field, session.answers[field.id]),
            );
            if (bad >= 0) {
              dispatch({ type: 'go', screen: { name: 'form', serviceId: service.id, index: bad } });
              return;
            }
            const fields: Record<string, string> = {};
            for (const field of service.fields) {
              const value = session.answers[field.id]?.trim();
              if (value) fields[field.id] = value;
            }
            const committed = await runtime.submit({
              serviceId: service.id,
              catalogueVersion: catalogue.version,
              channel: 'self-service',
              language: session.language,
              fee: service.fee,
              fields,
            });
            dispatch({ type: 'submitted', txId: committed.txId, ref: committed.ref });
          }}
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
          onFinish={() => dispatch({ type: 'end' })}
        />
      );
      break;
  }

  return (
    <div className="kiosk" lang={session.language}>
      {header}
      {body ?? <AttractScreen tr={tr} onStart={() => dispatch({ type: 'end' })} />}
    </div>
  );
}
