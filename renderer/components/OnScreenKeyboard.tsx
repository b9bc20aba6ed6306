import { useEffect, useRef } from 'react';
import Keyboard from 'simple-keyboard';
import 'simple-keyboard/build/css/index.css';
import type { LanguageCode } from '../../kiosk-config/schema';
import type { Translator } from '../i18n/translator';
import { applyKey, keyboardLayout } from './keyboard-layouts';
import type { CodeKeys, KeyboardKind } from './keyboard-layouts';

interface OnScreenKeyboardProps {
  tr: Translator;
  kind: KeyboardKind;
  language: LanguageCode;
  /**
   * The site's languages: a letter keyboard offers their extra letters as well as the screen
   * language's (a name keeps its own letters whatever the screen's language). Default: none.
   */
  siteLanguages?: readonly LanguageCode[];
  /** A code field's extra keys (from its pattern, `codeKeys`). */
  code?: CodeKeys;
  /** Whether a text field's keyboard has a digit row (from its pattern, `textTakesDigits`). */
  digits?: boolean;
  value: string;
  onChange: (value: string) => void;
  onEnter: () => void;
  /** The word on the Enter key: the screen's own action ("Check"); default "Next". */
  enterLabel?: string;
}

/**
 * A touch keyboard (simple-keyboard) that edits the answer through the same handler as a
 * physical keyboard. It keeps no text of its own: each press is applied to the current answer,
 * so nothing typed outlives the question. It is hidden from assistive technology because the
 * input it duplicates is fully usable with a keypad.
 */
export function OnScreenKeyboard({
  tr,
  kind,
  language,
  siteLanguages = [],
  code,
  digits = true,
  value,
  onChange,
  onEnter,
  enterLabel,
}: OnScreenKeyboardProps) {
  const dash = code?.dash ?? true;
  // A stable key for the effect: the letters, not the array's identity.
  const languages = [language, ...siteLanguages].join(' ');
  const space = code?.space ?? false;
  const host = useRef<HTMLDivElement>(null);
  const keyboard = useRef<Keyboard | null>(null);
  // The keyboard's handler is created once; it reads the latest props through this ref.
  const latest = useRef({ value, onChange, onEnter, kind });
  useEffect(() => {
    latest.current = { value, onChange, onEnter, kind };
  });

  useEffect(() => {
    if (!host.current) return undefined;
    const instance = new Keyboard(host.current, {
      layout: keyboardLayout(
        kind,
        languages.split(' ') as LanguageCode[],
        { dash, space, capitalsOnly: true },
        { digits },
      ),
      layoutName: 'default',
      theme: `hg-theme-default kiosk-keyboard kiosk-keyboard-${kind}`,
      preventMouseDownDefault: true,
      disableButtonHold: true,
      display: {
        '{bksp}': `⌫ ${tr.t('keyboard.backspace')}`,
        '{space}': tr.t('keyboard.space'),
        '{shift}': `⇧ ${tr.t('keyboard.shift')}`,
        '{enter}': `${enterLabel ?? tr.t('keyboard.enter')} →`,
      },
      onKeyPress: (button: string) => {
        const current = latest.current;
        if (button === '{shift}') {
          const name = instance.options.layoutName === 'shift' ? 'default' : 'shift';
          instance.setOptions({ layoutName: name });
          return;
        }
        if (button === '{enter}') {
          current.onEnter();
          return;
        }
        current.onChange(applyKey(current.kind, current.value, button));
        // One capital, then back to small letters, as on a phone.
        if (instance.options.layoutName === 'shift') instance.setOptions({ layoutName: 'default' });
      },
    });
    keyboard.current = instance;
    return () => {
      instance.destroy();
      keyboard.current = null;
    };
  }, [kind, languages, tr, dash, space, digits, enterLabel]);

  return (
    <div className="keyboard-host" aria-hidden="true" data-keyboard={kind}>
      <div ref={host} className="simple-keyboard" />
    </div>
  );
}
