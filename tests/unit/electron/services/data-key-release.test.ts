import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import {
  createDataKeyRelease,
  createFileKeyCustody,
} from '../../../../electron/services/key-custody';
import type { KeyCustody, KeyRequester } from '../../../../electron/services/key-custody';
import { createKioskServices } from '../../../../electron/services/kiosk-services';
import { loadKioskConfig } from '../../../../electron/services/load-config';
import { startBrowserShellHost } from '../../../../electron/browser-shell/host';
import type { BrowserShellHost } from '../../../../electron/browser-shell/host';
import { createBridgeRouter } from '../../../../sync/bridge/router';

const key = new Uint8Array(32).fill(7);
const custody: KeyCustody = { getDataKey: async () => new Uint8Array(key) };

/** A page load whose life the test controls. */
function pageLoad(name: string): KeyRequester & { gone(): void } {
  let alive = true;
  return {
    page: name,
    alive: () => alive,
    gone: () => {
      alive = false;
    },
  };
}

describe('the data key release', () => {
  it('hands the key to the first page that asks, and never to the same page again', async () => {
    const release = createDataKeyRelease(custody);
    const page = pageLoad('load 1');
    expect(await release.release(page)).toEqual({ ok: true, key });
    expect(await release.release(page)).toEqual({ ok: false, reason: 'already-handed' });
    expect(await release.release(page)).toEqual({ ok: false, reason: 'already-handed' });
  });

  it('refuses every other page while the holder lives, and hands it on once the holder is gone', async () => {
    const release = createDataKeyRelease(custody);
    const first = pageLoad('load 1');
    const second = pageLoad('load 2');
    await release.release(first);
    expect(await release.release(second)).toEqual({ ok: false, reason: 'held-by-another-page' });
    first.gone();
    expect(await release.release(second)).toEqual({ ok: true, key });
    expect(await release.release(second)).toEqual({ ok: false, reason: 'already-handed' });
  });

  it('gives nothing to a page that is already gone', async () => {
    const release = createDataKeyRelease(custody);
    const stale = pageLoad('load 1');
    stale.gone();
    expect(await release.release(stale)).toEqual({ ok: false, reason: 'page-gone' });
    // ...and that refusal does not stop the live page after it.
    expect(await release.release(pageLoad('load 2'))).toMatchObject({ ok: true });
  });

  it('lets only one of two requests made at the same moment through', async () => {
    let open: (bytes: Uint8Array) => void = () => undefined;
    const slow: KeyCustody = { getDataKey: () => new Promise((resolve) => (open = resolve)) };
    const release = createDataKeyRelease(slow);
    const a = release.release(pageLoad('a'));
    const b = release.release(pageLoad('b'));
    open(key);
    const results = await Promise.all([a, b]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
  });

  it('does not count a key that could not be read as handed out', async () => {
    let fail = true;
    const flaky: KeyCustody = {
      getDataKey: async () => {
        if (fail) throw new Error('keyring locked');
        return key;
      },
    };
    const release = createDataKeyRelease(flaky);
    const page = pageLoad('load 1');
    await expect(release.release(page)).rejects.toThrow('keyring locked');
    fail = false;
    expect(await release.release(page)).toEqual({ ok: true, key });
  });
});

describe('the browser shell hands the data key once per page connection', () => {
  let dir: string;
  let host: BrowserShellHost;

  beforeEach(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-data-key-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>kiosk</title>');
    host = await startBrowserShellHost({
      rendererDir: dir,
      router: createBridgeRouter(
        createKioskServices({
          config: loadKioskConfig(),
          shell: 'browser',
          appVersion: 'test',
          gatewayUrl: 'http://127.0.0.1:9',
          simulatedDevices: [],
          keyCustody: createFileKeyCustody(path.join(dir, 'data-key')),
        }),
      ),
    });
  });
  afterEach(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A page's bridge connection; `ask` sends one keys:data-key call and returns the reply. */
  async function pageConnection() {
    const url = new URL(host.url);
    const ws = new WebSocket(`ws://${url.host}/bridge?token=${host.token}`, {
      origin: url.origin,
    });
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    let id = 0;
    return {
      ws,
      ask: () =>
        new Promise<{ ok: boolean; value?: { key: string }; error?: { code: string } }>(
          (resolve) => {
            id += 1;
            const mine = id;
            const onMessage = (data: WebSocket.RawData): void => {
              const message = JSON.parse(String(data)) as { id: number; reply: never };
              if (message.id !== mine) return;
              ws.off('message', onMessage);
              resolve(message.reply);
            };
            ws.on('message', onMessage);
            ws.send(JSON.stringify({ id: mine, channel: 'keys:data-key' }));
          },
        ),
      close: () =>
        new Promise<void>((resolve) => {
          ws.once('close', () => resolve());
          ws.close();
        }),
    };
  }

  it('refuses a second ask on the same connection and any ask on another while it is open', async () => {
    const page = await pageConnection();
    const first = await page.ask();
    expect(first).toMatchObject({ ok: true, value: { key: expect.stringMatching(/^[\w-]{43}$/) } });
    expect(await page.ask()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    // A script that opens its own connection with the page's token gets nothing either.
    const intruder = await pageConnection();
    expect(await intruder.ask()).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    await intruder.close();
    // After a reload (the old connection closes), the new page load gets the same key.
    await page.close();
    const reloaded = await pageConnection();
    expect(await reloaded.ask()).toEqual(first);
    await reloaded.close();
  });
});
