import { useState } from 'react';
import { exportBundleToDrive } from '../../app/officer-tools';
import { SyncError } from '../../../sync/client/sync-error';
import type { ConsolePanelProps } from './console-action';
import { ConsoleNoticeLine } from './ConsoleNoticeLine';

/**
 * The USB bundle: writes the unacknowledged chain segment, signed and sealed, to a folder (the
 * shell's default drive when none is typed), and logs what it wrote and what it left out.
 */
export function BundleExportPanel({ tr, runtime, act, notice }: ConsolePanelProps) {
  const [target, setTarget] = useState('');
  return (
    <section aria-labelledby="bundle-title">
      <h2 id="bundle-title">{tr.t('operator.bundle.title')}</h2>
      <p>{tr.t('operator.bundle.lead')}</p>
      <label htmlFor="bundle-target">{tr.t('operator.bundle.target')}</label>
      <input
        id="bundle-target"
        className="answer"
        type="text"
        autoComplete="off"
        spellCheck={false}
        placeholder="/media/usb"
        value={target}
        onChange={(event) => setTarget(event.target.value)}
      />
      <div className="actions">
        <button
          type="button"
          className="primary"
          data-export-bundle
          onClick={() =>
            void act(async () => {
              let written;
              try {
                written = await exportBundleToDrive(runtime, target.trim() || undefined);
              } catch (error) {
                // Nothing waiting is no failure: there is simply nothing to carry.
                if (error instanceof SyncError && error.details.nothingQueued) {
                  return tr.t('operator.bundle.nothing');
                }
                const reason =
                  error instanceof SyncError && typeof error.details.reason === 'string'
                    ? error.details.reason
                    : (error as Error).message;
                runtime.log('warn', `bundle export failed: ${reason}`);
                throw new Error(tr.t('operator.bundle.failed', { reason }), { cause: error });
              }
              runtime.log('info', `bundle exported: seq ${written.fromSeq}-${written.toSeq}`);
              if (written.unreadable > 0) {
                runtime.log(
                  'warn',
                  `bundle: ${written.unreadable} record(s) left out, personal data unreadable on this kiosk (now rejected in the officer queue)`,
                );
              }
              return tr.t('operator.bundle.written', {
                path: written.path,
                count: written.count,
                from: written.fromSeq,
                to: written.toSeq,
              });
            })
          }
        >
          {tr.t('operator.bundle.export')}
        </button>
      </div>
      <ConsoleNoticeLine notice={notice} />
    </section>
  );
}
