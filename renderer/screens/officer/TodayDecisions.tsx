import { useCallback, useEffect, useState } from 'react';
import type { SeenStatus, StatusLookup } from '../../../sync/client/status-cache';
import { agencyTextIn } from '../../../sync/protocol/application-status';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import type { Translator } from '../../i18n/translator';

export interface TodayDecisions {
  byRef: ReadonlyMap<string, SeenStatus>;
  /** Undefined until the first look-up ends; false when the answers are the kiosk's memory. */
  online?: boolean;
  busy: boolean;
  checkedAt?: number;
  check(): Promise<void>;
}

/**
 * What the agencies decided for the day's receipts (`refs`: those already delivered). Looked up
 * once when the list changes and again on demand; when the office cannot be reached, what this
 * kiosk last heard, with its date.
 */
export function useTodayDecisions(runtime: KioskRuntime, refs: string[]): TodayDecisions {
  const [byRef, setByRef] = useState<ReadonlyMap<string, SeenStatus>>(new Map());
  const [online, setOnline] = useState<boolean | undefined>();
  const [busy, setBusy] = useState(false);
  const [checkedAt, setCheckedAt] = useState<number | undefined>();
  const key = refs.join(',');
  const apply = useCallback((lookup: StatusLookup) => {
    setByRef(new Map(lookup.statuses.map((status) => [status.ref, status])));
    setOnline(lookup.online);
    setCheckedAt(Date.now());
  }, []);
  const check = useCallback(async () => {
    if (!key) return;
    setBusy(true);
    try {
      apply(await runtime.lookupStatus(key.split(',')));
    } finally {
      setBusy(false);
    }
  }, [runtime, key, apply]);
  // Once when the day's delivered receipts change.
  useEffect(() => {
    if (!key) return undefined;
    let live = true;
    void runtime.lookupStatus(key.split(',')).then((lookup) => {
      if (live) apply(lookup);
    });
    return () => {
      live = false;
    };
  }, [runtime, key, apply]);
  return { byRef, online, busy, checkedAt, check };
}

/** One receipt's decision in the officer's table: the state, its date, and the agency's words. */
export function DecisionCell({
  tr,
  label,
  status,
  cached,
}: {
  tr: Translator;
  /** The column's name, for the row shown as a card (`data-label`). */
  label: string;
  status: SeenStatus | undefined;
  cached: boolean;
}) {
  if (!status)
    return (
      <td data-decision="none" data-label={label}>
        —
      </td>
    );
  const words = (['reason', 'needed', 'collectAt', 'nextStep'] as const)
    .map((key) => status[key])
    .filter((text) => text !== undefined)
    .map((text) => agencyTextIn(text, tr.language));
  const since = status.since ?? status.receivedAt;
  return (
    <td data-decision={status.state} data-label={label}>
      <strong>{tr.t(`officer.decision.state.${status.state}`)}</strong>
      {since ? ` · ${tr.day(since)}` : ''}
      {words.length > 0 ? <div className="decision-words">{words.join(' · ')}</div> : null}
      {cached ? (
        <div className="decision-cached">
          {tr.t('officer.decision.checkedAt', { date: tr.dateTime(status.checkedAt) })}
        </div>
      ) : null}
    </td>
  );
}
