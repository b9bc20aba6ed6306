import { z } from 'zod';
import { canonicalJson } from '../protocol/canonical-json';
import { bundleFileSchema } from '../protocol/bundle-format';
import type { BundleManifest } from '../protocol/bundle-format';
import { verifySignature } from '../protocol/device-signature';
import { sha256Hex } from '../protocol/encoding';
import { openSealed } from '../protocol/sealed-box';
import { batchItemSchema } from '../protocol/wire';
import type { ChainHead } from '../protocol/wire';
import { verifyItem } from './ingest';
import { nodeCrypto } from './node-crypto';
import type { SealingKey } from './sealing-key';
import type { GatewayStore, VerifiedItem } from './store';

/** Why a bundle was refused; a refused bundle changes nothing at the gateway. */
export type BundleRefusal =
  | 'not-a-bundle'
  | 'truncated'
  | 'malformed'
  | 'unknown-kiosk'
  | 'bad-manifest-signature'
  | 'unreadable'
  | 'manifest-mismatch'
  | 'invalid-record';

export type BundleImportResult =
  | {
      ok: true;
      manifest: BundleManifest;
      accepted: number;
      duplicate: number;
      rejected: Array<{ seq: number; reason: string }>;
      head: ChainHead;
    }
  | { ok: false; refusal: BundleRefusal; message: string };

/** Largest bundle file the gateway reads (about a year of a busy kiosk's records). */
export const MAX_BUNDLE_BYTES = 256 * 1024 * 1024;

const refuse = (refusal: BundleRefusal, message: string): BundleImportResult => ({
  ok: false,
  refusal,
  message,
});

/**
 * Imports a USB bundle through the same placement as a batch (`store.applyBatch`), so it is
 * idempotent by record id: importing a bundle twice, or importing it and then receiving the
 * same records by sync, yields `duplicate`, never a second row. Everything is checked before
 * anything is written: the manifest signature (device key), the sealed items (gateway key, the
 * manifest bound as additional data), the manifest's counts, range and digest, and every
 * record's hash, signature and personal fields. Any failure refuses the whole bundle.
 */
export async function importBundle(
  store: GatewayStore,
  sealing: SealingKey,
  text: string,
): Promise<BundleImportResult> {
  if (text.length > MAX_BUNDLE_BYTES) return refuse('malformed', 'the file is too large');
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch {
    // A bundle is one JSON object ({"items":…,"manifest":…}); a copy cut short still starts so.
    const looksLikeBundle = /^\s*\{"(items|manifest)"/.test(text);
    return looksLikeBundle
      ? refuse('truncated', 'the file ends early: it was not copied completely')
      : refuse('not-a-bundle', 'this is not a Service Point bundle file');
  }
  const file = bundleFileSchema.safeParse(json);
  if (!file.success) {
    const issue = file.error.issues[0];
    return refuse(
      'malformed',
      `the bundle is not in the expected form (${issue?.path.join('.') || 'file'}: ${issue?.message ?? ''})`,
    );
  }
  const { manifest, manifestSig, items: box } = file.data;
  const kiosk = await store.getKiosk(manifest.kioskId);
  if (!kiosk) {
    return refuse('unknown-kiosk', `kiosk ${manifest.kioskId} is not enrolled at this gateway`);
  }
  const manifestText = canonicalJson(manifest);
  if (!(await verifySignature(kiosk.publicKey, manifestText, manifestSig, nodeCrypto))) {
    return refuse(
      'bad-manifest-signature',
      'the manifest is not signed by this kiosk (it was edited or made elsewhere)',
    );
  }
  let itemsText: string;
  try {
    itemsText = await openSealed(sealing.privateJwk, box, manifestText, nodeCrypto);
  } catch {
    return refuse(
      'unreadable',
      'the records cannot be decrypted: the file was altered or cut short, or it was made for another gateway',
    );
  }
  if ((await sha256Hex(itemsText, nodeCrypto)) !== manifest.itemsDigest) {
    return refuse('manifest-mismatch', 'the records do not match the manifest digest');
  }
  const parsedItems = z.array(batchItemSchema).safeParse(JSON.parse(itemsText) as unknown);
  if (!parsedItems.success) return refuse('malformed', 'the records are not in the expected form');
  const items = parsedItems.data;
  const first = items[0];
  const last = items[items.length - 1];
  const kinds: Record<string, number> = {};
  for (const item of items) kinds[item.record.kind] = (kinds[item.record.kind] ?? 0) + 1;
  if (
    !first ||
    !last ||
    items.length !== manifest.count ||
    first.record.seq !== manifest.fromSeq ||
    last.record.seq !== manifest.toSeq ||
    first.record.prevHash !== manifest.prevHash ||
    last.record.hash !== manifest.lastHash ||
    canonicalJson(kinds) !== canonicalJson(manifest.kinds)
  ) {
    return refuse('manifest-mismatch', 'the records do not match the manifest counts or range');
  }
  const reasons = await Promise.all(items.map((item) => verifyItem(kiosk, item, sealing)));
  const verified: VerifiedItem[] = [];
  for (const [index, item] of items.entries()) {
    const { record } = item;
    const reason = reasons[index];
    if (reason) {
      return refuse('invalid-record', `record seq ${record.seq} failed verification: ${reason}`);
    }
    verified.push(item.personal ? { record, personal: item.personal } : { record });
  }
  const applied = await store.applyBatch(manifest.kioskId, verified);
  let accepted = 0;
  let duplicate = 0;
  const rejected: Array<{ seq: number; reason: string }> = [];
  for (const result of applied.results) {
    if (result.status === 'accepted') accepted += 1;
    else if (result.status === 'duplicate') duplicate += 1;
    else rejected.push({ seq: result.seq, reason: result.reason ?? 'rejected' });
  }
  return { ok: true, manifest, accepted, duplicate, rejected, head: applied.head };
}

/** One line for the CLI and the upload page. */
export function describeImport(result: BundleImportResult): string {
  if (!result.ok) return `refused (${result.refusal}): ${result.message}`;
  const { manifest } = result;
  return (
    `imported bundle ${manifest.bundleId} from ${manifest.kioskId}: seq ${manifest.fromSeq}-${manifest.toSeq}, ` +
    `${manifest.count} records: ${result.accepted} accepted, ${result.duplicate} duplicate, ` +
    `${result.rejected.length} rejected; chain head now seq ${result.head.seq}`
  );
}
