import { MAX_STATUS_REFS } from '../protocol/wire';
import type { DecisionStatus, DecisionStatusReply } from '../protocol/wire';
import type { OutboxStore, SeenStatus } from './store/outbox-store';

export type { SeenStatus } from './store/outbox-store';

/**
 * What the kiosk last heard from the gateway about applications, kept by the outbox store
 * (`rememberStatuses`, `seenStatuses`), so the status check still answers, calmly and saying
 * how old the answer is, when the link is down. Entries that fail their schema are ignored,
 * never shown; they are forgotten after the retention period (`forgetStatusesBefore`), like
 * the personal data of the transactions they describe.
 */
export interface StatusLookup {
  /** True when the gateway answered now; false when these are what the kiosk last heard. */
  online: boolean;
  /** One per reference the gateway knows (online) or the kiosk has heard of (offline). */
  statuses: SeenStatus[];
}

/** Keeps what the gateway said; a reference it does not know is not worth remembering. */
export function rememberStatuses(
  store: OutboxStore,
  statuses: DecisionStatus[],
  checkedAt: number,
): Promise<void> {
  const known = statuses.filter((status) => status.state !== 'unknown');
  return store.rememberStatuses(known.map((status) => ({ ...status, checkedAt })));
}

export function lastSeenStatuses(store: OutboxStore, refs: string[]): Promise<SeenStatus[]> {
  return store.seenStatuses(refs);
}

/** Forgets statuses last heard before `beforeMs`; returns how many. */
export function forgetStatusesBefore(store: OutboxStore, beforeMs: number): Promise<number> {
  return store.forgetStatusesBefore(beforeMs);
}

/**
 * Asks the gateway (`fetchDecisions`, a signed `GET /v1/status?include=decision`, at most
 * MAX_STATUS_REFS references a request) and remembers what it says; when it cannot be reached,
 * answers from what the kiosk last heard instead. Never rejects for a down link.
 */
export async function lookUpStatuses(
  store: OutboxStore,
  refs: string[],
  fetchDecisions: (refs: string[]) => Promise<DecisionStatusReply>,
  now: () => number = Date.now,
): Promise<StatusLookup> {
  const unique = [...new Set(refs)];
  const heard: DecisionStatus[] = [];
  try {
    for (let i = 0; i < unique.length; i += MAX_STATUS_REFS) {
      heard.push(...(await fetchDecisions(unique.slice(i, i + MAX_STATUS_REFS))).statuses);
    }
  } catch {
    return { online: false, statuses: await lastSeenStatuses(store, unique) };
  }
  const checkedAt = now();
  await rememberStatuses(store, heard, checkedAt).catch(() => undefined);
  return { online: true, statuses: heard.map((status) => ({ ...status, checkedAt })) };
}
