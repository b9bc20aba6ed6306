import type { LanguageCode } from '../../kiosk-config/schema';

/** Where the citizen is in the flow. Answers live only here, in memory, until submit. */
export type Screen =
  | { name: 'attract' }
  | { name: 'language' }
  | { name: 'services' }
  | { name: 'form'; serviceId: string; index: number }
  | { name: 'review'; serviceId: string }
  | { name: 'receipt'; serviceId: string; txId: string; ref: string };

export interface Session {
  screen: Screen;
  language: LanguageCode;
  answers: Record<string, string>;
}

export type SessionAction =
  | { type: 'start' }
  | { type: 'choose-language'; language: LanguageCode }
  | { type: 'switch-language'; language: LanguageCode }
  | { type: 'choose-service'; serviceId: string }
  | { type: 'answer'; fieldId: string; value: string }
  | { type: 'go'; screen: Screen }
  | { type: 'submitted'; txId: string; ref: string }
  | { type: 'end' };

export function initialSession(language: LanguageCode): Session {
  return { screen: { name: 'attract' }, language, answers: {} };
}

export function sessionReducer(defaultLanguage: LanguageCode) {
  return (session: Session, action: SessionAction): Session => {
    switch (action.type) {
      case 'start':
        return { ...session, screen: { name: 'language' } };
      case 'choose-language':
        return { ...session, language: action.language, screen: { name: 'services' } };
      case 'switch-language':
        return { ...session, language: action.language };
      case 'choose-service':
        return {
          ...session,
          answers: {},
          screen: { name: 'form', serviceId: action.serviceId, index: 0 },
        };
      case 'answer':
        return { ...session, answers: { ...session.answers, [action.fieldId]: action.value } };
      case 'go':
        return { ...session, screen: action.screen };
      case 'submitted': {
        if (session.screen.name !== 'review') return session;
        // The answers are on disk now (encrypted where personal); drop the in-memory copy.
        return {
          ...session,
          answers: {},
          screen: {
            name: 'receipt',
            serviceId: session.screen.serviceId,
            txId: action.txId,
            ref: action.ref,
          },
        };
      }
      case 'end':
        return initialSession(defaultLanguage);
    }
  };
}
