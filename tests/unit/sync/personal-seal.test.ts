import { describe, expect, it } from 'vitest';
import { openPersonalBatch, sealPersonalBatch } from '../../../sync/protocol/personal-seal';
import { publicJwkOf } from '../../../sync/protocol/crypto-primitives';
import { fromBase64Url } from '../../../sync/protocol/encoding';
import { generateSealingKey } from '../../../sync/protocol/sealed-box';

describe('personal fields sealed once per batch (HPKE after DEFLATE)', () => {
  it('opens to the same entries, in order, with the gateway key and the same aad', async () => {
    const key = await generateSealingKey();
    const payloads = [
      JSON.stringify({ salt: 'a'.repeat(22), fields: { fullName: 'Kagiso Molefe' } }),
      null,
      JSON.stringify({ salt: 'b'.repeat(22), fields: { fullName: 'Rosa Castillo' } }),
    ];
    const sealed = await sealPersonalBatch(publicJwkOf(key), payloads, 'kiosk\nbatch-1');
    expect(fromBase64Url(sealed.enc)).toHaveLength(65);
    expect(await openPersonalBatch(key, sealed, 'kiosk\nbatch-1')).toEqual([
      { salt: 'a'.repeat(22), fields: { fullName: 'Kagiso Molefe' } },
      null,
      { salt: 'b'.repeat(22), fields: { fullName: 'Rosa Castillo' } },
    ]);
  });

  it('cannot be opened with another aad or another key, nor read in the sealed bytes', async () => {
    const key = await generateSealingKey();
    const other = await generateSealingKey();
    const payload = JSON.stringify({ salt: 'c'.repeat(22), fields: { nationalId: '123456789' } });
    const sealed = await sealPersonalBatch(publicJwkOf(key), [payload], 'kiosk\nbatch-1');
    await expect(openPersonalBatch(key, sealed, 'kiosk\nbatch-2')).rejects.toThrow();
    await expect(openPersonalBatch(other, sealed, 'kiosk\nbatch-1')).rejects.toThrow();
    expect(new TextDecoder().decode(fromBase64Url(sealed.ct))).not.toContain('123456789');
  });

  it('compresses what repeats across a batch before sealing', async () => {
    const key = await generateSealingKey();
    const payloads = Array.from({ length: 50 }, (_, i) =>
      JSON.stringify({
        salt: `salt${String(i).padStart(18, '0')}`,
        fields: { fullName: 'Kagiso Molefe', district: 'Kweneng', dateOfBirth: '1984-03-12' },
      }),
    );
    const sealed = await sealPersonalBatch(publicJwkOf(key), payloads, 'aad');
    const plainBytes = payloads.join(',').length;
    expect(fromBase64Url(sealed.ct).length).toBeLessThan(plainBytes / 4);
  });

  it('refuses a plaintext that inflates beyond the limit (a DEFLATE bomb)', async () => {
    const key = await generateSealingKey();
    const huge = JSON.stringify({ salt: 'd'.repeat(22), fields: { notes: 'x'.repeat(200_000) } });
    const sealed = await sealPersonalBatch(publicJwkOf(key), [huge], 'aad');
    expect(fromBase64Url(sealed.ct).length).toBeLessThan(2_000);
    await expect(openPersonalBatch(key, sealed, 'aad', 100_000)).rejects.toThrow(/more than/);
    expect(await openPersonalBatch(key, sealed, 'aad', 300_000)).toHaveLength(1);
  });
});
