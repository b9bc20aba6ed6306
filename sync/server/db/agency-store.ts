import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Kysely, Selectable, Transaction } from 'kysely';
import {
  applicationStateSchema,
  decisionStates,
  statusChangeProblem,
  statusDetailSchema,
} from '../../protocol/application-status';
import type { StatusDetail } from '../../protocol/application-status';
import type { ChainedRecord } from './schema';
import { ecPublicJwkSchema } from '../../protocol/crypto-primitives';
import { gatewayRecordSchema } from '../../protocol/records';
import { sealedBoxSchema } from '../../protocol/sealed-box';
import { AgencyConflictError } from '../agency/agencies';
import type {
  Agency,
  AgencySecrets,
  AgencyStore,
  ApplicationStatus,
  FeedEntry,
  StatusChangeResult,
  StatusEvent,
} from '../agency/agencies';
import { enqueueJobsIn } from './job-queue-store';
import { queueStatusAlertsIn } from './sms-store';
import type { GatewayTables, SqlDialect } from './schema';

type Trx = Transaction<GatewayTables>;
type Executor = Kysely<GatewayTables> | Trx;

/** The queue webhook deliveries go through (agency/webhooks.ts handles it). */
export const WEBHOOK_QUEUE = 'agency-webhook';

/**
 * PostgreSQL advisory lock between "who owns which service" and batches: a batch holds it shared
 * while it looks up owners and adds feed entries (until it commits); registering or changing an
 * agency's services holds it exclusive while it adds the applications already delivered. So an
 * application is never missed by both (delivered before the owner committed and not yet visible
 * to the back-fill), and never added twice (a feed entry is unique per agency and record).
 */
const OWNERS_LOCK = 0x53504147; // "SPAG"

const parseJson = (text: string): unknown => JSON.parse(text) as unknown;

const chunks = <T>(items: T[], size = 500): T[][] => {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
};

/**
 * Adds feed entries for records that have just been chained (in placement order), inside the
 * caller's transaction: a transaction of a service with an owner becomes a `delivered` entry of
 * that agency; a void of an application in a feed becomes a `voided` entry of the same agency.
 * Positions are given under a lock on the agency's row, so they are gapless and in commit order.
 * A webhook job is enqueued with each entry when the agency has a webhook. Returns how many
 * entries were added.
 */
