import { useEffect, useRef } from 'react';
import type { LanguageCode } from '../../kiosk-config/schema';

/** Voices are looked up by these tags; Kriol falls back to an English voice, which reads it well. */
const speechLanguages: Record<LanguageCode, string> = {
  en: 'en',
  es: 'es',
  bzj: 'en',
  tn: 'tn',
};

/** The prompt the screen shows: the element marked `data-prompt`, exactly as rendered. */
export function currentPrompt(root: ParentNode = document): string {
  const element = root.querySelector('[data-prompt]');
  return (element?.textContent ?? '').replace(/\s+/g, ' ').trim();
}

/**
 * Audio guidance: when on, reads each new on-screen prompt aloud with speechSynthesis. The text
 * is always on screen too; speech is an addition, and it stops when the session ends.
 */
export function useSpeechGuidance(enabled: boolean, language: LanguageCode, stepKey: string): void {
  const spoken = useRef('');
  useEffect(() => {
    if (typeof speechSynthesis === 'undefined') return;
    if (!enabled) {
      spoken.current = '';
      speechSynthesis.cancel();
      return;
    }
    const text = currentPrompt();
    if (!text || text === spoken.current) return;
    spoken.current = text;
    speechSynthesis.cancel();
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = speechLanguages[language];
    const voice = speechSynthesis
      .getVoices()
      .find((candidate) => candidate.lang.toLowerCase().startsWith(utterance.lang));
    if (voice) utterance.voice = voice;
    utterance.rate = 0.9;
    speechSynthesis.speak(utterance);
  }, [enabled, language, stepKey]);
}

/** Stops anything being read, so a session's words do not outlive it. */
export function silenceGuidance(): void {
  if (typeof speechSynthesis !== 'undefined') speechSynthesis.cancel();
}
