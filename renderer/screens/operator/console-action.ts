import type { Notice } from '../../components/NoticeLine';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import type { Translator } from '../../i18n/translator';

/**
 * Runs one console action: its result (or its error's message) becomes the notice of the panel
 * it was started from, and the console's figures are read again afterwards.
 */
export type ConsoleAction = (work: () => Promise<string>) => Promise<void>;

/** A console action's result (the staff screens' one notice shape). */
export type ConsoleNotice = Notice;

/** What every operator console panel is given: the words, the kiosk, and the way to act. */
export interface ConsolePanelProps {
  tr: Translator;
  runtime: KioskRuntime;
  act: ConsoleAction;
  /** The result of this panel's last action (none before one, or after another panel's). */
  notice?: ConsoleNotice;
}
