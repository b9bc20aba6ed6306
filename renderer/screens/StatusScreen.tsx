import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { ServiceDefinition } from '../../kiosk-config/schema';
import type { KioskRuntime } from '../app/kiosk-runtime';
import { OnScreenKeyboard } from '../components/OnScreenKeyboard';
import { referenceFromScan } from '../components/QrCode';
import { normalizeReferenceNumber } from '../../sync/client/reference-number';
import type { Translator } from '../i18n/translator';

type Result =
  | { kind: 'received'; date: Date }
  | { kind: 'unknown' }
  | { kind: 'local'; state: 'queued' | 'delivered' | 'rejected' }
  | { kind: 'offline' };

/**
 * "Check application status": by typed reference or by the receipt's QR code (a scanner types
 * it into the focused field, with its `SP:` prefix). The gateway answers when the link is up;
 * what this kiosk itself still holds is said either way, and a down link is said calmly.
 */
export function StatusScreen({
  tr,
  runtime,
  service,
  scanned,
  onBack,
}: {
  tr: Translator;
  runtime: KioskRuntime;
  service: ServiceDefinition;
  /** A receipt code read by a scanner; it never goes through the text field. */
  scanned?: { ref: string; at: number };
  onBack: () => void;
}) {
  const [text, setText] = useState('');
  const [result, setResult] = useState<Result | undefined>();
  const [busy, setBusy] = useState(false);
  const [invalid, setInvalid] = useState(false);
  const checkRef = useRef<(event?: FormEvent, entered?: string) => Promise<void>>(undefined);

  const check = async (event?: FormEvent, entered: string = text) => {
    event?.preventDefault();
    // Typed with or without dashes, in either case, or scanned with its `SP:` prefix.
    const ref = normalizeReferenceNumber(referenceFromScan(entered));
    if (!ref) {
      setInvalid(true);
      return;
    }
    setText(ref);
    setBusy(true);
    setResult(undefined);
    const local = await runtime.store.find({ ref }).catch(() => undefined);
    try {
      const reply = await runtime.lookupStatus([ref]);
      const found = reply.statuses.find((status) => status.ref === ref);
      if (found?.state === 'received') {
        setResult({ kind: 'received', date: new Date(found.receivedAt ?? Date.now()) });
      } else if (local && local.state !== 'purged') {
        setResult({ kind: 'local', state: local.state });
      } else {
        setResult({ kind: 'unknown' });
      }
    } catch {
      setResult(
        local && local.state !== 'purged'
          ? { kind: 'local', state: local.state }
          : { kind: 'offline' },
      );
    } finally {
      setBusy(false);
    }
  };

  // The latest `check` for the scan effect below (declared after it, so it runs first).
  useEffect(() => {
    checkRef.current = check;
  });
  useEffect(() => {
    if (scanned) void checkRef.current?.(undefined, scanned.ref);
  }, [scanned]);

  let message: string | undefined;
  if (result?.kind === 'received') message = tr.t('status.received', { date: tr.day(result.date) });
  if (result?.kind === 'unknown') message = tr.t('status.unknown');
  if (result?.kind === 'offline') message = tr.t('status.offline');
  if (result?.kind === 'local') message = tr.t(`receipt.state.${result.state}`);

  return (
    <main className="screen" data-screen="status">
      <h1>{tr.text(service.title)}</h1>
      <form onSubmit={(event) => void check(event)} noValidate>
        <label htmlFor="status-ref" className="question" data-prompt>
          {tr.t('status.label')}
        </label>
        <input
          id="status-ref"
          className="answer"
          type="text"
          autoComplete="off"
          spellCheck={false}
          autoFocus
          placeholder="ABCD-EFGH-J"
          value={text}
          aria-describedby={invalid ? 'status-hint status-error' : 'status-hint'}
          aria-invalid={invalid || undefined}
          onChange={(event) => {
            setText(event.target.value.toUpperCase());
            setInvalid(false);
          }}
        />
        <p id="status-hint" className="hint">
          {tr.t('status.hint')}
        </p>
        {invalid ? (
          <p id="status-error" className="error" role="alert">
            {tr.t('status.error.reference')}
          </p>
        ) : null}
        {message ? (
          <p
            className={`status-result status-${result?.kind}`}
            role="status"
            data-status-result={result?.kind}
          >
            {message}
          </p>
        ) : null}
        <div className="actions">
          <button type="button" className="secondary" onClick={onBack}>
            {tr.t('form.back')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? tr.t('status.checking') : tr.t('status.check')}
          </button>
        </div>
      </form>
      <OnScreenKeyboard
        tr={tr}
        kind="code"
        language={tr.language}
        value={text}
        onChange={(value) => {
          setText(value);
          setInvalid(false);
        }}
        onEnter={() => void check()}
      />
    </main>
  );
}
