import { useState } from 'react';
import type { OfficerSession, SignInResult } from '../../../sync/client/officer-session';
import type { Translator } from '../../i18n/translator';
import { PinPad } from './PinPad';
import { SteadyLabel } from '../../components/SteadyLabel';

/**
 * Officer sign-in: officer card (the number comes from the card) or officer number typed on the
 * keypad, then the PIN. The PIN is checked in the page against the cached roster (works with
 * the link down); five wrong PINs lock the officer number.
 */
export function OfficerSignInScreen({
  tr,
  officers,
  card,
  onSignedIn,
  onCancel,
}: {
  tr: Translator;
  officers: Pick<OfficerSession, 'signIn'>;
  /** The officer number read from a swiped card, when sign-in started with a swipe. */
  card?: string;
  onSignedIn: () => void;
  onCancel: () => void;
}) {
  const [officerId, setOfficerId] = useState(card ?? '');
  const [step, setStep] = useState<'id' | 'pin'>(card ? 'pin' : 'id');
  const [pin, setPin] = useState('');
  const [checking, setChecking] = useState(false);
  const [problem, setProblem] = useState<string | undefined>();

  const explain = (result: Exclude<SignInResult, { result: 'signed-in' }>): string => {
    switch (result.result) {
      case 'wrong-pin':
      case 'unknown-officer':
        // The same words for both, so the screen does not tell which officer numbers exist.
        return tr.t('officer.signIn.wrong', {
          left: result.result === 'wrong-pin' ? result.attemptsLeft : 0,
          known: result.result === 'wrong-pin' ? 'yes' : 'no',
        });
      case 'locked':
        return tr.t('officer.signIn.locked', {
          minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)),
        });
      case 'no-roster':
        return tr.t('officer.signIn.noRoster');
      case 'empty-roster':
        return tr.t('officer.signIn.emptyRoster');
    }
  };

  const submit = async () => {
    if (step === 'id') {
      if (!/^\d{8}$/.test(officerId)) {
        setProblem(tr.t('officer.signIn.idFormat'));
        return;
      }
      setProblem(undefined);
      setStep('pin');
      return;
    }
    if (!/^\d{4,12}$/.test(pin)) {
      setProblem(tr.t('officer.signIn.pinFormat'));
      return;
    }
    setChecking(true);
    try {
      const result = await officers.signIn({ officerId, pin, method: card ? 'card' : 'pin' });
      if (result.result === 'signed-in') {
        onSignedIn();
        return;
      }
      setProblem(explain(result));
      setPin('');
    } catch {
      setProblem(tr.t('officer.signIn.failed'));
    } finally {
      setChecking(false);
    }
  };

  const idle = step === 'id' ? tr.t('officer.signIn.next') : tr.t('officer.signIn.submit');
  return (
    <main className="screen officer-sign-in" data-screen="officer-sign-in">
      <h1 data-prompt>{tr.t('officer.signIn.title')}</h1>
      {card ? (
        <p className="lead" data-card-officer={card}>
          {tr.t('officer.signIn.cardRead', { id: card })}
        </p>
      ) : (
        <p className="lead">{tr.t('officer.signIn.lead')}</p>
      )}
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
        noValidate
      >
        {step === 'id' ? (
          <PinPad
            key="id"
            tr={tr}
            id="officer-id"
            label={tr.t('officer.signIn.id')}
            value={officerId}
            maxLength={8}
            error={problem}
            onChange={(value) => {
              setOfficerId(value);
              setProblem(undefined);
            }}
            onEnter={() => void submit()}
          />
        ) : (
          <PinPad
            key="pin"
            tr={tr}
            id="officer-pin"
            label={tr.t('officer.signIn.pin')}
            value={pin}
            secret
            maxLength={12}
            error={problem}
            onChange={setPin}
            onEnter={() => void submit()}
          />
        )}
        <div className="actions">
          <button type="button" className="secondary" onClick={onCancel}>
            {tr.t('officer.cancel')}
          </button>
          <button type="submit" className="primary" disabled={checking}>
            <SteadyLabel
              text={checking ? tr.t('officer.signIn.checking') : idle}
              reserve={checking ? idle : tr.t('officer.signIn.checking')}
            />
          </button>
        </div>
      </form>
    </main>
  );
}
