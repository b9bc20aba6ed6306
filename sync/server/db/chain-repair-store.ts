import type { Kysely, Selectable, Transaction } from 'kysely';
import { GENESIS_HASH, gatewayRecordSchema } from '../../protocol/records';
import type { GatewayRecord } from '../../protocol/records';
import { sealedBoxSchema } from '../../protocol/sealed-box';
import type { ChainHead, ItemResult } from '../../protocol/wire';
import { MIN_REASON_CHARS } from '../chain-repair';
import type {
  ChainCandidate,
  ChainConflict,
  ChainRepair,
  ChainRepairStore,
  RepairOutcome,
} from '../chain-repair';
import type { VerifiedItem } from '../store';
import type { GatewayTables, SqlDialect } from './schema';

type Trx = Transaction<GatewayTables>;
type Executor = Kysely<GatewayTables> | Trx;
type PlaceIn = (
  trx: Trx,
  kioskId: string,
  items: VerifiedItem[],
) => Promise<{ results: ItemResult[]; head: ChainHead }>;

/** Thrown inside a repair's transaction to roll it back with an answer. */
class RepairRefused extends Error {
  constructor(readonly outcome: Extract<RepairOutcome, { ok: false }>) {
    super(outcome.message);
  }
}

const parseRecord = (json: string): GatewayRecord =>
  gatewayRecordSchema.parse(JSON.parse(json) as unknown);

function candidate(
  record: GatewayRecord,
  receivedAt: string,
  previousHash: string | undefined,
  state: ChainCandidate['state'],
): ChainCandidate {
  const body = record.body as { ref?: string; serviceId?: string };
  return {
    txId: record.body.txId,
    seq: record.seq,
    kind: record.kind,
    createdAt: record.createdAt,
    receivedAt,
    hash: record.hash,
    prevHash: record.prevHash,
    links: previousHash !== undefined && record.prevHash === previousHash,
    state,
    ref: body.ref ?? '',
    serviceId: body.serviceId ?? '',
    record,
  };
}

