import { z } from 'zod';
import { MAX_STATUS_REFS, decisionStatusSchema } from '../protocol/wire';
import type { DecisionStatus, DecisionStatusReply } from '../protocol/wire';
import type { KioskDatabase } from './db';

/**
 * What the kiosk last heard from the gateway about an application: the decision as the gateway
 * gave it, and when it was heard (epoch ms). Kept so the status check still answers, calmly and
 * saying how old the answer is, when the link is down.
 */
export interface SeenStatus extends DecisionStatus {
  checkedAt: number;
}

export interface StatusLookup {
  /** True when the gateway answered now; false when these are what the kiosk last heard. */
  online: boolean;
  /** One per reference the gateway knows (online) or the kiosk has heard of (offline). */
  statuses: SeenStatus[];
}

const seenStatusSchema = decisionStatusSchema.extend({ checkedAt: z.number().int().min(0) });
const PREFIX = 'status:';

/**
 * The last-seen statuses live in the `meta` table under `status:<ref>` (no schema change). Rows
 * that fail their schema are ignored, never shown. They are forgotten after the retention period
 * (`forgetStatusesBefore`), like the personal data of the transactions they describe.
 */
export async function rememberStatuses(
  db: KioskDatabase,
  statuses: DecisionStatus[],
  checkedAt: number,
): Promise<void> {
  const known = statuses.filter((status) => status.state !== 'unknown');
  if (known.length === 0) return;
  await db.meta.bulkPut(
    known.map((status) => ({ key: `${PREFIX}${status.ref}`, value: { ...status, checkedAt } })),
  );
}

export async function lastSeenStatuses(db: KioskDatabase, refs: string[]): Promise<SeenStatus[]> {
  const rows = await db.meta.bulkGet(refs.map((ref) => `${PREFIX}${ref}`));
  return rows.flatMap((row) => {
    const parsed = seenStatusSchema.safeParse(row?.value);
    return parsed.success ? [parsed.data] : [];
  });
}

/** Forgets statuses last heard before `beforeMs`; returns how many. */
export async function forgetStatusesBefore(db: KioskDatabase, beforeMs: number): Promise<number> {
  const old = await db.meta
    .where('key')
    .startsWith(PREFIX)
    .filter((row) => {
      const parsed = seenStatusSchema.safeParse(row.value);
      return !parsed.success || parsed.data.checkedAt < beforeMs;
    })
    .primaryKeys();
  await db.meta.bulkDelete(old);
  return old.length;
}

/**
 * Asks the gateway (`fetchDecisions`, a signed `GET /v1/status?include=decision`, at most
 * MAX_STATUS_REFS references a request) and remembers what it says; when it cannot be reached,
 * answers from what the kiosk last heard instead. Never rejects for a down link.
 */
export async function lookUpStatuses(
  db: KioskDatabase,
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
    return { online: false, statuses: await lastSeenStatuses(db, unique) };
  }
  const checkedAt = now();
  await rememberStatuses(db, heard, checkedAt).catch(() => undefined);
  return { online: true, statuses: heard.map((status) => ({ ...status, checkedAt })) };
}
