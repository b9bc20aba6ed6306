import { ecPrivateJwkSchema, publicJwkOf } from '../protocol/crypto-primitives';
import type { EcPrivateJwk, EcPublicJwk } from '../protocol/crypto-primitives';
import { generateSealingKey } from '../protocol/sealed-box';
import { nodeCrypto } from './node-crypto';
import type { GatewayStore } from './store';

export interface SealingKey {
  /** Opens sealed boxes (`openSealed` in sync/protocol/sealed-box.ts). */
  privateJwk: EcPrivateJwk;
  /** Sent to kiosks in their config reply; they seal to it. */
  publicJwk: EcPublicJwk;
}

/** The setting that holds the key (a private JWK); a bench seeds it to reuse sealed batches. */
export const SEALING_KEY_SETTING = 'sealing-key.v1';
const SETTING = SEALING_KEY_SETTING;

/**
 * The gateway's key for personal fields: created on first start and kept in the store, so every
 * gateway process on the same database opens the same boxes (the first writer wins a race).
 * It is stored as a JWK in the database: protect the database like the personal data it unlocks.
 * Throws, saying so, when the stored key is damaged.
 */
export async function loadOrCreateSealingKey(store: GatewayStore): Promise<SealingKey> {
  let stored = await store.getSetting(SETTING);
  if (!stored) {
    stored = await store.putSettingIfAbsent(SETTING, JSON.stringify(await generateSealingKey()));
  }
  let privateJwk: EcPrivateJwk;
  try {
    privateJwk = ecPrivateJwkSchema.parse(JSON.parse(stored) as unknown);
    const publicJwk = publicJwkOf(privateJwk);
    // The key agrees with its own public half only if both are sound.
    await nodeCrypto.ecdh(privateJwk, publicJwk);
    return { privateJwk, publicJwk };
  } catch (error) {
    throw new Error(
      `the gateway's sealing key (setting ${SETTING}) is damaged: ${(error as Error).message}`,
      { cause: error },
    );
  }
}
