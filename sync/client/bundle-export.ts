import { canonicalJson } from '../protocol/canonical-json';
import { signText } from '../protocol/device-signature';
import { sha256Hex } from '../protocol/encoding';
import {
  BUNDLE_FORMAT,
  BUNDLE_VERSION,
  bundleFileName,
  bundleFileSchema,
} from '../protocol/bundle-format';
import type { BundleFile, BundleManifest } from '../protocol/bundle-format';
import { ecPublicJwkSchema } from '../protocol/crypto-primitives';
import { sealTo } from '../protocol/sealed-box';
import type { AcksReply, BatchItem } from '../protocol/wire';
import type { KioskDatabase } from './db';
import { queuedRows, readMeta, writeMeta } from './db';
import { decryptLocal } from './data-key';
import { SyncError } from './sync-error';

export interface BundleExportDeps {
  db: KioskDatabase;
  kioskId: string;
  keys: CryptoKeyPair;
  dataKey?: CryptoKey;
  now?: () => Date;
}

/** Where the engine keeps the gateway config (engine.ts CONFIG_KEY); the key is all we need. */
const GATEWAY_CONFIG_KEY = 'gateway-config';
const PENDING_KEY = 'bundle-pending';

export interface ExportedBundle {
  fileName: string;
  text: string;
  manifest: BundleManifest;
}

/**
 * Makes a USB bundle of every record still queued: the same items a batch would carry (personal
 * fields sealed to the gateway as at send time), then the whole list sealed to the gateway's
 * key with the manifest as additional data, and the manifest signed by the device key.
 * The rows stay queued: they are marked delivered only when the gateway says it holds them.
 */
export async function exportBundle(deps: BundleExportDeps): Promise<ExportedBundle> {
  const now = deps.now ?? (() => new Date());
  const cached = await readMeta<{ gatewayKey?: unknown }>(deps.db, GATEWAY_CONFIG_KEY);
  const jwk = ecPublicJwkSchema.safeParse(cached?.gatewayKey);
  if (!jwk.success) {
    throw new SyncError('bundle-export-failed', {
      reason: 'the gateway key is not known yet: this kiosk must reach the gateway once first',
    });
  }
  const gatewayKey = jwk.data;
  const rows = await queuedRows(deps.db, 100_000);
  if (rows.length === 0) {
    throw new SyncError('bundle-export-failed', { reason: 'nothing is waiting to be delivered' });
  }
  const items: BatchItem[] = [];
  const kinds: Record<string, number> = {};
  for (const row of rows) {
    kinds[row.record.kind] = (kinds[row.record.kind] ?? 0) + 1;
    if (row.record.kind !== 'transaction' || !row.record.body.personal || !row.personalLocal) {
      items.push({ record: row.record });
      continue;
    }
    if (!deps.dataKey) throw new SyncError('no-data-key');
    const plaintext = await decryptLocal(deps.dataKey, row.personalLocal, row.txId);
    items.push({ record: row.record, personal: await sealTo(gatewayKey, plaintext, row.txId) });
  }
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) throw new SyncError('bundle-export-failed', { reason: 'no rows' });
  const itemsText = canonicalJson(items);
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    v: BUNDLE_VERSION,
    bundleId: crypto.randomUUID(),
    kioskId: deps.kioskId,
    createdAt: now().toISOString(),
    count: items.length,
    kinds,
    fromSeq: first.seq,
    toSeq: last.seq,
    prevHash: first.record.prevHash,
    lastHash: last.record.hash,
    itemsDigest: await sha256Hex(itemsText),
  };
  const manifestText = canonicalJson(manifest);
  const file: BundleFile = bundleFileSchema.parse({
    manifest,
    manifestSig: await signText(deps.keys.privateKey, manifestText),
    items: await sealTo(gatewayKey, itemsText, manifestText),
  });
  await writeMeta(deps.db, PENDING_KEY, { fromSeq: first.seq, toSeq: last.seq });
  return { fileName: bundleFileName(manifest), text: `${canonicalJson(file)}\n`, manifest };
}

/**
 * Marks queued rows delivered when the gateway says it holds them with the same hash, however
 * they got there (a USB bundle imported elsewhere). Returns how many rows were marked.
 */
export async function applyAcks(db: KioskDatabase, acks: AcksReply, at: number): Promise<number> {
  let marked = 0;
  await db.transaction('rw', db.outbox, async () => {
    for (const held of acks.records) {
      const row = await db.outbox.get(held.seq);
      if (!row || row.state !== 'queued') continue;
      if (row.txId !== held.id || row.record.hash !== held.hash) continue;
      await db.outbox.update(held.seq, { state: 'delivered', deliveredAt: at });
      marked += 1;
    }
  });
  return marked;
}

/**
 * After a bundle was exported, asks the gateway (`GET …/acks`) what it holds of the bundled
 * range before sending anything, so a slow link does not carry records a bundle already
 * delivered. Does nothing when no bundle is pending.
 */
export async function reconcileBundleAcks(
  db: KioskDatabase,
  getAcks: (fromSeq: number) => Promise<AcksReply>,
  now: () => number = () => Date.now(),
): Promise<number> {
  const pending = await readMeta<{ fromSeq: number; toSeq: number }>(db, PENDING_KEY);
  if (!pending) return 0;
  let fromSeq = pending.fromSeq;
  let marked = 0;
  for (let page = 0; page < 100; page += 1) {
    const acks = await getAcks(fromSeq);
    marked += await applyAcks(db, acks, now());
    const lastSeq = acks.records[acks.records.length - 1]?.seq;
    if (!acks.more || lastSeq === undefined || lastSeq >= pending.toSeq) break;
    fromSeq = lastSeq + 1;
  }
  const stillQueued = await db.outbox
    .where('[state+seq]')
    .between(['queued', pending.fromSeq], ['queued', pending.toSeq], true, true)
    .count();
  if (stillQueued === 0) await db.meta.delete(PENDING_KEY);
  return marked;
}
