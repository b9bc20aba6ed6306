import { useEffect, useLayoutEffect, useRef } from 'react';
import { languageCodes } from '../../kiosk-config/schema';
import type { LanguageCode } from '../../kiosk-config/schema';
import type { Speaker } from './speech';

/**
 * Audio guidance ("Read aloud"): when on, the kiosk says what the screen shows, in the
 * citizen's language (renderer/app/speech.ts decides how each language is spoken):
 * - each screen's prompt (the element marked `data-prompt`), or an open dialog's words (the
 *   "Are you still there?" warning, with its countdown and its buttons);
 * - everything a screen reader would announce: errors (`role=alert`), status lines
 *   (`role=status`: delivery, printing, scans) and live text (`aria-live`: a date read back);
 * - with a keypad, the name of each control as Tab or the arrow keys reach it.
 * The words are always on screen too; speech never holds anything up.
 */

/** Announcements: what assistive technology announces is spoken too. */
const LIVE_REGION = "[role=alert], [role=status], [aria-live]:not([aria-live='off'])";

const isLanguage = (value: string | null): value is LanguageCode =>
  value !== null && (languageCodes as readonly string[]).includes(value);

/** An element's words, its lines joined as sentences (a pause between a title and its text). */
export function spokenText(element: Element): string {
  const raw =
    element instanceof HTMLElement && typeof element.innerText === 'string'
      ? element.innerText
      : (element.textContent ?? '');
  const lines = raw
    .split(/\n+/)
    .map((line) => line.replace(/\s+/g, ' ').trim())
    .filter(Boolean);
  return lines
    .map((line, index) => (index < lines.length - 1 && !/[.!?…:;]$/.test(line) ? `${line}.` : line))
    .join(' ');
}

export interface PromptPart {
  language: LanguageCode;
  text: string;
}

/**
 * What to say for the screen: an open dialog first, else the `data-prompt` element. Parts
 * written in another language (the language screen asks in all four) are said in that language.
 */
export function currentPrompt(language: LanguageCode, root: ParentNode = document): PromptPart[] {
  const dialog = root.querySelector('[role=alertdialog]');
  const element = dialog ?? root.querySelector('[data-prompt]');
  if (!element) return [];
  const parts = Array.from(element.querySelectorAll('[lang]'))
    .map((part) => ({ lang: part.getAttribute('lang'), text: spokenText(part) }))
    .filter((part) => part.text);
  if (!dialog && parts.length > 1 && parts.every((part) => isLanguage(part.lang))) {
    return parts.map((part) => ({ language: part.lang as LanguageCode, text: part.text }));
  }
  const text = spokenText(element);
  return text ? [{ language, text }] : [];
}

/** The words a control is known by: its aria-label, its label, or its text. */
function controlName(element: Element): string {
  const label = element.getAttribute('aria-label');
  if (label) return label;
  if (element instanceof HTMLInputElement) {
    const own = element.labels?.[0];
    if (own) return spokenText(own);
    const legend = element.closest('fieldset')?.querySelector('legend');
    if (legend) return spokenText(legend);
  }
  return spokenText(element);
}

export function useSpeechGuidance(
  speaker: Speaker,
  enabled: boolean,
  language: LanguageCode,
  stepKey: string,
): void {
  const spoken = useRef('');
  // In a layout effect, before any announcement of the same change (observed just after), so a
  // new screen's prompt comes first and its status lines follow it.
  useLayoutEffect(() => {
    if (!enabled) {
      spoken.current = '';
      speaker.cancel();
      return;
    }
    const parts = currentPrompt(language);
    const key = parts.map((part) => `${part.language}:${part.text}`).join('\n');
    if (!key || key === spoken.current) return;
    spoken.current = key;
    parts.forEach((part, index) =>
      speaker.say(part.language, part.text, index === 0 ? 'interrupt' : 'queue'),
    );
  }, [speaker, enabled, language, stepKey]);

  useEffect(() => {
    if (!enabled || typeof MutationObserver === 'undefined') return undefined;
    const observer = new MutationObserver((records) => {
      const regions = new Set<Element>();
      for (const record of records) {
        const target =
          record.target instanceof Element ? record.target : record.target.parentElement;
        const around = target?.closest(LIVE_REGION);
        if (around) regions.add(around);
        for (const node of Array.from(record.addedNodes)) {
          if (!(node instanceof Element)) continue;
          if (node.matches(LIVE_REGION)) regions.add(node);
          for (const inner of Array.from(node.querySelectorAll(LIVE_REGION))) regions.add(inner);
        }
      }
      for (const region of regions) {
        // A dialog is said whole when it opens (above), not again at each tick of its countdown.
        if (!region.isConnected || region.closest("[role=alertdialog], [aria-hidden='true']")) {
          continue;
        }
        const text = spokenText(region);
        if (!text) continue;
        const urgent =
          region.getAttribute('role') === 'alert' ||
          region.getAttribute('aria-live') === 'assertive';
        speaker.say(language, text, urgent ? 'interrupt' : 'queue');
      }
    });
    observer.observe(document.body, { subtree: true, childList: true, characterData: true });
    return () => observer.disconnect();
  }, [speaker, enabled, language]);

  // With a keypad, each control is named as focus reaches it (a touch says nothing extra).
  useEffect(() => {
    if (!enabled) return undefined;
    let byKeys = false;
    const onKey = (event: KeyboardEvent): void => {
      byKeys = event.key === 'Tab' || event.key.startsWith('Arrow');
    };
    const onPointer = (): void => {
      byKeys = false;
    };
    const onFocus = (event: FocusEvent): void => {
      if (!byKeys || !(event.target instanceof Element)) return;
      const name = controlName(event.target);
      if (name) speaker.say(language, name, 'interrupt');
    };
    window.addEventListener('keydown', onKey, true);
    window.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('focusin', onFocus, true);
    return () => {
      window.removeEventListener('keydown', onKey, true);
      window.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('focusin', onFocus, true);
    };
  }, [speaker, enabled, language]);
}
