import { useEffect, useState } from 'react';
import type { ReportDocument } from '../../../sync/bridge/operator-payloads';
import type { SignedInOfficer } from '../../../sync/client/officer-session';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import { endOfDayReport, reportDocument } from '../../app/officer-tools';
import type { Translator } from '../../i18n/translator';

/** A report document as tables on screen: the same words the PDF carries. */
export function ReportView({ document }: { document: ReportDocument }) {
  return (
    <article className="report" data-report>
      <h2>{document.title}</h2>
      {document.subtitle.map((line) => (
        <p key={line}>{line}</p>
      ))}
      {document.sections.map((section) => (
        <table key={section.heading} className="officer-table">
          <caption>{section.heading}</caption>
          <thead>
            <tr>
              {section.columns.map((column) => (
                <th key={column} scope="col">
                  {column}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {section.rows.length === 0 && section.empty ? (
              <tr>
                <td colSpan={section.columns.length}>{section.empty}</td>
              </tr>
            ) : null}
            {section.rows.map((row, index) => (
              <tr key={index}>
                {row.map((cell, column) => (
                  <td key={column} data-label={section.columns[column]}>
                    {cell}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      ))}
    </article>
  );
}

/** The end-of-day report for the officer's counter or the whole kiosk, on screen and as PDF. */
export function EndOfDayPanel({
  tr,
  runtime,
  officer,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  officer: SignedInOfficer;
}) {
  const [scope, setScope] = useState<'mine' | 'kiosk'>('kiosk');
  // Each answer is kept with the scope it was made for, so a stale one is never shown.
  const [built, setBuilt] = useState<{ scope: string; document: ReportDocument } | undefined>();
  const [pdfState, setPdf] = useState<
    { scope: string; state: 'saving' | 'saved' | 'failed'; path?: string } | undefined
  >();
  const document = built?.scope === scope ? built.document : undefined;
  const pdf = pdfState?.scope === scope ? pdfState : undefined;

  useEffect(() => {
    let live = true;
    void endOfDayReport(runtime, scope === 'mine' ? { officerId: officer.officerId } : {}).then(
      (made) => {
        if (live) {
          setBuilt({
            scope,
            document: reportDocument(tr, runtime, { ...made, officerName: officer.name }),
          });
        }
      },
    );
    return () => {
      live = false;
    };
  }, [runtime, tr, scope, officer]);

  const save = async () => {
    if (!document) return;
    setPdf({ scope, state: 'saving' });
    try {
      const written = await runtime.bridge.invoke('report:pdf', document);
      setPdf({ scope, state: 'saved', path: written.path });
    } catch {
      setPdf({ scope, state: 'failed' });
    }
  };

  return (
    <div className="end-of-day">
      <div className="actions">
        <button
          type="button"
          className={scope === 'kiosk' ? 'primary' : 'secondary'}
          aria-pressed={scope === 'kiosk'}
          onClick={() => setScope('kiosk')}
        >
          {tr.t('report.wholeKiosk')}
        </button>
        <button
          type="button"
          className={scope === 'mine' ? 'primary' : 'secondary'}
          aria-pressed={scope === 'mine'}
          onClick={() => setScope('mine')}
        >
          {tr.t('report.myCounter')}
        </button>
        <button
          type="button"
          className="secondary"
          data-report-pdf
          disabled={!document || pdf?.state === 'saving'}
          onClick={() => void save()}
        >
          {tr.t('report.savePdf')}
        </button>
      </div>
      {pdf?.state === 'saved' ? (
        <p className="print-done" role="status" data-pdf-path={pdf.path}>
          {tr.t('report.saved', { path: pdf.path ?? '' })}
        </p>
      ) : null}
      {pdf?.state === 'failed' ? (
        <p className="error" role="alert">
          {tr.t('report.saveFailed')}
        </p>
      ) : null}
      {document ? <ReportView document={document} /> : <p>{tr.t('report.loading')}</p>}
    </div>
  );
}
