import { describe, expect, it, vi } from 'vitest';
import { checkStorageHeadroom, requestPersistentStorage } from '../../../sync/client/storage-guard';

const MB = 1024 * 1024;

describe('the storage guard', () => {
  it('refuses a new session with a coded result when free quota is under the threshold', async () => {
    const storage = { estimate: async () => ({ quota: 100 * MB, usage: 95 * MB }) };
    expect(await checkStorageHeadroom({ storage, minFreeBytes: 10 * MB })).toEqual({
      ok: false,
      code: 'storage-low',
      freeBytes: 5 * MB,
      minFreeBytes: 10 * MB,
    });
  });

  it('allows a session when there is room', async () => {
    const storage = { estimate: async () => ({ quota: 100 * MB, usage: 10 * MB }) };
    expect(await checkStorageHeadroom({ storage, minFreeBytes: 10 * MB })).toEqual({
      ok: true,
      freeBytes: 90 * MB,
    });
  });

  it('allows a session when the browser gives no estimate, rather than refusing everyone', async () => {
    expect(await checkStorageHeadroom({ storage: {} })).toEqual({ ok: true, freeBytes: undefined });
    const failing = { estimate: () => Promise.reject(new Error('denied')) };
    expect((await checkStorageHeadroom({ storage: failing })).ok).toBe(true);
  });

  it('asks for persistent storage once, and not again when already persisted', async () => {
    const persist = vi.fn(async () => true);
    expect(await requestPersistentStorage({ persisted: async () => false, persist })).toBe(true);
    expect(persist).toHaveBeenCalledTimes(1);
    const again = vi.fn(async () => true);
    expect(await requestPersistentStorage({ persisted: async () => true, persist: again })).toBe(
      true,
    );
    expect(again).not.toHaveBeenCalled();
    expect(await requestPersistentStorage(undefined)).toBe(false);
  });
});
