import type { Translator } from '../i18n/translator';
import { AlertDialog } from './AlertDialog';

/** The idle warning: a modal dialog with a live countdown and a big way to continue. */
export function IdleWarning({
  tr,
  secondsLeft,
  onContinue,
  onEnd,
}: {
  tr: Translator;
  secondsLeft: number;
  onContinue: () => void;
  onEnd: () => void;
}) {
  return (
    <AlertDialog
      name="idle-warning"
      title={tr.t('idle.title')}
      body={tr.t('idle.body', { seconds: secondsLeft })}
      live
      secondary={{ label: tr.t('idle.end'), onClick: onEnd }}
      primary={{ label: tr.t('idle.continue'), onClick: onContinue }}
    />
  );
}
