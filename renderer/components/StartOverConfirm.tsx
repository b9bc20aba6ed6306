import type { Translator } from '../i18n/translator';
import { AlertDialog } from './AlertDialog';

/**
 * "Start over?" asked before a session with answers is cleared: one touch on the top bar's Start
 * over (easy to hit by mistake: after a language switch it can stand where another language's
 * button was) would otherwise wipe every answer. Keeping the answers is the focused, primary
 * choice; a session without answers starts over at once (App.tsx).
 */
export function StartOverConfirm({
  tr,
  onKeep,
  onStartOver,
}: {
  tr: Translator;
  onKeep: () => void;
  onStartOver: () => void;
}) {
  return (
    <AlertDialog
      name="start-over-confirm"
      title={tr.t('startOver.title')}
      body={tr.t('startOver.body')}
      secondary={{
        label: tr.t('startOver.confirm'),
        onClick: onStartOver,
        data: 'confirm-start-over',
      }}
      primary={{ label: tr.t('startOver.keep'), onClick: onKeep }}
    />
  );
}
