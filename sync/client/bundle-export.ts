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
import { sealTo } from '../protocol/sealed-box';
import type { AcksReply } from '../protocol/wire';
import { UNREADABLE_REASON, toBatchItems } from './batch-items';
import type { CommitDeps } from './commit';
import type { OutboxStore } from './store/outbox-store';
import { SyncError } from './sync-error';

/** What a bundle needs of the kiosk: the same as a commit (the runtime's `chain`). */
export type BundleExportDeps = Pick<CommitDeps, 'store' | 'kioskId' | 'keys' | 'dataKey' | 'now'>;

export interface ExportedBundle {
  fileName: string;
  text: string;
  manifest: BundleManifest;
  /**
   * Records left out because their own copy of the personal fields cannot be opened: they are
   * marked rejected on the kiosk (as the sync engine does), for an officer to retry.
   */
  unreadable: number;
}

/**
 * Makes a USB bundle of every record still queued: the same items a batch would carry, from the
 * same sealing loop (batch-items.ts: personal fields sealed to the gateway as at send time), then the whole list sealed to the gateway's
 * key with the manifest as additional data, and the manifest signed by the device key.
 * The rows stay queued: they are marked delivered only when the gateway says it holds them.
 */
export async function exportBundle(deps: BundleExportDeps): Promise<ExportedBundle> {
  const now = deps.now ?? (() => new Date());
  const cached = await deps.store.readSetting('gateway-config');
  if (!cached) {
    throw new SyncError('bundle-export-failed', {
      reason: 'the gateway key is not known yet: this kiosk must reach the gateway once first',
    });
  }
  const gatewayKey = cached.gatewayKey;
  const queued = await deps.store.queued(100_000);
  if (queued.length === 0) {
    throw new SyncError('bundle-export-failed', {
      reason: 'nothing is waiting to be delivered',
      nothingQueued: true,
    });
  }
  const { rows, items, unreadable } = await toBatchItems(queued, {
    dataKey: deps.dataKey,
    gatewayKey: async () => gatewayKey,
  });
  if (unreadable.length > 0) {
    await deps.store.settle(
      unreadable.map((row) => ({ seq: row.seq, outcome: 'rejected', reason: UNREADABLE_REASON })),
      now().getTime(),
    );
  }
  const kinds: Record<string, number> = {};
  for (const row of rows) kinds[row.record.kind] = (kinds[row.record.kind] ?? 0) + 1;
  const first = rows[0];
  const last = rows[rows.length - 1];
  if (!first || !last) {
    throw new SyncError('bundle-export-failed', {
      reason: 'no record could be read: their personal data cannot be decrypted on this kiosk',
    });
  }
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
  await deps.store.writeSetting('bundle-pending', { fromSeq: first.seq, toSeq: last.seq });
  return {
    fileName: bundleFileName(manifest),
    text: `${canonicalJson(file)}\n`,
    manifest,
    unreadable: unreadable.length,
  };
}

/**
 * After a bundle was exported, asks the gateway (`GET …/acks`) what it holds of the bundled
 * range before sending anything, so a slow link does not carry records a bundle already
 * delivered: queued rows the gateway holds with the same id and hash are marked delivered,
 * however they got there. Does nothing when no bundle is pending. Returns how many were marked.
 */
export async function reconcileBundleAcks(
  store: OutboxStore,
  getAcks: (fromSeq: number) => Promise<AcksReply>,
  now: () => number = () => Date.now(),
): Promise<number> {
  const pending = await store.readSetting('bundle-pending');
  if (!pending) return 0;
  let fromSeq = pending.fromSeq;
  let marked = 0;
  for (let page = 0; page < 100; page += 1) {
    const acks = await getAcks(fromSeq);
    marked += await store.confirmHeld(acks.records, now());
    const lastSeq = acks.records[acks.records.length - 1]?.seq;
    if (!acks.more || lastSeq === undefined || lastSeq >= pending.toSeq) break;
    fromSeq = lastSeq + 1;
  }
  if ((await store.countQueued(pending)) === 0) await store.deleteSetting('bundle-pending');
  return marked;
}
