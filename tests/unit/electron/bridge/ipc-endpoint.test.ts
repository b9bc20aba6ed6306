import { beforeEach, describe, expect, it } from 'vitest';
import { BrowserWindow, ipcMain } from 'electron';
import { recorder, resetElectronFake } from '../../../support/electron-fake';
import type { FakeBrowserWindow } from '../../../support/electron-fake';
import { createBridgeRouter } from '../../../../sync/bridge/router';
import type { BridgeHandlers } from '../../../../sync/bridge/router';
import type { BridgeReply } from '../../../../sync/bridge/kiosk-bridge';
import { BRIDGE_INVOKE, installBridgeEndpoint } from '../../../../electron/main/bridge-endpoint';
import { createMemoryLogger } from '../../../../electron/main/logger';

const calls: string[] = [];
// Only the channels these tests call; others (devices, sync) belong to other suites.
const handlers = {
  'kiosk:info': async () => ({
    kioskId: 'k-1',
    shell: 'electron',
    appVersion: '1',
    gatewayUrl: 'http://127.0.0.1:8787',
    simulatedDevices: [],
  }),
  'config:get': async () => ({ site: {}, catalogue: {} }),
  'keys:data-key': async () => {
    calls.push('keys');
    return { key: 'A'.repeat(43) };
  },
  'log:write': async ({ message }) => {
    calls.push(`log:${message}`);
    return undefined;
  },
  'operator:exit': async ({ pin }) => {
    calls.push(`exit:${pin}`);
    return { result: 'wrong-pin', attemptsLeft: 4 };
  },
  'session:state': async ({ active }) => {
    calls.push(`session:${String(active)}`);
    return undefined;
  },
  'printer:print': async ({ txId }) => ({ jobId: `${txId}#1`, state: 'printed' }),
  'printer:status': async () => ({
    state: 'online',
    checkedAt: null,
    simulated: true,
    heldJobs: 0,
    uncertainJobs: 0,
  }),
} satisfies Partial<BridgeHandlers> as unknown as BridgeHandlers;

function invoke(event: unknown, ...args: unknown[]): Promise<BridgeReply> {
  const handler = recorder.ipcHandlers.get(BRIDGE_INVOKE);
  if (!handler) throw new Error('no handler');
  return handler(event, ...args) as Promise<BridgeReply>;
}

describe('the IPC end of the bridge', () => {
  let window: FakeBrowserWindow;
  let trusted: { sender: unknown; senderFrame: { url: string; parent: unknown } };

  beforeEach(() => {
    resetElectronFake();
    calls.length = 0;
    window = new BrowserWindow({}) as unknown as FakeBrowserWindow;
    installBridgeEndpoint(
      ipcMain as never,
      createBridgeRouter(handlers),
      () => window as never,
      createMemoryLogger(),
    );
    trusted = { sender: window.webContents, senderFrame: { url: 'app://kiosk/', parent: null } };
  });

  it('answers a well-formed call from the kiosk page', async () => {
    expect(await invoke(trusted, 'session:state', { active: true })).toEqual({ ok: true });
    expect(calls).toEqual(['session:true']);
  });

  const foreign: Array<[string, (t: typeof trusted) => unknown]> = [
    [
      'a page on another origin',
      (t) => ({ ...t, senderFrame: { url: 'https://evil.example/', parent: null } }),
    ],
    [
      'an iframe inside the kiosk page',
      (t) => ({ ...t, senderFrame: { url: 'app://kiosk/x', parent: {} } }),
    ],
    ['another web contents', (t) => ({ ...t, sender: {} })],
    ['a frame that is gone', (t) => ({ ...t, senderFrame: null })],
    [
      'the old page while a new one replaces it (detached frame)',
      (t) => ({ ...t, senderFrame: { url: 'app://kiosk/', parent: null, detached: true } }),
    ],
    ['a file: page', (t) => ({ ...t, senderFrame: { url: 'file:///tmp/x.html', parent: null } })],
    [
      'app:// with another host',
      (t) => ({ ...t, senderFrame: { url: 'app://kiosk.evil/', parent: null } }),
    ],
    [
      'app:// with credentials',
      (t) => ({ ...t, senderFrame: { url: 'app://kiosk@evil/', parent: null } }),
    ],
  ];
  it.each(foreign)('refuses a call from %s, without running the handler', async (_name, make) => {
    const reply = await invoke(make(trusted), 'operator:exit', { pin: '482913' });
    expect(reply).toMatchObject({ ok: false, error: { code: 'forbidden' } });
    expect(calls).toEqual([]);
  });

  const malformed: Array<[string, unknown[]]> = [
    ['an unknown channel', ['shell:open-external', { url: 'https://evil.example' }]],
    ['a channel that is not a string', [{ toString: () => 'kiosk:info' }, undefined]],
    ['a prototype key as channel', ['__proto__', undefined]],
    ['a PIN that is not digits', ['operator:exit', { pin: 'x'.repeat(10) }]],
    ['a PIN that is a number', ['operator:exit', { pin: 482913 }]],
    ['extra fields', ['operator:exit', { pin: '482913', force: true }]],
    ['no request where one is needed', ['session:state']],
    ['a request where none is taken', ['kiosk:info', { sneaky: 1 }]],
    ['a wrong type', ['session:state', { active: 'yes' }]],
    ['an oversized log message', ['log:write', { level: 'info', message: 'x'.repeat(5000) }]],
    ['extra arguments', ['session:state', { active: true }, 'extra']],
  ];
  it.each(malformed)('refuses %s, without running the handler', async (_name, args) => {
    const reply = await invoke(trusted, ...args);
    expect(reply.ok).toBe(false);
    expect(calls).toEqual([]);
  });
});
