import { beforeEach, describe, expect, it, vi } from 'vitest';

/** Loads the preload fresh (it exposes its object at import) with a fresh recording fake. */
async function loadPreload() {
  vi.resetModules();
  const fake = await import('../../../support/electron-fake');
  fake.resetElectronFake();
  await import('../../../../electron/preload/preload');
  return fake;
}

describe('the preload', () => {
  beforeEach(() => vi.resetModules());

  it('exposes exactly one object, window.kiosk, with invoke and on only', async () => {
    const { recorder } = await loadPreload();
    expect([...recorder.exposed.keys()]).toEqual(['kiosk']);
    const api = recorder.exposed.get('kiosk') as Record<string, unknown>;
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
  });

  it('sends (channel, request) over the one invoke channel and turns refusals into errors', async () => {
    const { recorder, ipcRenderer } = await loadPreload();
    const api = recorder.exposed.get('kiosk') as {
      invoke(channel: string, request?: unknown): Promise<unknown>;
    };
    ipcRenderer.reply = () => ({ ok: false, error: { code: 'forbidden', message: 'no' } });
    await expect(api.invoke('operator:exit', { pin: '1' })).rejects.toMatchObject({
      code: 'forbidden',
    });
    expect(ipcRenderer.invocations).toEqual([
      { channel: 'bridge:invoke', args: ['operator:exit', { pin: '1' }] },
    ]);
  });

  it('checks every answer against the channel’s response schema before the page sees it', async () => {
    const { recorder, ipcRenderer } = await loadPreload();
    const api = recorder.exposed.get('kiosk') as { invoke(channel: string): Promise<unknown> };
    const status = {
      state: 'online',
      checkedAt: null,
      simulated: true,
      heldJobs: 0,
      uncertainJobs: 0,
    };
    ipcRenderer.reply = () => ({ ok: true, value: status });
    await expect(api.invoke('printer:status')).resolves.toEqual(status);
    // A main process that answered the wrong shape, or no reply at all, is an error, not data.
    ipcRenderer.reply = () => ({ ok: true, value: { state: 'on fire' } });
    await expect(api.invoke('printer:status')).rejects.toMatchObject({ code: 'bad-response' });
    ipcRenderer.reply = () => 'not a reply';
    await expect(api.invoke('printer:status')).rejects.toMatchObject({ code: 'bad-response' });
  });

  it('passes on only events whose payload matches the event’s schema', async () => {
    const { recorder, ipcRenderer } = await loadPreload();
    const api = recorder.exposed.get('kiosk') as {
      on(event: string, listener: (payload: unknown) => void): () => void;
    };
    const seen: unknown[] = [];
    const off = api.on('kiosk:notice', (payload) => seen.push(payload));
    const deliver = (name: string, payload: unknown): void => {
      for (const listener of ipcRenderer.listeners.get('bridge:event') ?? []) {
        listener({}, name, payload);
      }
    };
    deliver('kiosk:notice', { message: 'paper low' });
    deliver('kiosk:notice', { message: 42 });
    deliver('printer:status', { message: 'not for this listener' });
    expect(seen).toEqual([{ message: 'paper low' }]);
    off();
    deliver('kiosk:notice', { message: 'after unsubscribing' });
    expect(seen).toHaveLength(1);
  });

  it('refuses to subscribe to an event that is not in the channel map', async () => {
    const { recorder } = await loadPreload();
    const api = recorder.exposed.get('kiosk') as {
      on(event: string, listener: () => void): unknown;
    };
    expect(() => api.on('shell:anything', () => undefined)).toThrow(/no event/);
  });
});
