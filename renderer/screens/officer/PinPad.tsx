import { OnScreenKeyboard } from '../../components/OnScreenKeyboard';
import type { Translator } from '../../i18n/translator';

/**
 * A labelled digits-only field with the on-screen numeric keypad: officer numbers and PINs.
 * A PIN is masked; nothing typed is kept once the screen closes.
 */
export function PinPad({
  tr,
  id,
  label,
  value,
  secret,
  maxLength,
  error,
  onChange,
  onEnter,
}: {
  tr: Translator;
  id: string;
  label: string;
  value: string;
  secret?: boolean;
  maxLength: number;
  error?: string;
  onChange: (value: string) => void;
  onEnter: () => void;
}) {
  const digits = (text: string): string => text.replace(/\D/g, '').slice(0, maxLength);
  return (
    <div className="pin-pad">
      <label htmlFor={id} className="question">
        {label}
      </label>
      <input
        id={id}
        // A PIN is masked by CSS, not type=password: the browser then never sees a password
        // field, so it never offers to save the PIN or to show it (the "Save password?" bubble
        // and its eye icon, which stayed on screen into the next citizen's session).
        className={secret ? 'answer secret-digits' : 'answer'}
        type="text"
        inputMode="numeric"
        autoComplete="off"
        spellCheck={false}
        data-secret={secret ? true : undefined}
        autoFocus
        value={value}
        maxLength={maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(digits(event.target.value))}
        onKeyDown={(event) => {
          if (event.key === 'Enter') onEnter();
        }}
      />
      {error ? (
        <p id={`${id}-error`} className="error" role="alert">
          {error}
        </p>
      ) : null}
      <OnScreenKeyboard
        tr={tr}
        kind="numeric"
        language={tr.language}
        value={value}
        onChange={(next) => onChange(digits(next))}
        onEnter={onEnter}
      />
    </div>
  );
}
