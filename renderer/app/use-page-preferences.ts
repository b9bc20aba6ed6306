import { useEffect } from 'react';
import type { LanguageCode } from '../../kiosk-config/schema';
import type { AccessPreferences } from './session';

/**
 * The session's display choices and language on the root element, so rem-based sizes grow and
 * the whole page changes colour, and assistive technology reads the right language.
 */
export function usePagePreferences(access: AccessPreferences, language: LanguageCode): void {
  const { highContrast, largeText } = access;
  useEffect(() => {
    const root = document.documentElement;
    root.classList.toggle('high-contrast', highContrast);
    root.classList.toggle('large-text', largeText);
    root.lang = language;
  }, [highContrast, largeText, language]);
}
