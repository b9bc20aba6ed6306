import {
  exportEcPublicJwk,
  generateSealingKeyPair,
  importSealingPrivateKey,
} from '../protocol/sealed-box';
import type { EcPublicJwk } from '../protocol/sealed-box';
import type { ECDH } from 'node:crypto';
import { sealingEcdh } from './open-sealed';
import type { GatewayStore } from './store';

export interface SealingKey {
  privateKey: CryptoKey;
  /** The same private key for synchronous node:crypto (open-sealed.ts). */
  privateEcdh: ECDH;
  publicJwk: EcPublicJwk;
}

const SETTING = 'sealing-key.v1';

/**
 * The gateway's key for personal fields: created on first start and kept in the store, so every
 * gateway process on the same database opens the same boxes (the first writer wins a race).
 * It is stored as a JWK in the database: protect the database like the personal data it unlocks.
 */
export async function loadOrCreateSealingKey(store: GatewayStore): Promise<SealingKey> {
  let stored = await store.getSetting(SETTING);
  if (!stored) {
    const pair = await generateSealingKeyPair();
    const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
    stored = await store.putSettingIfAbsent(SETTING, JSON.stringify(jwk));
  }
  const jwk = JSON.parse(stored) as JsonWebKey;
  const privateKey = await importSealingPrivateKey(jwk);
  const publicJwk = await exportEcPublicJwk(
    await crypto.subtle.importKey(
      'jwk',
      { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y, ext: true },
      { name: 'ECDH', namedCurve: 'P-256' },
      true,
      [],
    ),
  );
  return { privateKey, privateEcdh: sealingEcdh(jwk), publicJwk };
}
