import { useEffect, useReducer } from 'react';
import type { LanguageCode } from '../../kiosk-config/schema';
import type { Speaker } from '../app/speech';
import { languageNames } from '../i18n/translator';
import type { Translator } from '../i18n/translator';

/**
 * Tells the citizen, in their language, when Read aloud is on but this kiosk has no voice for
 * that language (no browser voice, no offline engine), so silence is never a mystery.
 */
export function SpeechNotice({
  tr,
  speaker,
  enabled,
  language,
}: {
  tr: Translator;
  speaker: Speaker;
  enabled: boolean;
  language: LanguageCode;
}) {
  const [, refresh] = useReducer((n: number) => n + 1, 0);
  useEffect(() => speaker.subscribe(refresh), [speaker]);
  if (!enabled || speaker.route(language).kind !== 'none') return null;
  return (
    <p className="speech-notice" role="status" data-speech-unavailable={language}>
      {tr.t('speech.unavailable', { language: languageNames[language] })}
    </p>
  );
}
