import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../sync/client/engine';
import { publicJwkOf } from '../../../sync/protocol/crypto-primitives';
import {
  boxSealer,
  generateSealingKey,
  openSealed,
  sealTo,
} from '../../../sync/protocol/sealed-box';

describe('back-off', () => {
  const base = { baseMs: 1_000, capMs: 60_000, now: 0 };

  it('draws a full-jitter delay below base·2^(n-1)', () => {
    expect(backoffDelay({ ...base, failures: 1, random: () => 0.999 })).toBe(999);
    expect(backoffDelay({ ...base, failures: 4, random: () => 0.5 })).toBe(4_000);
    expect(backoffDelay({ ...base, failures: 4, random: () => 0 })).toBe(0);
  });

  it('never waits longer than the cap, however many failures', () => {
    expect(backoffDelay({ ...base, failures: 60, random: () => 0.999 })).toBeLessThan(60_000);
  });

  it('honours Retry-After in seconds or as an HTTP date, within the cap', () => {
    expect(backoffDelay({ ...base, failures: 1, random: () => 0, retryAfter: '30' })).toBe(30_000);
    expect(backoffDelay({ ...base, failures: 1, random: () => 0, retryAfter: '3600' })).toBe(
      60_000,
    );
    const date = new Date(20_000).toUTCString();
    expect(backoffDelay({ ...base, failures: 1, random: () => 0, retryAfter: date })).toBe(20_000);
    expect(backoffDelay({ ...base, failures: 1, random: () => 0, retryAfter: 'soon' })).toBe(0);
    // A date is counted from the kiosk's now; one already past adds nothing to the jitter.
    const now = Date.UTC(2026, 2, 4, 10, 0, 0);
    const inTwelve = new Date(now + 12_000).toUTCString();
    expect(backoffDelay({ ...base, now, failures: 1, random: () => 0, retryAfter: inTwelve })).toBe(
      12_000,
    );
    const past = new Date(now - 12_000).toUTCString();
    expect(backoffDelay({ ...base, now, failures: 1, random: () => 0.5, retryAfter: past })).toBe(
      500,
    );
  });
});

describe('sealed boxes', () => {
  it('open only with the recipient key and the same context', async () => {
    const gateway = await generateSealingKey();
    const other = await generateSealingKey();
    const box = await sealTo(publicJwkOf(gateway), '{"fullName":"Ana"}', 'tx-1');
    expect(box.ct).not.toContain('Ana');
    expect(await openSealed(gateway, box, 'tx-1')).toBe('{"fullName":"Ana"}');
    await expect(openSealed(other, box, 'tx-1')).rejects.toThrow();
    await expect(openSealed(gateway, box, 'tx-2')).rejects.toThrow();
  });

  it('seal many under one ephemeral key with a boxSealer, each box opening alone for its own context', async () => {
    const gateway = await generateSealingKey();
    const other = await generateSealingKey();
    const seal = await boxSealer(publicJwkOf(gateway));
    const boxes = await Promise.all(
      ['tx-1', 'tx-2', 'tx-3'].map((aad) => seal('{"fullName":"Ana"}', aad)),
    );
    expect(new Set(boxes.map((box) => box.epk.x)).size).toBe(1);
    expect(new Set(boxes.map((box) => box.iv)).size).toBe(3);
    expect(new Set(boxes.map((box) => box.ct)).size).toBe(3);
    for (const [i, box] of boxes.entries()) {
      expect(await openSealed(gateway, box, `tx-${i + 1}`)).toBe('{"fullName":"Ana"}');
      await expect(openSealed(other, box, `tx-${i + 1}`)).rejects.toThrow();
    }
    await expect(openSealed(gateway, boxes[0]!, 'tx-2')).rejects.toThrow();
    // Two sealers, two ephemeral keys.
    const again = await (await boxSealer(publicJwkOf(gateway)))('{}', 'tx-1');
    expect(again.epk.x).not.toBe(boxes[0]!.epk.x);
  });
});
