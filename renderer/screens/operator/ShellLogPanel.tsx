import type { LogLine } from '../../../sync/bridge/operator-payloads';
import type { Translator } from '../../i18n/translator';

/** The shell's recent events (device and page events, never personal data), newest first. */
export function ShellLogPanel({ tr, lines }: { tr: Translator; lines: LogLine[] }) {
  return (
    <section aria-labelledby="log-title" className="log-section">
      <h2 id="log-title">{tr.t('operator.log')}</h2>
      {lines.length === 0 ? (
        <p>{tr.t('operator.none')}</p>
      ) : (
        <ol className="log-lines" data-log-lines>
          {[...lines].reverse().map((line, index) => (
            <li key={`${line.at}-${index}`} data-level={line.level}>
              {/* On the site's wall clock, as receipts and reports are (the log keeps UTC). */}
              <time dateTime={line.at}>{tr.time(line.at)}</time> {line.level} {line.text}
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
