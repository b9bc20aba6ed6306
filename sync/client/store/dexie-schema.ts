import Dexie from 'dexie';
import type { EntityTable, Transaction } from 'dexie';
import { z } from 'zod';
import { chainRecordSchema } from '../../protocol/records';
import { officerRosterSchema } from '../../protocol/officer-roster';
import { ecPublicJwkSchema } from '../../protocol/crypto-primitives';
import { decisionStatusSchema } from '../../protocol/wire';
import type { DeadLetterRow, OutboxRow, SeenStatus, SettingKey, Settings } from './outbox-store';

/**
 * The IndexedDB layout of the outbox store: tables, indexes, every schema version the kiosk has
 * shipped, and the schemas rows are parsed with when read back. Only the store
 * (`dexie-outbox-store.ts`) uses it. A new version is appended (never edited) with an upgrade
 * that keeps every queued row.
 */
export interface MetaRow {
  key: string;
  value: unknown;
}

const localCiphertextSchema = z.object({ iv: z.string().min(1), ct: z.string().min(1) }).strict();

export const outboxRowSchema = z
  .object({
    seq: z.number().int().min(1),
    txId: z.string().uuid(),
    ref: z.string().min(1).optional(),
    serviceId: z.string().min(1).optional(),
    state: z.enum(['queued', 'delivered', 'rejected', 'purged']),
    record: chainRecordSchema,
    queuedAt: z.number(),
    deliveredAt: z.number().optional(),
    rejectReason: z.string().optional(),
    attempts: z.number().int().min(0),
    personalLocal: localCiphertextSchema.optional(),
    purgedAt: z.number().optional(),
    legacyPlaintext: z.boolean().optional(),
  })
  .strict()
  .refine(
    (row) =>
      row.seq === row.record.seq &&
      row.txId === row.record.body.txId &&
      (row.record.kind === 'transaction' ? row.ref === row.record.body.ref : row.ref === undefined),
    { message: 'row keys do not match its record' },
  );

const cryptoKey = z.custom<CryptoKey>((value) => value instanceof CryptoKey, 'not a CryptoKey');
const pinFailuresSchema = z.object({
  count: z.number().int().min(0),
  lockedUntil: z.number().optional(),
});
const configDigestSchema = z.object({ version: z.string(), digest: z.string() });

/** How each setting is parsed when read back (see `Settings`). */
export const settingSchemas: { [K in SettingKey]: z.ZodType<Settings[K]> } = {
  'device-key': z.object({ privateKey: cryptoKey, publicKey: cryptoKey }),
  enrolled: z.boolean(),
  'gateway-config': z.object({
    etag: z.string().optional(),
    gatewayKey: ecPublicJwkSchema,
    checkedAt: z.number(),
    protocol: z.union([z.literal(1), z.literal(2)]).optional(),
  }),
  'bundle-pending': z.object({ fromSeq: z.number().int(), toSeq: z.number().int() }),
  'officer-roster': officerRosterSchema,
  'open-receipt': z.object({ txId: z.string().min(1), at: z.number() }).strict(),
  'officer-pin-failures': z.record(z.string(), pinFailuresSchema),
  'operator-pin-failures': pinFailuresSchema,
  'link-estimate': z
    .object({
      at: z.number(),
      minRttMs: z.number().positive(),
      rttMs: z.number().positive(),
      bytesPerSecond: z.number().positive(),
      batchRate: z.number().positive(),
      batchBytes: z.number().positive(),
    })
    .strict(),
  'config-digests': z
    .object({
      site: configDigestSchema.optional(),
      catalogue: configDigestSchema.optional(),
      roster: configDigestSchema.optional(),
    })
    .partial(),
};

/** Seen statuses live in the meta table under `status:<ref>` (no schema change). */
export const SEEN_STATUS_PREFIX = 'status:';
export const seenStatusSchema: z.ZodType<SeenStatus> = decisionStatusSchema.extend({
  checkedAt: z.number().int().min(0),
});

/** The meta key of the chain head: written only with the row that moves it. */
export const HEAD_KEY = 'chain-head';

export interface SchemaVersion {
  version: number;
  stores: Record<string, string | null>;
  upgrade?: (tx: Transaction) => Promise<unknown>;
}

/** Every schema the kiosk has shipped, oldest first. Dexie upgrades through them in order. */
export const schemaVersions: readonly SchemaVersion[] = [
  {
    version: 1,
    stores: { outbox: 'seq, &txId, &ref, state, [state+seq]', meta: 'key' },
  },
  {
    // v2: dead letters; an index for the retention purge; rows from v1 are marked as holding
    // plaintext (their signed records cannot be re-encrypted without breaking the chain).
    version: 2,
    stores: {
      outbox: 'seq, &txId, &ref, state, [state+seq], [state+deliveredAt]',
      meta: 'key',
      deadLetters: '++id, at',
    },
    upgrade: (tx) =>
      tx
        .table('outbox')
        .toCollection()
        .modify((row: Record<string, unknown>) => {
          row.legacyPlaintext = true;
        }),
  },
];

export const CURRENT_SCHEMA_VERSION = 2;

export class KioskDatabase extends Dexie {
  outbox!: EntityTable<OutboxRow, 'seq'>;
  meta!: EntityTable<MetaRow, 'key'>;
  deadLetters!: EntityTable<DeadLetterRow, 'id'>;

  constructor(name: string, options?: ConstructorParameters<typeof Dexie>[1]) {
    super(name, options);
    for (const schema of schemaVersions) {
      const version = this.version(schema.version).stores(schema.stores);
      if (schema.upgrade) version.upgrade(schema.upgrade);
    }
  }
}

/** One database per kiosk id, so a re-enrolled kiosk never mixes chains. */
export function kioskDatabaseName(kioskId: string): string {
  return `service-point:${kioskId}`;
}

export function openKioskDatabase(
  kioskId: string,
  options?: ConstructorParameters<typeof Dexie>[1],
): KioskDatabase {
  return new KioskDatabase(kioskDatabaseName(kioskId), options);
}
