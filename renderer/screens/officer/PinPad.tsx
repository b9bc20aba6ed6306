import { useLayoutEffect, useRef } from 'react';
import { MessageSlot } from '../../components/MessageSlot';
import { OnScreenKeyboard } from '../../components/OnScreenKeyboard';
import { revealIfHidden } from '../../components/reveal';
import type { Translator } from '../../i18n/translator';

/**
 * A labelled digits-only field with the on-screen numeric keypad: officer numbers and PINs.
 * A PIN is masked; nothing typed is kept once the screen closes.
 *
 * The field is focused as it opens without the browser's own scroll (which centres a field
 * below the fold: with Large text in Setswana on a 1280 x 800 screen it put the title 174 px
 * above the screen and the keypad's top rows with it); the page then scrolls the least that
 * shows the screen's title (`[data-prompt]`) down to the field, or the field alone when they do
 * not fit together.
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
  const field = useRef<HTMLInputElement>(null);
  useLayoutEffect(() => {
    const input = field.current;
    if (!input) return;
    input.focus({ preventScroll: true });
    revealIfHidden([input.closest('main')?.querySelector('[data-prompt]'), input]);
    revealIfHidden([input]);
  }, []);
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
        ref={field}
        value={value}
        maxLength={maxLength}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        onChange={(event) => onChange(digits(event.target.value))}
        onKeyDown={(event) => {
          // Enter submits once. Real key events showed two sign-ins (the first signed out by the
          // second): the form's own Enter submission came on top of this handler, and the card
          // reader listener (wedge-listener.ts), which holds typed keys for a moment, submits the
          // form itself when it releases an Enter it held (it then marks the event handled).
          if (event.key !== 'Enter' || event.nativeEvent.defaultPrevented) return;
          event.preventDefault();
          onEnter();
        }}
      />
      <MessageSlot lines={2}>
        {error ? (
          <p id={`${id}-error`} className="error" role="alert">
            {error}
          </p>
        ) : null}
      </MessageSlot>
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