export async function appendToFeeds(
  trx: Trx,
  dialect: SqlDialect,
  chained: ChainedRecord[],
  now: Date,
  options: { ownersLocked?: boolean } = {},
): Promise<number> {
  const rows = chained.filter((row) => row.kind === 'transaction' || row.kind === 'void');
  if (rows.length === 0) return 0;
  if (dialect === 'postgres' && !options.ownersLocked) {
    await sql`SELECT pg_advisory_xact_lock_shared(${OWNERS_LOCK})`.execute(trx);
  }

  const services = [
    ...new Set(rows.filter((r) => r.kind === 'transaction').map((r) => r.service_id)),
  ];
  const owners = new Map<string, string>();
  for (const part of chunks(services)) {
    for (const row of await trx
      .selectFrom('agency_services')
      .select(['service_id', 'agency_id'])
      .where('service_id', 'in', part)
      .execute()) {
      owners.set(row.service_id, row.agency_id);
    }
  }
  const subjects = rows
    .filter((r) => r.kind === 'void' && r.subject_tx_id)
    .map((r) => r.subject_tx_id ?? '');
  const voidedIn = new Map<string, Array<{ agency_id: string; ref: string; service_id: string }>>();
  for (const part of chunks(subjects)) {
    for (const row of await trx
      .selectFrom('agency_feed')
      .select(['agency_id', 'tx_id', 'ref', 'service_id'])
      .where('record_tx_id', 'in', part)
      .where('kind', '=', 'delivered')
      .execute()) {
      voidedIn.set(row.tx_id, [...(voidedIn.get(row.tx_id) ?? []), row]);
    }
  }

  type Pending = {
    kind: 'delivered' | 'voided';
    txId: string;
    recordTxId: string;
    ref: string;
    serviceId: string;
  };
  const byAgency = new Map<string, Pending[]>();
  const add = (agencyId: string, entry: Pending) =>
    byAgency.set(agencyId, [...(byAgency.get(agencyId) ?? []), entry]);
  for (const row of rows) {
    if (row.kind === 'transaction') {
      const owner = owners.get(row.service_id);
      if (owner) {
        add(owner, {
          kind: 'delivered',
          txId: row.tx_id,
          recordTxId: row.tx_id,
          ref: row.ref,
          serviceId: row.service_id,
        });
      }
    } else if (row.subject_tx_id) {
      for (const entry of voidedIn.get(row.subject_tx_id) ?? []) {
        add(entry.agency_id, {
          kind: 'voided',
          txId: row.subject_tx_id,
          recordTxId: row.tx_id,
          ref: entry.ref,
          serviceId: entry.service_id,
        });
      }
    }
  }

  let added = 0;
  // Agencies in one order in every transaction, so two batches never wait on each other in a cycle.
  for (const agencyId of [...byAgency.keys()].sort()) {
    const agency = await trx
      .selectFrom('agencies')
      .select(['feed_head', 'webhook_url', 'disabled_at'])
      .where('agency_id', '=', agencyId)
      .$if(dialect === 'postgres', (q) => q.forUpdate())
      .executeTakeFirstOrThrow();
    const pending = byAgency.get(agencyId) ?? [];
    const present = new Set<string>();
    for (const part of chunks(pending.map((p) => p.recordTxId))) {
      for (const row of await trx
        .selectFrom('agency_feed')
        .select('record_tx_id')
        .where('agency_id', '=', agencyId)
        .where('record_tx_id', 'in', part)
        .execute()) {
        present.add(row.record_tx_id);
      }
    }
    const fresh = pending.filter((p) => !present.has(p.recordTxId));
    if (fresh.length === 0) continue;
    const values = fresh.map((entry, index) => ({
      agency_id: agencyId,
      position: agency.feed_head + index + 1,
      event_id: randomUUID(),
      kind: entry.kind,
      tx_id: entry.txId,
      record_tx_id: entry.recordTxId,
      ref: entry.ref,
      service_id: entry.serviceId,
      added_at: now.toISOString(),
      lease_owner: null,
      lease_until: null,
      deliveries: 0,
      acked_at: null,
      acked_by: null,
    }));
    for (const part of chunks(values, 200))
      await trx.insertInto('agency_feed').values(part).execute();
    await trx
      .updateTable('agencies')
      .set({ feed_head: agency.feed_head + fresh.length })
      .where('agency_id', '=', agencyId)
      .execute();
    if (agency.webhook_url && !agency.disabled_at) {
      await enqueueJobsIn(
        trx,
        values.map((value) => ({
          queue: WEBHOOK_QUEUE,
          key: `${agencyId}:${value.position}`,
          payload: { agencyId, position: value.position },
        })),
        now,
      );
    }
    added += fresh.length;
  }
  return added;
}

const toAgency = (
  row: Selectable<GatewayTables['agencies']>,
  services: string[],
): AgencySecrets => ({
  agencyId: row.agency_id,
  name: row.name,
  services,
  publicKey: ecPublicJwkSchema.parse(parseJson(row.public_key)),
  webhookUrl: row.webhook_url,
  createdAt: row.created_at,
  disabledAt: row.disabled_at,
  feedHead: row.feed_head,
  keyHash: row.key_hash,
  webhookSecret: row.webhook_secret,
});

const publicPart = ({ keyHash: _k, webhookSecret: _w, ...agency }: AgencySecrets): Agency => agency;

const detailOf = (text: string): StatusDetail => statusDetailSchema.parse(parseJson(text));

