import { useState } from 'react';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { checkOperatorPin } from '../../app/operator-access';
import type { Translator } from '../../i18n/translator';
import { PinPad } from '../officer/PinPad';

/** The operator console's door: the site's operator PIN (PBKDF2, lock-out after five). */
export function OperatorPinScreen({
  tr,
  runtime,
  onOpen,
  onCancel,
}: {
  tr: Translator;
  runtime: Pick<KioskRuntime, 'store' | 'site' | 'log'>;
  onOpen: () => void;
  onCancel: () => void;
}) {
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<string | undefined>(
    runtime.site.operatorPinHash ? undefined : tr.t('operator.pin.disabled'),
  );
  const [checking, setChecking] = useState(false);
  const submit = async () => {
    if (!/^\d{6,12}$/.test(pin)) {
      setProblem(tr.t('operator.pin.format'));
      return;
    }
    setChecking(true);
    const result = await checkOperatorPin(runtime.store, runtime.site.operatorPinHash, pin).catch(
      () => ({ result: 'wrong-pin' as const, attemptsLeft: 0 }),
    );
    setChecking(false);
    setPin('');
    switch (result.result) {
      case 'ok':
        runtime.log('info', 'operator console opened');
        onOpen();
        return;
      case 'wrong-pin':
        runtime.log('warn', 'operator PIN wrong');
        setProblem(tr.t('operator.pin.wrong', { left: result.attemptsLeft }));
        return;
      case 'locked':
        runtime.log('warn', 'operator console locked');
        setProblem(
          tr.t('officer.signIn.locked', {
            minutes: Math.max(1, Math.ceil(result.retryAfterSeconds / 60)),
          }),
        );
        return;
      case 'disabled':
        setProblem(tr.t('operator.pin.disabled'));
    }
  };
  return (
    <main className="screen operator-pin" data-screen="operator-pin">
      <h1 data-prompt>{tr.t('operator.pin.title')}</h1>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
        noValidate
      >
        <PinPad
          tr={tr}
          id="operator-pin"
          label={tr.t('operator.pin.label')}
          value={pin}
          secret
          maxLength={12}
          error={problem}
          onChange={(value) => {
            setPin(value);
          }}
          onEnter={() => void submit()}
        />
        <div className="actions">
          <button type="button" className="secondary" onClick={onCancel}>
            {tr.t('officer.cancel')}
          </button>
          <button type="submit" className="primary" disabled={checking}>
            {tr.t('operator.pin.open')}
          </button>
        </div>
      </form>
    </main>
  );
}
