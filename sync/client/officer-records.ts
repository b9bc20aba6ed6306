import { canonicalJson } from '../protocol/canonical-json';
import { sha256Hex } from '../protocol/encoding';
import type { ChainRecord } from '../protocol/records';
import { appendChainRecord } from './commit';
import type { CommitDeps } from './commit';
import { voidedTxIds } from './officer-queue';
import type { OutboxRow } from './store/outbox-store';
import { SyncError } from './sync-error';

/**
 * Officer actions as chain records: each is appended to the same signed chain as transactions
 * (commit.ts), so the gateway sees who did what, in order, and can tell if one went missing.
 */
export type OfficerDeps = CommitDeps;

export function recordSignIn(
  deps: OfficerDeps,
  officerId: string,
  method: 'card' | 'pin',
): Promise<ChainRecord> {
  return appendChainRecord(deps, 'officer-sign-in', { officerId, method });
}

export function recordSignOut(
  deps: OfficerDeps,
  officerId: string,
  cause: 'signed-out' | 'inactivity' | 'locked-out' | 'shutdown',
): Promise<ChainRecord> {
  return appendChainRecord(deps, 'officer-sign-out', { officerId, cause });
}

/**
 * Voids a transaction that has not been delivered yet. The original row is never touched: it
 * stays in the chain and is delivered like any record; the void is a new signed record that
 * names it, and the gateway and every report count the pair as voided.
 */
export async function voidTransaction(
  deps: OfficerDeps,
  input: { officerId: string; txId: string; reason: string },
): Promise<ChainRecord> {
  const reason = input.reason.trim();
  if (reason.length < 3) throw new SyncError('void-refused', { reason: 'a reason is required' });
  const row = await deps.store.find({ txId: input.txId });
  if (!row || row.record.kind !== 'transaction') {
    throw new SyncError('void-refused', { reason: 'no such transaction on this kiosk' });
  }
  if (row.state !== 'queued') {
    throw new SyncError('void-refused', {
      reason: `only a transaction not yet delivered can be voided (this one is ${row.state})`,
    });
  }
  if (voidedTxIds(await deps.store.rows()).has(input.txId)) {
    throw new SyncError('void-refused', { reason: 'this transaction is already voided' });
  }
  return appendChainRecord(deps, 'void', {
    officerId: input.officerId,
    voids: { txId: row.txId, seq: row.seq },
    reason,
  });
}

/** Records that a receipt was printed again (and by whom); returns the transaction's row. */
export async function recordReprint(
  deps: OfficerDeps,
  input: { txId: string; officerId?: string },
): Promise<{ row: OutboxRow; record: ChainRecord }> {
  const row = await deps.store.find({ txId: input.txId });
  if (!row || row.record.kind !== 'transaction') {
    throw new SyncError('reprint-refused', { reason: 'no such transaction on this kiosk' });
  }
  const record = await appendChainRecord(deps, 'reprint', {
    ...(input.officerId ? { officerId: input.officerId } : {}),
    reprints: { txId: row.txId, seq: row.seq },
  });
  return { row, record };
}

/**
 * Appends a `config-change` record when the site config, catalogue or roster in force differs
 * from the one last recorded (compared by digest). The first config a kiosk runs with is
 * recorded too, so the chain says which config every later transaction was made under.
 */
export async function recordConfigInForce(
  deps: OfficerDeps,
  part: 'site' | 'catalogue' | 'roster',
  version: string,
  value: unknown,
): Promise<ChainRecord | undefined> {
  const digest = await sha256Hex(canonicalJson(value));
  const known = (await deps.store.readSetting('config-digests')) ?? {};
  const previous = known[part];
  if (previous?.digest === digest) return undefined;
  const record = await appendChainRecord(deps, 'config-change', {
    part,
    fromVersion: previous?.version ?? null,
    toVersion: version.slice(0, 100) || digest.slice(0, 12),
    digest,
  });
  await deps.store.writeSetting('config-digests', { ...known, [part]: { version, digest } });
  return record;
}
