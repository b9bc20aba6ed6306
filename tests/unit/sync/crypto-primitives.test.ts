import 'fake-indexeddb/auto';
import { describe, expect, it } from 'vitest';
import { publicJwkOf, webCrypto } from '../../../sync/protocol/crypto-primitives';
import type { CryptoPrimitives } from '../../../sync/protocol/crypto-primitives';
import {
  exportPublicKey,
  generateDeviceKeyPair,
  signText,
  verifySignature,
} from '../../../sync/protocol/device-signature';
import {
  fromBase64Url,
  sha256Hex,
  toBase64Url,
  toHex,
  utf8,
} from '../../../sync/protocol/encoding';
import { checkRecord } from '../../../sync/protocol/record-check';
import { generateSealingKey, openSealed, sealTo } from '../../../sync/protocol/sealed-box';
import { nodeCrypto } from '../../../sync/server/node-crypto';
import { makeChain } from '../../support/chain-fixture';

const hex = (text: string): Uint8Array => Uint8Array.from(Buffer.from(text, 'hex'));
const backends: Array<{ name: string; primitives: CryptoPrimitives }> = [
  { name: 'WebCrypto', primitives: webCrypto },
  { name: 'node:crypto', primitives: nodeCrypto },
];

describe.each(backends)('the crypto primitives over $name', ({ primitives }) => {
  it('hash with SHA-256 (FIPS 180-2 example "abc")', async () => {
    expect(await sha256Hex('abc', primitives)).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('derive keys with HKDF-SHA-256 (RFC 5869 test case 1)', async () => {
    const okm = await primitives.hkdfSha256(
      hex('0b'.repeat(22)),
      hex('000102030405060708090a0b0c'),
      hex('f0f1f2f3f4f5f6f7f8f9'),
      42,
    );
    expect(toHex(okm)).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('encrypt with AES-256-GCM (GCM specification test case 16) and refuse a changed bit', async () => {
    const key = hex('feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308');
    const iv = hex('cafebabefacedbaddecaf888');
    const aad = hex('feedfacedeadbeeffeedfacedeadbeefabaddad2');
    const plain = hex(
      'd9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72' +
        '1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39',
    );
    const sealed = await primitives.aesGcmEncrypt(key, iv, aad, plain);
    expect(toHex(sealed)).toBe(
      '522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa' +
        '8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662' +
        '76fc6ece0f4e1768cddf8853bb2d551b',
    );
    expect(toHex(await primitives.aesGcmDecrypt(key, iv, aad, sealed))).toBe(toHex(plain));
    const flipped = Uint8Array.from(sealed);
    flipped[3] = (flipped[3] ?? 0) ^ 1;
    await expect(primitives.aesGcmDecrypt(key, iv, aad, flipped)).rejects.toThrow();
    await expect(primitives.aesGcmDecrypt(key, iv, utf8('other'), sealed)).rejects.toThrow();
  });

  it.each(backends)('agree on an ECDH secret with $name', async ({ primitives: other }) => {
    const recipient = await generateSealingKey();
    const { publicKey, sharedSecret } = await primitives.ecdhEphemeral(publicJwkOf(recipient));
    expect(sharedSecret).toHaveLength(32);
    expect(toHex(await other.ecdh(recipient, publicKey))).toBe(toHex(sharedSecret));
  });

  it('refuse an ECDH peer that is not a point of P-256', async () => {
    const recipient = await generateSealingKey();
    const offCurve = { ...publicJwkOf(recipient), y: toBase64Url(new Uint8Array(32).fill(7)) };
    await expect(primitives.ecdh(recipient, offCurve)).rejects.toThrow();
  });

  it('verify a device signature made with WebCrypto, and only that one', async () => {
    const keys = await generateDeviceKeyPair();
    const publicKey = await exportPublicKey(keys.publicKey);
    const signature = await signText(keys.privateKey, 'SP1\nPOST\n/v1/x');
    expect(await verifySignature(publicKey, 'SP1\nPOST\n/v1/x', signature, primitives)).toBe(true);
    expect(await verifySignature(publicKey, 'SP1\nPOST\n/v1/y', signature, primitives)).toBe(false);
    expect(await verifySignature(publicKey, 'SP1\nPOST\n/v1/x', 'not base64!', primitives)).toBe(
      false,
    );
    const other = await exportPublicKey((await generateDeviceKeyPair()).publicKey);
    expect(await verifySignature(other, 'SP1\nPOST\n/v1/x', signature, primitives)).toBe(false);
  });
});

describe('the protocol operations on either primitives', () => {
  it.each(backends.flatMap((seal) => backends.map((open) => ({ seal, open }))))(
    'open with $open.name a box sealed with $seal.name, and refuse every altered copy',
    async ({ seal, open }) => {
      const recipient = await generateSealingKey();
      const text = '{"fields":{"fullName":"María José Pérez"},"salt":"abcdefghijklmnopqrstuv"}';
      const box = await sealTo(publicJwkOf(recipient), text, 'tx-1', seal.primitives);
      expect(box.ct).not.toContain('Mar');
      expect(await openSealed(recipient, box, 'tx-1', open.primitives)).toBe(text);
      await expect(openSealed(recipient, box, 'tx-2', open.primitives)).rejects.toThrow();
      const bytes = fromBase64Url(box.ct);
      bytes[0] = (bytes[0] ?? 0) ^ 1;
      await expect(
        openSealed(recipient, { ...box, ct: toBase64Url(bytes) }, 'tx-1', open.primitives),
      ).rejects.toThrow();
      await expect(
        openSealed(await generateSealingKey(), box, 'tx-1', open.primitives),
      ).rejects.toThrow();
      await expect(
        openSealed(recipient, { ...box, iv: box.iv.slice(0, 12) }, 'tx-1', open.primitives),
      ).rejects.toThrow('malformed sealed box');
      await expect(
        openSealed(recipient, { ...box, epk: { ...box.epk, x: 'AAAA' } }, 'tx-1', open.primitives),
      ).rejects.toThrow('malformed ephemeral key');
    },
  );

  it.each(backends)('check records the same way on $name', async ({ primitives }) => {
    const { records, publicKey } = await makeChain('primitives-kiosk', 2);
    const [r1, r2] = records;
    if (!r1 || !r2) throw new Error('fixture');
    expect(await checkRecord(r1, publicKey, primitives)).toEqual({ ok: true });
    expect(await checkRecord({ ...r1, hash: r2.hash }, publicKey, primitives)).toEqual({
      ok: false,
      reason: 'hash-mismatch',
    });
    expect(await checkRecord({ ...r1, sig: r2.sig }, publicKey, primitives)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
    const body = { ...r1.body, fields: { ...r1.body.fields, district: 'belize' } };
    expect(await checkRecord({ ...r1, body }, publicKey, primitives)).toEqual({
      ok: false,
      reason: 'hash-mismatch',
    });
    const stranger = await exportPublicKey((await generateDeviceKeyPair()).publicKey);
    expect(await checkRecord(r1, stranger, primitives)).toEqual({
      ok: false,
      reason: 'bad-signature',
    });
  });
});