/** The agencies' tables over Kysely (see AgencyStore in ../agency/agencies.ts). */
export function agencyStore(
  db: Kysely<GatewayTables>,
  dialect: SqlDialect,
  now: () => Date,
): AgencyStore {
  const servicesOf = async (executor: Executor, agencyId: string): Promise<string[]> =>
    (
      await executor
        .selectFrom('agency_services')
        .select('service_id')
        .where('agency_id', '=', agencyId)
        .orderBy('service_id')
        .execute()
    ).map((row) => row.service_id);

  /** Takes the owners lock exclusive, gives `services` to `agencyId`, adds what was delivered. */
  const assignServices = async (
    trx: Trx,
    agencyId: string,
    services: string[],
  ): Promise<number> => {
    if (dialect === 'postgres')
      await sql`SELECT pg_advisory_xact_lock(${OWNERS_LOCK})`.execute(trx);
    const current = await servicesOf(trx, agencyId);
    const added = services.filter((service) => !current.includes(service));
    const removed = current.filter((service) => !services.includes(service));
    if (removed.length > 0) {
      await trx
        .deleteFrom('agency_services')
        .where('agency_id', '=', agencyId)
        .where('service_id', 'in', removed)
        .execute();
    }
    if (added.length === 0) return 0;
    const taken = await trx
      .selectFrom('agency_services')
      .select(['service_id', 'agency_id'])
      .where('service_id', 'in', added)
      .execute();
    if (taken.length > 0) {
      throw new AgencyConflictError(
        taken
          .map((row) => `service ${row.service_id} is owned by agency ${row.agency_id}`)
          .join('; '),
      );
    }
    await trx
      .insertInto('agency_services')
      .values(added.map((service_id) => ({ service_id, agency_id: agencyId })))
      .execute();
    // Applications of these services that were delivered before they had this owner, oldest
    // first, leaving out voided ones.
    const delivered = await trx
      .selectFrom('records as r')
      .leftJoin('records as v', (join) =>
        join.on('v.kind', '=', 'void').onRef('v.subject_tx_id', '=', 'r.tx_id'),
      )
      .select(['r.tx_id', 'r.kind', 'r.ref', 'r.service_id', 'r.subject_tx_id'])
      .where('r.kind', '=', 'transaction')
      .where('r.chain_state', '=', 'chained')
      .where('r.service_id', 'in', added)
      .where('v.tx_id', 'is', null)
      .orderBy('r.received_at')
      .orderBy('r.kiosk_id')
      .orderBy('r.seq')
      .execute();
    return appendToFeeds(trx, dialect, delivered, now(), { ownersLocked: true });
  };

  const entriesWithRecords = async (
    executor: Executor,
    rows: Array<Selectable<GatewayTables['agency_feed']>>,
  ): Promise<FeedEntry[]> => {
    const records = new Map<
      string,
      { record_json: string; personal_json: string | null; received_at: string }
    >();
    for (const part of chunks(rows.map((row) => row.record_tx_id))) {
      for (const record of await executor
        .selectFrom('records')
        .select(['tx_id', 'record_json', 'personal_json', 'received_at'])
        .where('tx_id', 'in', part)
        .execute()) {
        records.set(record.tx_id, record);
      }
    }
    return rows
      .sort((a, b) => a.position - b.position)
      .map((row) => {
        const record = records.get(row.record_tx_id);
        if (!record) throw new Error(`feed entry ${row.position} names a record the gateway lacks`);
        return {
          agencyId: row.agency_id,
          position: row.position,
          eventId: row.event_id,
          kind: row.kind,
          txId: row.tx_id,
          ref: row.ref,
          serviceId: row.service_id,
          record: gatewayRecordSchema.parse(parseJson(record.record_json)),
          ...(row.kind === 'delivered' && record.personal_json
            ? { personal: sealedBoxSchema.parse(parseJson(record.personal_json)) }
            : {}),
          receivedAt: record.received_at,
          addedAt: row.added_at,
          deliveries: row.deliveries,
          ackedAt: row.acked_at,
        };
      });
  };

  /** The application behind a reference (the first received, should two kiosks clash). */
  const application = (executor: Executor, ref: string) =>
    executor
      .selectFrom('records')
      .select(['tx_id', 'ref', 'service_id', 'kiosk_id', 'created_at', 'received_at'])
      .where('ref', '=', ref)
      .where('kind', '=', 'transaction')
      .orderBy('received_at')
      .limit(1)
      .executeTakeFirst();

  type AppRow = NonNullable<Awaited<ReturnType<typeof application>>>;
  const statusView = (
    app: AppRow,
    row: Selectable<GatewayTables['application_status']> | undefined,
  ): ApplicationStatus => ({
    ref: app.ref,
    txId: app.tx_id,
    serviceId: app.service_id,
    kioskId: app.kiosk_id,
    submittedAt: app.created_at,
    receivedAt: app.received_at,
    state: row ? applicationStateSchema.parse(row.state) : 'received',
    since: row?.since ?? app.received_at,
    detail: row ? detailOf(row.detail_json) : {},
    version: row?.version ?? 0,
  });
  const eventView = (row: Selectable<GatewayTables['status_events']>): StatusEvent => ({
    version: row.version,
    eventId: row.event_id,
    agencyId: row.agency_id,
    from: applicationStateSchema.parse(row.from_state),
    state: applicationStateSchema.parse(row.state),
    detail: detailOf(row.detail_json),
    occurredAt: row.occurred_at,
    recordedAt: row.recorded_at,
  });

  const postStatusOnce = (
    change: Parameters<AgencyStore['postStatus']>[0],
  ): Promise<StatusChangeResult> =>
    db.transaction().execute(async (trx): Promise<StatusChangeResult> => {
      const app = await application(trx, change.ref);
      const owner = app
        ? await trx
            .selectFrom('agency_services')
            .select('agency_id')
            .where('service_id', '=', app.service_id)
            .executeTakeFirst()
        : undefined;
      // Another agency's application is answered like one that does not exist.
      if (!app || owner?.agency_id !== change.agencyId) {
        return {
          result: 'unknown-reference',
          message: `no application ${change.ref} of this agency`,
        };
      }
      await trx
        .insertInto('application_status')
        .values({
          tx_id: app.tx_id,
          ref: app.ref,
          agency_id: change.agencyId,
          state: 'received',
          detail_json: '{}',
          since: app.received_at,
          version: 0,
          decided_at: null,
        })
        .onConflict((conflict) => conflict.column('tx_id').doNothing())
        .execute();
      // One change at a time per application, whichever gateway process takes it.
      const current = await trx
        .selectFrom('application_status')
        .selectAll()
        .where('tx_id', '=', app.tx_id)
        .$if(dialect === 'postgres', (q) => q.forUpdate())
        .executeTakeFirstOrThrow();
      const status = statusView(app, current);
      const earlier = await trx
        .selectFrom('status_events')
        .selectAll()
        .where('agency_id', '=', change.agencyId)
        .where('event_id', '=', change.eventId)
        .executeTakeFirst();
      if (earlier) {
        if (earlier.request_digest === change.digest && earlier.tx_id === app.tx_id) {
          return { result: 'duplicate', status, event: eventView(earlier) };
        }
        return {
          result: 'event-id-reused',
          message: `event ${change.eventId} was already used for a different change`,
          status,
        };
      }
      if (change.expectedState !== undefined && change.expectedState !== status.state) {
        return {
          result: 'state-mismatch',
          message: `the application is ${status.state}, not ${change.expectedState}`,
          status,
        };
      }
      if (status.version > 0 && change.occurredAt < status.since) {
        return {
          result: 'out-of-order',
          message: `occurredAt ${change.occurredAt} is before the current state's ${status.since}`,
          status,
        };
      }
      const problem = statusChangeProblem(status.state, change.state, change.detail);
      if (problem) return { result: problem.code, message: problem.message, status };
      const recordedAt = now().toISOString();
      const version = status.version + 1;
      const event = {
        agency_id: change.agencyId,
        event_id: change.eventId,
        tx_id: app.tx_id,
        ref: app.ref,
        version,
        from_state: status.state,
        state: change.state,
        detail_json: JSON.stringify(change.detail),
        occurred_at: change.occurredAt,
        recorded_at: recordedAt,
        request_digest: change.digest,
      };
      await trx.insertInto('status_events').values(event).execute();
      // The SMS alerts of this change commit with it (sync/server/sms).
      await queueStatusAlertsIn(
        trx,
        { txId: app.tx_id, ref: app.ref, version, state: change.state },
        now(),
      );
      const decided = (decisionStates as readonly string[]).includes(change.state);
      await trx
        .updateTable('application_status')
        .set({
          state: change.state,
          detail_json: event.detail_json,
          since: change.occurredAt,
          version,
          decided_at: current.decided_at ?? (decided ? change.occurredAt : null),
        })
        .where('tx_id', '=', app.tx_id)
        .execute();
      return {
        result: 'recorded',
        status: {
          ...status,
          state: change.state,
          since: change.occurredAt,
          detail: change.detail,
          version,
        },
        event: eventView(event),
      };
    });

  return {
    async register(agency) {
      try {
        return await db.transaction().execute(async (trx) => {
          const exists = await trx
            .selectFrom('agencies')
            .select('agency_id')
            .where('agency_id', '=', agency.agencyId)
            .executeTakeFirst();
          if (exists)
            throw new AgencyConflictError(`agency ${agency.agencyId} is already registered`);
          await trx
            .insertInto('agencies')
            .values({
              agency_id: agency.agencyId,
              name: agency.name,
              key_hash: agency.keyHash,
              public_key: JSON.stringify(agency.publicKey),
              webhook_url: agency.webhookUrl ?? null,
              webhook_secret: agency.webhookSecret ?? null,
              feed_head: 0,
              created_at: now().toISOString(),
              disabled_at: null,
            })
            .execute();
          return { backfilled: await assignServices(trx, agency.agencyId, agency.services) };
        });
      } catch (error) {
        // Two registrations of one id at once: the loser hits the primary key.
        if (!(error instanceof AgencyConflictError) && (await this.get(agency.agencyId))) {
          throw new AgencyConflictError(`agency ${agency.agencyId} is already registered`);
        }
        throw error;
      }
    },
    update(agencyId, change) {
      return db.transaction().execute(async (trx) => {
        const row = await trx
          .selectFrom('agencies')
          .select('agency_id')
          .where('agency_id', '=', agencyId)
          .executeTakeFirst();
        if (!row) throw new AgencyConflictError(`no agency ${agencyId}`);
        const set: Partial<GatewayTables['agencies']> = {};
        if (change.name !== undefined) set.name = change.name;
        if (change.keyHash !== undefined) set.key_hash = change.keyHash;
        if (change.publicKey !== undefined) set.public_key = JSON.stringify(change.publicKey);
        if (change.webhookUrl !== undefined) set.webhook_url = change.webhookUrl;
        if (change.webhookSecret !== undefined) set.webhook_secret = change.webhookSecret;
        if (change.disabled !== undefined)
          set.disabled_at = change.disabled ? now().toISOString() : null;
        if (Object.keys(set).length > 0) {
          await trx.updateTable('agencies').set(set).where('agency_id', '=', agencyId).execute();
        }
        const backfilled = change.services
          ? await assignServices(trx, agencyId, change.services)
          : 0;
        return { backfilled };
      });
    },
    async get(agencyId) {
      const row = await db
        .selectFrom('agencies')
        .selectAll()
        .where('agency_id', '=', agencyId)
        .executeTakeFirst();
      return row ? toAgency(row, await servicesOf(db, agencyId)) : undefined;
    },
    async list() {
      const rows = await db.selectFrom('agencies').selectAll().orderBy('agency_id').execute();
      const owned = await db
        .selectFrom('agency_services')
        .selectAll()
        .orderBy('service_id')
        .execute();
      return rows.map((row) =>
        publicPart(
          toAgency(
            row,
            owned.filter((s) => s.agency_id === row.agency_id).map((s) => s.service_id),
          ),
        ),
      );
    },

    async claimFeed(agencyId, consumer, limit, leaseMs) {
      const at = now().getTime();
      // A MATERIALIZED pick, as in the job queue's claim: the lease covers at most `limit`.
      const rows = await db
        .with(
          (cte) => cte('picked').materialized(),
          (qc) =>
            qc
              .selectFrom('agency_feed')
              .select('position')
              .where('agency_id', '=', agencyId)
              .where('acked_at', 'is', null)
              .where((w) => w.or([w('lease_until', 'is', null), w('lease_until', '<', at)]))
              .orderBy('position')
              .limit(limit)
              .$if(dialect === 'postgres', (q) => q.forUpdate().skipLocked()),
        )
        .updateTable('agency_feed')
        .set((eb) => ({
          lease_owner: consumer,
          lease_until: at + leaseMs,
          deliveries: eb('deliveries', '+', 1),
        }))
        .where('agency_id', '=', agencyId)
        .where('position', 'in', (eb) => eb.selectFrom('picked').select('picked.position'))
        .returningAll()
        .execute();
      return entriesWithRecords(db, rows);
    },
    async ackFeed(agencyId, ackedBy, positions) {
      if (positions.length === 0) return { acked: 0, unknown: [] };
      const unique = [...new Set(positions)];
      return db.transaction().execute(async (trx) => {
        const known = new Set(
          (
            await trx
              .selectFrom('agency_feed')
              .select('position')
              .where('agency_id', '=', agencyId)
              .where('position', 'in', unique)
              .execute()
          ).map((row) => row.position),
        );
        const updated = await trx
          .updateTable('agency_feed')
          .set({
            acked_at: now().toISOString(),
            acked_by: ackedBy,
            lease_owner: null,
            lease_until: null,
          })
          .where('agency_id', '=', agencyId)
          .where('position', 'in', unique)
          .where('acked_at', 'is', null)
          .executeTakeFirst();
        return {
          acked: Number(updated.numUpdatedRows),
          unknown: unique.filter((position) => !known.has(position)).sort((a, b) => a - b),
        };
      });
    },
    async readFeed(agencyId, after, limit) {
      const rows = await db
        .selectFrom('agency_feed')
        .selectAll()
        .where('agency_id', '=', agencyId)
        .where('position', '>', after)
        .orderBy('position')
        .limit(limit)
        .execute();
      return entriesWithRecords(db, rows);
    },
    async feedEntry(agencyId, position) {
      const rows = await db
        .selectFrom('agency_feed')
        .selectAll()
        .where('agency_id', '=', agencyId)
        .where('position', '=', position)
        .execute();
      return (await entriesWithRecords(db, rows))[0];
    },
    async feedCursor(agencyId) {
      const at = now().getTime();
      const [agency, open] = await Promise.all([
        db
          .selectFrom('agencies')
          .select('feed_head')
          .where('agency_id', '=', agencyId)
          .executeTakeFirst(),
        db
          .selectFrom('agency_feed')
          .select((eb) => [
            eb.fn.min<number>('position').as('first'),
            eb.fn.countAll<number>().as('unacked'),
            eb.fn
              .sum<number>(
                eb.case().when('lease_until', '>=', at).then(eb.lit(1)).else(eb.lit(0)).end(),
              )
              .as('leased'),
          ])
          .where('agency_id', '=', agencyId)
          .where('acked_at', 'is', null)
          .executeTakeFirst(),
      ]);
      const head = agency?.feed_head ?? 0;
      const first = open?.first == null ? null : Number(open.first);
      return {
        ackedThrough: first === null ? head : first - 1,
        head,
        unacked: Number(open?.unacked ?? 0),
        leased: Number(open?.leased ?? 0),
      };
    },

    async postStatus(change) {
      try {
        return await postStatusOnce(change);
      } catch (error) {
        // The same event id used at once for another application: one of them hits the key.
        const earlier = await db
          .selectFrom('status_events')
          .select(['request_digest', 'ref'])
          .where('agency_id', '=', change.agencyId)
          .where('event_id', '=', change.eventId)
          .executeTakeFirst();
        if (earlier) return postStatusOnce(change);
        throw error;
      }
    },
    async statusForAgency(agencyId, ref) {
      const app = await application(db, ref);
      if (!app) return undefined;
      const owner = await db
        .selectFrom('agency_services')
        .select('agency_id')
        .where('service_id', '=', app.service_id)
        .executeTakeFirst();
      if (owner?.agency_id !== agencyId) return undefined;
      const [row, events] = await Promise.all([
        db
          .selectFrom('application_status')
          .selectAll()
          .where('tx_id', '=', app.tx_id)
          .executeTakeFirst(),
        db
          .selectFrom('status_events')
          .selectAll()
          .where('tx_id', '=', app.tx_id)
          .orderBy('version')
          .execute(),
      ]);
      return { status: statusView(app, row), history: events.map(eventView) };
    },
    async statusByRefs(refs) {
      if (refs.length === 0) return [];
      const apps = await db
        .selectFrom('records')
        .select(['tx_id', 'ref', 'service_id', 'kiosk_id', 'created_at', 'received_at'])
        .where('ref', 'in', refs)
        .where('kind', '=', 'transaction')
        .orderBy('received_at')
        .execute();
      const first = new Map<string, AppRow>();
      for (const app of apps) if (!first.has(app.ref)) first.set(app.ref, app);
      const ids = [...first.values()].map((app) => app.tx_id);
      const rows =
        ids.length === 0
          ? []
          : await db
              .selectFrom('application_status')
              .selectAll()
              .where('tx_id', 'in', ids)
              .execute();
      const byTx = new Map(rows.map((row) => [row.tx_id, row]));
      return [...first.values()].map((app) => statusView(app, byTx.get(app.tx_id)));
    },

    async logCall(call) {
      await db
        .insertInto('agency_calls')
        .values({
          agency_id: call.agencyId,
          at: call.at,
          method: call.method,
          path: call.path.slice(0, 500),
          status: call.status,
          outcome: call.outcome.slice(0, 500),
        })
        .execute();
    },
    async listCalls(options = {}) {
      const rows = await db
        .selectFrom('agency_calls')
        .selectAll()
        .$if(options.agencyId !== undefined, (q) =>
          q.where('agency_id', '=', options.agencyId ?? ''),
        )
        .orderBy('id', 'desc')
        .limit(options.limit ?? 100)
        .execute();
      return rows.map((row) => ({
        agencyId: row.agency_id,
        at: row.at,
        method: row.method,
        path: row.path,
        status: row.status,
        outcome: row.outcome,
      }));
    },

    async decisionRows(fromDay) {
      const rows = await db
        .selectFrom('records as r')
        .leftJoin('records as v', (join) =>
          join.on('v.kind', '=', 'void').onRef('v.subject_tx_id', '=', 'r.tx_id'),
        )
        .leftJoin('application_status as s', 's.tx_id', 'r.tx_id')
        .leftJoin('agency_services as o', 'o.service_id', 'r.service_id')
        .select(['r.service_id', 'r.kiosk_id', 'r.created_at', 's.decided_at', 'o.agency_id'])
        .where('r.kind', '=', 'transaction')
        .where('r.created_at', '>=', fromDay)
        .where('v.tx_id', 'is', null)
        .orderBy('r.created_at')
        .execute();
      return rows.map((row) => ({
        serviceId: row.service_id,
        kioskId: row.kiosk_id,
        submittedAt: row.created_at,
        decidedAt: row.decided_at ?? null,
        tracked: row.agency_id !== null,
      }));
    },
  };
}
