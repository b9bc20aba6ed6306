import { describe, expect, it } from 'vitest';
import { generateSealingKeyPair, openSealed, sealTo } from '../../../sync/protocol/sealed-box';
import { openSealedSync, sealingEcdh } from '../../../sync/server/open-sealed';

async function recipient() {
  const pair = await generateSealingKeyPair();
  const jwk = await crypto.subtle.exportKey('jwk', pair.privateKey);
  return { pair, ecdh: sealingEcdh(jwk) };
}

describe("the gateway's synchronous sealed-box opener", () => {
  it('opens what a kiosk sealed with WebCrypto, giving the same text as the WebCrypto opener', async () => {
    const { pair, ecdh } = await recipient();
    const text = '{"fields":{"fullName":"María José Pérez"},"salt":"abcdefghijklmnopqrstuv"}';
    const box = await sealTo(pair.publicKey, text, 'tx-1');
    expect(openSealedSync(ecdh, box, 'tx-1')).toBe(text);
    expect(await openSealed(pair.privateKey, box, 'tx-1')).toBe(text);
  });

  it('refuses a box moved to another transaction, altered by one bit, or sealed to another key', async () => {
    const { pair, ecdh } = await recipient();
    const other = await recipient();
    const box = await sealTo(pair.publicKey, 'secret', 'tx-1');
    expect(() => openSealedSync(ecdh, box, 'tx-2')).toThrow();
    const bytes = Buffer.from(box.ct, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 1;
    expect(() =>
      openSealedSync(ecdh, { ...box, ct: bytes.toString('base64url') }, 'tx-1'),
    ).toThrow();
    expect(() => openSealedSync(other.ecdh, box, 'tx-1')).toThrow();
  });
});
