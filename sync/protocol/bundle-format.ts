import { z } from 'zod';
import { sealedBoxSchemaUpTo } from './sealed-box';

/**
 * A USB bundle: a kiosk's undelivered chain segment in one file, for sites with no link for
 * days. The items are exactly what a batch carries (signed records and their sealed personal
 * fields), encrypted as one sealed box to the gateway's key, with the manifest as the box's
 * additional data and signed by the device key, so neither can be swapped or edited unnoticed.
 */
export const BUNDLE_FORMAT = 'service-point-bundle';
export const BUNDLE_VERSION = 1;
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const bundleManifestSchema = z
  .object({
    format: z.literal(BUNDLE_FORMAT),
    v: z.literal(BUNDLE_VERSION),
    bundleId: z.string().uuid(),
    kioskId: z.string().min(3).max(64),
    createdAt: z.string().datetime({ offset: true }),
    /** Records in the bundle, and how many of each kind. */
    count: z.number().int().min(1).max(100_000),
    kinds: z.record(z.string(), z.number().int().min(0)),
    fromSeq: z.number().int().min(1),
    toSeq: z.number().int().min(1),
    /** prevHash of the first record and hash of the last: where the segment sits in the chain. */
    prevHash: hex64,
    lastHash: hex64,
    /** SHA-256 of the canonical JSON of the items (before encryption). */
    itemsDigest: hex64,
  })
  .strict();
export type BundleManifest = z.infer<typeof bundleManifestSchema>;

/** The sealed items: a sealed box with room for a whole segment. */
export const bundleBoxSchema = sealedBoxSchemaUpTo(200_000_000);

export const bundleFileSchema = z
  .object({
    manifest: bundleManifestSchema,
    /** Device signature (ECDSA P-256, base64url) over the canonical JSON of the manifest. */
    manifestSig: z.string().regex(/^[A-Za-z0-9_-]{40,200}$/),
    items: bundleBoxSchema,
  })
  .strict();
export type BundleFile = z.infer<typeof bundleFileSchema>;

/** What the file on the drive is called: kiosk, seq range and a short id, nothing personal. */
export function bundleFileName(manifest: BundleManifest): string {
  return `${manifest.kioskId}-seq${manifest.fromSeq}-${manifest.toSeq}-${manifest.bundleId.slice(0, 8)}.spbundle`;
}