/** Wedged chains and their repairs over Kysely (see ChainRepairStore in ../chain-repair.ts). */
export function chainRepairStore(
  db: Kysely<GatewayTables>,
  dialect: SqlDialect,
  now: () => Date,
  placeIn: PlaceIn,
): ChainRepairStore {
  /** The hash a record at `seq` must carry as prevHash: the chained record before it. */
  const previousHash = async (
    executor: Executor,
    kioskId: string,
    seq: number,
  ): Promise<string | undefined> => {
    if (seq === 1) return GENESIS_HASH;
    const row = await executor
      .selectFrom('records')
      .select('hash')
      .where('kiosk_id', '=', kioskId)
      .where('seq', '=', seq - 1)
      .where('chain_state', '=', 'chained')
      .executeTakeFirst();
    return row?.hash;
  };

  const wedgedRows = (kioskId?: string) =>
    db
      .selectFrom('kiosks as k')
      .innerJoin('records as r', (join) =>
        join
          .onRef('r.kiosk_id', '=', 'k.kiosk_id')
          .on((eb) => eb('r.seq', '=', eb('k.head_seq', '+', 1))),
      )
      .select(['k.kiosk_id', 'k.head_seq', 'r.tx_id'])
      .where('r.chain_state', '=', 'awaiting')
      .$if(kioskId !== undefined, (q) => q.where('k.kiosk_id', '=', kioskId ?? ''))
      .orderBy('k.kiosk_id')
      .execute();

  const toRepair = (row: Selectable<GatewayTables['chain_repairs']>): ChainRepair => ({
    id: Number(row.id),
    kioskId: row.kiosk_id,
    seq: row.seq,
    kept: row.kept,
    keptTxId: row.kept_tx_id,
    setAsideTxId: row.set_aside_tx_id,
    setAsideRecord: parseRecord(row.set_aside_record_json),
    reason: row.reason,
    decidedBy: row.decided_by,
    decidedAt: row.decided_at,
    headBefore: row.head_before,
    headAfter: row.head_after,
  });

  return {
    async wedges() {
      const rows = await wedgedRows();
      const open = await db
        .selectFrom('chain_conflicts')
        .select(['kiosk_id', 'seq'])
        .where('resolved_at', 'is', null)
        .execute();
      return rows.map((row) => ({
        kioskId: row.kiosk_id,
        headSeq: row.head_seq,
        heldTxId: row.tx_id,
        refused: open.filter((c) => c.kiosk_id === row.kiosk_id && c.seq === row.head_seq + 1)
          .length,
      }));
    },

    async conflicts(kioskId) {
      const open = await db
        .selectFrom('chain_conflicts')
        .selectAll()
        .where('resolved_at', 'is', null)
        .$if(kioskId !== undefined, (q) => q.where('kiosk_id', '=', kioskId ?? ''))
        .orderBy('kiosk_id')
        .orderBy('seq')
        .orderBy('id')
        .execute();
      const seqs = new Map<string, { kioskId: string; seq: number }>();
      for (const row of open)
        seqs.set(`${row.kiosk_id}\u0000${row.seq}`, { kioskId: row.kiosk_id, seq: row.seq });
      for (const wedge of await wedgedRows(kioskId)) {
        seqs.set(`${wedge.kiosk_id}\u0000${wedge.head_seq + 1}`, {
          kioskId: wedge.kiosk_id,
          seq: wedge.head_seq + 1,
        });
      }
      const out: ChainConflict[] = [];
      for (const { kioskId: kiosk, seq } of seqs.values()) {
        const [head, held, previous] = await Promise.all([
          db
            .selectFrom('kiosks')
            .select('head_seq')
            .where('kiosk_id', '=', kiosk)
            .executeTakeFirst(),
          db
            .selectFrom('records')
            .select(['record_json', 'received_at', 'chain_state'])
            .where('kiosk_id', '=', kiosk)
            .where('seq', '=', seq)
            .executeTakeFirst(),
          previousHash(db, kiosk, seq),
        ]);
        const headSeq = head?.head_seq ?? 0;
        out.push({
          kioskId: kiosk,
          seq,
          headSeq,
          wedged: held?.chain_state === 'awaiting' && seq === headSeq + 1,
          held: held
            ? candidate(parseRecord(held.record_json), held.received_at, previous, held.chain_state)
            : undefined,
          refused: open
            .filter((row) => row.kiosk_id === kiosk && row.seq === seq)
            .map((row) => ({
              ...candidate(parseRecord(row.record_json), row.received_at, previous, 'refused'),
              conflictId: Number(row.id),
            })),
        });
      }
      return out;
    },

    async repair(kioskId, seq, choice, decision) {
      const reason = decision.reason.trim();
      if (reason.length < MIN_REASON_CHARS) {
        return {
          ok: false,
          code: 'reason-required',
          message: `give the reason for this repair (at least ${MIN_REASON_CHARS} characters): it is kept with it`,
        };
      }
      try {
        return await db.transaction().execute(async (trx): Promise<RepairOutcome> => {
          const kiosk = await trx
            .selectFrom('kiosks')
            .select(['head_seq'])
            .where('kiosk_id', '=', kioskId)
            .$if(dialect === 'postgres', (q) => q.forUpdate())
            .executeTakeFirst();
          if (!kiosk) {
            throw new RepairRefused({
              ok: false,
              code: 'not-found',
              message: `no kiosk ${kioskId}`,
            });
          }
          const headBefore = kiosk.head_seq;
          const at = now().toISOString();
          const held = await trx
            .selectFrom('records')
            .selectAll()
            .where('kiosk_id', '=', kioskId)
            .where('seq', '=', seq)
            .executeTakeFirst();
          const open = await trx
            .selectFrom('chain_conflicts')
            .selectAll()
            .where('kiosk_id', '=', kioskId)
            .where('seq', '=', seq)
            .where('resolved_at', 'is', null)
            .orderBy('id')
            .execute();
          const setAside = async (
            kept: 'held' | 'refused',
            keptTxId: string,
            aside: { tx_id: string; record_json: string; personal_json: string | null },
            headAfter: number,
          ): Promise<number> => {
            const row = await trx
              .insertInto('chain_repairs')
              .values({
                kiosk_id: kioskId,
                seq,
                kept,
                kept_tx_id: keptTxId,
                set_aside_tx_id: aside.tx_id,
                set_aside_record_json: aside.record_json,
                set_aside_personal_json: aside.personal_json,
                reason,
                decided_by: decision.decidedBy,
                decided_at: at,
                head_before: headBefore,
                head_after: headAfter,
              })
              .returning('id')
              .executeTakeFirstOrThrow();
            return Number(row.id);
          };
          const resolve = (conflictId: number, repairId: number) =>
            trx
              .updateTable('chain_conflicts')
              .set({ resolved_at: at, repair_id: repairId })
              .where('id', '=', conflictId)
              .execute();

          if (choice.keep === 'held') {
            if (open.length === 0 || !held) {
              throw new RepairRefused({
                ok: false,
                code: 'not-found',
                message: `no refused record waits for a decision at seq ${seq}`,
              });
            }
            const repairs: number[] = [];
            for (const conflict of open) {
              const id = await setAside('held', held.tx_id, conflict, headBefore);
              await resolve(Number(conflict.id), id);
              repairs.push(id);
            }
            return { ok: true, headBefore, headAfter: headBefore, repairs };
          }

          const chosen = open.find((row) => Number(row.id) === choice.conflictId);
          if (!chosen) {
            throw new RepairRefused({
              ok: false,
              code: 'not-found',
              message: `refused record ${choice.conflictId} is not waiting at seq ${seq}`,
            });
          }
          if (!held) {
            throw new RepairRefused({
              ok: false,
              code: 'not-found',
              message: `no record is held at seq ${seq} any more`,
            });
          }
          if (held.chain_state === 'chained') {
            throw new RepairRefused({
              ok: false,
              code: 'already-chained',
              message: `seq ${seq} is already in the chain: a chained record is never replaced`,
            });
          }
          // Set aside whole in the repair's row, then taken out of the chain's table.
          const heldRepair = await setAside('refused', chosen.tx_id, held, headBefore);
          const repairs = [heldRepair];
          await trx
            .deleteFrom('records')
            .where('kiosk_id', '=', kioskId)
            .where('seq', '=', seq)
            .where('tx_id', '=', held.tx_id)
            .execute();
          const placed = await placeIn(trx, kioskId, [
            {
              record: parseRecord(chosen.record_json),
              ...(chosen.personal_json
                ? {
                    personal: sealedBoxSchema.parse(JSON.parse(chosen.personal_json) as unknown),
                  }
                : {}),
            },
          ]);
          const result = placed.results[0];
          if (result?.status !== 'accepted') {
            throw new RepairRefused({
              ok: false,
              code: 'not-held',
              message: `the chosen record cannot take seq ${seq}: ${result?.reason ?? 'refused'}`,
            });
          }
          const headAfter = placed.head.seq;
          await trx
            .updateTable('chain_repairs')
            .set({ head_after: headAfter })
            .where('id', '=', heldRepair)
            .execute();
          await resolve(Number(chosen.id), heldRepair);
          for (const other of open.filter((row) => row.id !== chosen.id)) {
            const id = await setAside('refused', chosen.tx_id, other, headAfter);
            await resolve(Number(other.id), id);
            repairs.push(id);
          }
          return { ok: true, headBefore, headAfter, repairs };
        });
      } catch (error) {
        if (error instanceof RepairRefused) return error.outcome;
        throw error;
      }
    },

    async repairs(kioskId) {
      const rows = await db
        .selectFrom('chain_repairs')
        .selectAll()
        .$if(kioskId !== undefined, (q) => q.where('kiosk_id', '=', kioskId ?? ''))
        .orderBy('id', 'desc')
        .limit(200)
        .execute();
      return rows.map(toRepair);
    },
  };
}
