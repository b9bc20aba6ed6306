import { useEffect, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import type { ServiceDefinition } from '../../kiosk-config/schema';
import type { KioskRuntime } from '../app/kiosk-runtime';
import { MessageSlot } from '../components/MessageSlot';
import { SteadyLabel } from '../components/SteadyLabel';
import { OnScreenKeyboard } from '../components/OnScreenKeyboard';
import { referenceFromScan } from '../components/QrCode';
import {
  isValidReferenceNumber,
  normalizeReferenceNumber,
} from '../../sync/client/reference-number';
import type { SeenStatus } from '../../sync/client/status-cache';
import { agencyTextIn } from '../../sync/protocol/application-status';
import type { Translator } from '../i18n/translator';
import { focusWithoutScroll } from '../components/focus';
import { useQuestionInView } from '../components/reveal';

type Result =
  /** What the office said (now, or when this kiosk last checked: `cached`). */
  | { kind: 'decision'; status: SeenStatus; cached: boolean }
  | { kind: 'unknown' }
  | { kind: 'local'; state: 'queued' | 'delivered' | 'rejected' }
  | { kind: 'offline' };

const detailKeys = ['reason', 'needed', 'collectAt', 'nextStep'] as const;

/**
 * The office's answer as sentences in the citizen's language: the state and its date, then
 * the agency's reason, what it needs, where to collect and the next step (in the citizen's
 * language when the agency wrote one, else English), and, when the answer is from this kiosk's
 * memory, when it was heard.
 */
export function decisionLines(tr: Translator, status: SeenStatus, cached: boolean): string[] {
  const lines: string[] = [];
  if (status.state === 'received' || status.state === 'unknown') {
    lines.push(tr.t('status.received', { date: tr.day(status.receivedAt ?? status.checkedAt) }));
  } else {
    lines.push(
      tr.t(`status.state.${status.state}`, { date: tr.day(status.since ?? status.checkedAt) }),
    );
  }
  for (const key of detailKeys) {
    const text = status[key];
    if (text !== undefined) {
      lines.push(tr.t(`status.detail.${key}`, { text: agencyTextIn(text, tr.language) }));
    }
  }
  if (cached) lines.push(tr.t('status.cached', { date: tr.dateTime(status.checkedAt) }));
  return lines;
}

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
  /** What is wrong with the typed reference: not its shape, or a wrong check character. */
  const [invalid, setInvalid] = useState<false | 'shape' | 'check'>(false);
  const checkRef = useRef<(event?: FormEvent, entered?: string) => Promise<void>>(undefined);
  const screen = useRef<HTMLElement>(null);
  useQuestionInView(screen);

  const check = async (event?: FormEvent, entered: string = text) => {
    event?.preventDefault();
    // Typed with or without dashes, in either case, or scanned with its `SP:` prefix.
    const ref = normalizeReferenceNumber(referenceFromScan(entered));
    // A reference's last character checks the other eight (reference-number.ts): a mistyped one
    // is caught here, on or off line, instead of reading as "the office has none yet".
    if (!ref || !isValidReferenceNumber(ref)) {
      setInvalid(ref ? 'check' : 'shape');
      // An earlier answer belongs to an earlier reference: never shown beside this error.
      setResult(undefined);
      return;
    }
    setText(ref);
    setInvalid(false);
    setBusy(true);
    setResult(undefined);
    const local = await runtime.store.find({ ref }).catch(() => undefined);
    try {
      const lookup = await runtime.lookupStatus([ref]);
      const found = lookup.statuses.find((status) => status.ref === ref);
      if (found && found.state !== 'unknown') {
        setResult({ kind: 'decision', status: found, cached: !lookup.online });
      } else if (local && local.state !== 'purged') {
        setResult({ kind: 'local', state: local.state });
      } else {
        setResult({ kind: lookup.online ? 'unknown' : 'offline' });
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

  let lines: string[] = [];
  if (result?.kind === 'decision') lines = decisionLines(tr, result.status, result.cached);
  if (result?.kind === 'unknown') lines = [tr.t('status.unknown')];
  if (result?.kind === 'offline') lines = [tr.t('status.offline')];
  if (result?.kind === 'local') lines = [tr.t(`receipt.state.${result.state}`)];
  // `received` for what only reached the office, so a kiosk's tests and logs read as before.
  const resultKind =
    result?.kind === 'decision' && result.status.state === 'received' ? 'received' : result?.kind;

  return (
    <main ref={screen} className="screen" data-screen="status">
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
          ref={focusWithoutScroll}
          placeholder="ABCD-EFGH-1"
          value={text}
          aria-describedby={invalid ? 'status-hint status-error' : 'status-hint'}
          aria-invalid={invalid ? true : undefined}
          onChange={(event) => {
            setText(event.target.value.toUpperCase());
            setInvalid(false);
            // The answer shown was for the reference as it was; a changed one has none yet.
            setResult(undefined);
          }}
        />
        <p id="status-hint" className="hint">
          {tr.t('status.hint')}
        </p>
        <div className="actions">
          <button type="button" className="secondary" onClick={onBack}>
            {tr.t('form.back')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            <SteadyLabel
              text={busy ? tr.t('status.checking') : tr.t('status.check')}
              reserve={busy ? tr.t('status.check') : tr.t('status.checking')}
            />
          </button>
        </div>
        {/* One place for what the check says, an error or an answer (never both), under Back
            and Check as a search's results are, so nothing that comes or goes there moves the
            buttons; sized for the answer's four lines (which hold any error too), so the keyboard
            after it does not move either. Above the buttons, as two places (an error's and an
            answer's), an error longer than its place moved them, and on a 1280 x 800 screen
            the pinned buttons covered the place, so an error scrolled the keyboard's top rows
            out of view (QA). */}
        <MessageSlot lines={4} kind="words" aboutId="status-ref">
          {invalid ? (
            <p id="status-error" className="error" role="alert">
              {tr.t(invalid === 'check' ? 'status.error.checkCharacter' : 'status.error.reference')}
            </p>
          ) : lines.length > 0 ? (
            <div
              className={`status-result status-${resultKind}`}
              role="status"
              data-status-result={resultKind}
              data-status-state={result?.kind === 'decision' ? result.status.state : undefined}
              data-status-cached={result?.kind === 'decision' && result.cached ? 'true' : undefined}
            >
              {lines.map((line, index) => (
                <p
                  key={index}
                  className={
                    index === 0
                      ? 'status-headline'
                      : result?.kind === 'decision' && result.cached && index === lines.length - 1
                        ? 'status-cached'
                        : 'status-detail'
                  }
                >
                  {line}
                </p>
              ))}
            </div>
          ) : null}
        </MessageSlot>
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
        enterLabel={tr.t('status.check')}
      />
    </main>
  );
}
