import { checkField } from '../../kiosk-config/field-validation';
import type { FieldCheckContext } from '../../kiosk-config/field-validation';
import type { FieldDefinition, LanguageCode, Money } from '../../kiosk-config/schema';

/** Where the citizen is in the flow. Answers live only here, in memory, until submit. */
export type Screen =
  | { name: 'attract' }
  | { name: 'language' }
  | { name: 'services'; category?: string }
  /**
   * One question. `returnTo: 'review'` when the citizen came from the review's Change: once
   * answered, the flow goes back to the review, not through every later question.
   */
  | { name: 'form'; serviceId: string; index: number; returnTo?: 'review' }
  | { name: 'review'; serviceId: string }
  | { name: 'consent'; serviceId: string }
  | { name: 'status'; serviceId: string }
  /** `fee`: what the transaction recorded as charged (a bill's amount, or the fixed fee). */
  | { name: 'receipt'; serviceId: string; txId: string; ref: string; fee: Money };

/** Display and sound choices; they belong to one citizen, so a session end resets them. */
export interface AccessPreferences {
  highContrast: boolean;
  largeText: boolean;
  audio: boolean;
}

export interface Session {
  screen: Screen;
  language: LanguageCode;
  /**
   * The citizen picked this language (a language button in the header, or the language screen):
   * Start then goes straight to the services instead of asking again. A session end clears it.
   */
  languageChosen: boolean;
  answers: Record<string, string>;
  access: AccessPreferences;
  /** Payment method and reference, kept for the receipt after the answers are dropped. */
  payment?: { method: string; reference?: string };
}

export type SessionAction =
  | { type: 'start' }
  | { type: 'choose-language'; language: LanguageCode }
  /**
   * A language button of the top bar. `byStaff` when an officer's or operator's screen is open:
   * their language is not the citizen's choice, so the next Start asks (even when a citizen had
   * chosen one on the start screen before the staff screen opened).
   */
  | { type: 'switch-language'; language: LanguageCode; byStaff?: boolean }
  | { type: 'choose-category'; category: string | undefined }
  | { type: 'choose-service'; serviceId: string; kind?: 'application' | 'status-check' }
  | { type: 'answer'; fieldId: string; value: string }
  | { type: 'go'; screen: Screen }
  /**
   * The question on screen is answered: on to the next one, or to the review. `fieldsFor` gives
   * the questions asked for a set of answers (a changed answer can show or hide later ones).
   */
  | {
      type: 'next';
      fieldsFor: (answers: Record<string, string>) => FieldDefinition[];
      context: FieldCheckContext;
    }
  | { type: 'toggle-access'; preference: keyof AccessPreferences }
  | { type: 'submitted'; txId: string; ref: string; fee: Money }
  /** A receipt a crash left open, found once the store is open: it comes before anything else. */
  | { type: 'resume-receipt'; receipt: ResumedReceipt }
  | { type: 'end' };

/** A receipt a crash left open (sync/client/open-receipt.ts): the session it belongs to. */
export interface ResumedReceipt {
  txId: string;
  ref: string;
  serviceId: string;
  language: LanguageCode;
  payment?: { method: string; reference?: string };
  /** The fee its transaction recorded. */
  fee: Money;
}

/** The session that shows a resumed receipt, before anything else, with no answers in memory. */
export function resumedReceiptSession(defaults: SessionDefaults, open: ResumedReceipt): Session {
  return {
    ...initialSession(defaults),
    language: open.language,
    ...(open.payment ? { payment: open.payment } : {}),
    screen: {
      name: 'receipt',
      serviceId: open.serviceId,
      txId: open.txId,
      ref: open.ref,
      fee: open.fee,
    },
  };
}

export interface SessionDefaults {
  language: LanguageCode;
  audio: boolean;
}

export function initialSession(defaults: SessionDefaults): Session {
  return {
    screen: { name: 'attract' },
    language: defaults.language,
    languageChosen: false,
    answers: {},
    access: { highContrast: false, largeText: false, audio: defaults.audio },
  };
}

export function sessionReducer(defaults: SessionDefaults) {
  return (session: Session, action: SessionAction): Session => {
    switch (action.type) {
      case 'start':
        return { ...session, screen: { name: session.languageChosen ? 'services' : 'language' } };
      case 'choose-language':
        return {
          ...session,
          language: action.language,
          languageChosen: true,
          screen: { name: 'services' },
        };
      case 'switch-language':
        return {
          ...session,
          language: action.language,
          // Staff who change it take the citizen's choice with it: the next Start asks again.
          languageChosen: !action.byStaff,
        };
      case 'choose-category':
        return { ...session, screen: { name: 'services', category: action.category } };
      case 'choose-service':
        return {
          ...session,
          answers: {},
          payment: undefined,
          screen:
            action.kind === 'status-check'
              ? { name: 'status', serviceId: action.serviceId }
              : { name: 'form', serviceId: action.serviceId, index: 0 },
        };
      case 'answer':
        return { ...session, answers: { ...session.answers, [action.fieldId]: action.value } };
      case 'go':
        return { ...session, screen: action.screen };
      case 'next':
        return session.screen.name === 'form'
          ? { ...session, screen: nextScreen(session.screen, action, session.answers) }
          : session;
      case 'toggle-access':
        return {
          ...session,
          access: { ...session.access, [action.preference]: !session.access[action.preference] },
        };
      case 'submitted': {
        if (session.screen.name !== 'consent') return session;
        const method = session.answers.paymentMethod;
        // The answers are on disk now (encrypted where personal); drop the in-memory copy.
        return {
          ...session,
          answers: {},
          payment: method ? { method, reference: session.answers.paymentReference } : undefined,
          screen: {
            name: 'receipt',
            serviceId: session.screen.serviceId,
            txId: action.txId,
            ref: action.ref,
            fee: action.fee,
          },
        };
      }
      case 'resume-receipt':
        return resumedReceiptSession(defaults, action.receipt);
      case 'end':
        return initialSession(defaults);
    }
  };
}

/**
 * Where Next leads from a question. In order, the next question, then the review. After a Change
 * from the review, straight back to it, unless the change left a later question unanswered or no
 * longer valid (a choice that shows a new question): then that question, still on the way back.
 */
export function nextScreen(
  screen: Extract<Screen, { name: 'form' }>,
  action: Extract<SessionAction, { type: 'next' }>,
  answers: Record<string, string>,
): Screen {
  const fields = action.fieldsFor(answers);
  const review: Screen = { name: 'review', serviceId: screen.serviceId };
  if (screen.returnTo === 'review') {
    const later = fields.findIndex(
      (field, index) =>
        index > screen.index && checkField(field, answers[field.id], action.context) !== undefined,
    );
    return later >= 0 ? { ...screen, index: later } : review;
  }
  return screen.index + 1 < fields.length
    ? { name: 'form', serviceId: screen.serviceId, index: screen.index + 1 }
    : review;
}
