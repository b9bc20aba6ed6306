import { useState } from 'react';
import type { ConsolePanelProps } from './console-action';
import { ConsoleNoticeLine } from './ConsoleNoticeLine';

/**
 * Leaving kiosk mode: in Electron, with the operator exit PIN (wrong PIN, lock-out and a
 * disabled exit each say so); the browser shell has no exit from the page and says how instead.
 */
export function OperatorExitPanel({ tr, runtime, act, notice }: ConsolePanelProps) {
  const [exitPin, setExitPin] = useState('');
  return (
    <section aria-labelledby="exit-title">
      <h2 id="exit-title">{tr.t('operator.exit.title')}</h2>
      {runtime.info.shell === 'electron' ? (
        <form
          onSubmit={(event) => {
            event.preventDefault();
            void act(async () => {
              const result = await runtime.bridge.invoke('operator:exit', { pin: exitPin });
              setExitPin('');
              switch (result.result) {
                case 'exiting':
                  return tr.t('operator.exit.exiting');
                case 'wrong-pin':
                  throw new Error(tr.t('operator.pin.wrong', { left: result.attemptsLeft }));
                case 'locked':
                  throw new Error(
                    tr.t('officer.signIn.locked', {
                      minutes: Math.ceil(result.retryAfterSeconds / 60),
                    }),
                  );
                case 'disabled':
                  throw new Error(tr.t('operator.exit.disabled'));
              }
            });
          }}
        >
          <label htmlFor="exit-pin">{tr.t('operator.exit.pin')}</label>
          <input
            id="exit-pin"
            className="answer secret-digits"
            type="text"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            data-secret
            value={exitPin}
            onChange={(event) => setExitPin(event.target.value.replace(/\D/g, '').slice(0, 12))}
          />
          <button type="submit" className="secondary">
            {tr.t('operator.exit.button')}
          </button>
          <ConsoleNoticeLine notice={notice} />
        </form>
      ) : (
        <p data-exit-disabled>{tr.t('operator.exit.browserShell')}</p>
      )}
    </section>
  );
}
