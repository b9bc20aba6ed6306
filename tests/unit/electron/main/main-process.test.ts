import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { app } from 'electron';
import { defaultSession, recorder, resetElectronFake } from '../../../support/electron-fake';
import type { FakeBrowserWindow } from '../../../support/electron-fake';
import type { BridgeReply } from '../../../../sync/bridge/kiosk-bridge';
import { createMemoryLogger } from '../../../../electron/main/logger';
import { OPERATOR_EXIT_CODE, startKiosk } from '../../../../electron/main/main';
import { hashOperatorPin } from '../../../../electron/main/operator-pin';
import { FakeClock } from './fake-clock';

/** The fake's current `app` (a fresh one after each reset, so read it at call time). */
const fakeApp = () => app as unknown as { fireReady(): void; emit(event: string): boolean };

describe('the Electron main process', () => {
  let dataDir: string;
  let clock: FakeClock;
  let logger: ReturnType<typeof createMemoryLogger>;

  beforeEach(() => {
    resetElectronFake();
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-main-'));
    clock = new FakeClock();
    logger = createMemoryLogger();
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  async function start(shellJson?: unknown) {
    if (shellJson) writeFileSync(path.join(dataDir, 'shell.json'), JSON.stringify(shellJson));
    const started = startKiosk(
      { SERVICE_POINT_DATA_DIR: dataDir, SERVICE_POINT_RENDERER_DIR: dataDir },
      { clock, logger },
    );
    fakeApp().fireReady();
    const shell = await started;
    if (!shell) throw new Error('not started');
    const window = recorder.windows[0] as FakeBrowserWindow;
    const invoke = (channel: string, request?: unknown) =>
      recorder.ipcHandlers.get('bridge:invoke')?.(
        { sender: window.webContents, senderFrame: { url: 'app://kiosk/', parent: null } },
        channel,
        request,
      ) as Promise<BridgeReply>;
    return { shell, window, invoke };
  }

  it('quits at once when another instance already runs', async () => {
    recorder.singleInstanceLock = false;
    expect(
      await startKiosk({ SERVICE_POINT_DATA_DIR: dataDir }, { clock, logger }),
    ).toBeUndefined();
    expect(recorder.quitCalled).toBe(true);
    expect(recorder.windows).toEqual([]);
  });

  it('opens one locked-down kiosk window on app://kiosk/ and keeps the display awake', async () => {
    const { window } = await start();
    expect(recorder.windows).toHaveLength(1);
    expect(window.options).toMatchObject({ kiosk: true, fullscreen: true });
    expect(window.webContents.loadedUrls).toEqual(['app://kiosk/']);
    expect([...recorder.powerBlockers.values()]).toEqual(['prevent-display-sleep']);
    expect(recorder.applicationMenu).toBeNull();
    expect(window.menu).toBeNull();
    expect(recorder.privilegedSchemes).toMatchObject([
      { scheme: 'app', privileges: { standard: true, secure: true, allowServiceWorkers: true } },
    ]);
    // The lockdown is on this window and this session.
    expect(window.webContents.windowOpenHandler?.({ url: 'https://x.example' })).toEqual({
      action: 'deny',
    });
    expect(defaultSession.permissionRequestHandler).toBeTypeOf('function');
    expect(defaultSession.headersReceivedListener).toBeTypeOf('function');
  });

  it('turns off pinch and overscroll navigation and draws scroll bars over the page, on the command line', async () => {
    await start();
    const switches = (app as unknown as { switches: Array<[string, string | undefined]> }).switches;
    expect(switches).toContainEqual(['disable-pinch', undefined]);
    expect(switches).toContainEqual(['overscroll-history-navigation', '0']);
    expect(switches).toContainEqual(['enable-features', 'OverlayScrollbar']);
  });

  it('serves app:// with the strict CSP (no unsafe-inline, no unsafe-eval)', async () => {
    await start();
    const handler = recorder.protocolHandlers.get('app');
    const response = (await handler?.(
      new Request('app://kiosk/__shell/out-of-service.html'),
    )) as Response;
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect(await response.text()).toContain('Este quiosco está fuera de servicio');
  });

  it('prints through the simulated printer and forwards card reads to the page when no hardware is named', async () => {
    const { shell, window, invoke } = await start();
    expect(shell.devices?.simulated).toEqual(['printer', 'card-reader']);
    const info = await invoke('kiosk:info');
    expect(info).toMatchObject({
      ok: true,
      value: { simulatedDevices: ['printer', 'card-reader'] },
    });
    shell.devices?.simulatedCardReader?.swipe({ kind: 'reference', ref: '7K3M-Q9XD-N' });
    expect(window.webContents.sent.map((m) => m.args[0])).toContain('card-reader:read');
    shell.devices?.stop();
  });

  it('focuses the kiosk window when a second instance is started', async () => {
    await start();
    fakeApp().emit('second-instance');
    expect(recorder.calls).toContainEqual({ target: 'window', method: 'focus', args: [] });
  });

  it('exits non-zero if the window goes, so the service manager restarts the kiosk', async () => {
    await start();
    fakeApp().emit('window-all-closed');
    expect(recorder.exitCodes).toEqual([1]);
  });

  it('routes operator:exit to the PIN check and exits with the operator code', async () => {
    const operatorPinHash = await hashOperatorPin('482913', { N: 2 ** 14, r: 8, p: 1 });
    const { invoke } = await start({ operatorPinHash });
    expect(await invoke('operator:exit', { pin: '000000' })).toEqual({
      ok: true,
      value: { result: 'wrong-pin', attemptsLeft: 4 },
    });
    expect(await invoke('operator:exit', { pin: '482913' })).toEqual({
      ok: true,
      value: { result: 'exiting' },
    });
    clock.advance(1_000);
    expect(recorder.exitCodes).toEqual([OPERATOR_EXIT_CODE]);
  });

  it('routes session:state to maintenance, so the quiet-hour restart waits for the session', async () => {
    const { shell, invoke } = await start();
    expect(await invoke('session:state', { active: true })).toEqual({ ok: true });
    expect(shell.maintenance.inSession).toBe(true);
    expect(await invoke('session:state', { active: false })).toEqual({ ok: true });
    expect(shell.maintenance.inSession).toBe(false);
  });

  it('hands the page the data key from safeStorage custody, sealed on disk', async () => {
    const { invoke } = await start();
    const first = await invoke('keys:data-key');
    expect(first).toMatchObject({ ok: true, value: { key: expect.stringMatching(/^[\w-]{43}$/) } });
    const sealed = readFileSync(path.join(dataDir, 'keys', 'data-key.sealed'), 'utf8');
    expect(sealed.startsWith('fake-sealed:')).toBe(true);
  });

  it('hands the data key once per page load: a second ask is refused until the page reloads', async () => {
    const { window, invoke } = await start();
    const first = await invoke('keys:data-key');
    expect(first.ok).toBe(true);
    // A script that runs after start-up, in the same page, gets nothing.
    expect(await invoke('keys:data-key')).toMatchObject({
      ok: false,
      error: { code: 'forbidden', message: expect.stringContaining('already-handed') },
    });
    expect(logger.entries.some((e) => e.event === 'bridge.refused')).toBe(true);
    // A reload is a new page: it asks once more and gets the same key (nothing is orphaned).
    window.webContents.emit('did-navigate', {}, 'app://kiosk/', -1, '');
    expect(await invoke('keys:data-key')).toEqual(first);
    expect((await invoke('keys:data-key')).ok).toBe(false);
    // So is the page the watchdog loads after a renderer crash.
    window.webContents.emit('render-process-gone', {}, { reason: 'crashed', exitCode: 1 });
    window.webContents.emit('did-navigate', {}, 'app://kiosk/', -1, '');
    expect(await invoke('keys:data-key')).toEqual(first);
  });

  it('starts with safe defaults and logs one clear message when shell.json is invalid', async () => {
    const { shell, invoke } = await start({ maintenance: { quietHour: 27 } });
    expect(logger.entries.find((e) => e.event === 'shell-config.invalid')?.detail).toMatchObject({
      error: expect.stringContaining('maintenance.quietHour'),
    });
    // No PIN configured: no way out.
    expect(await invoke('operator:exit', { pin: '482913' })).toEqual({
      ok: true,
      value: { result: 'disabled' },
    });
    expect(await shell.updates).toBeUndefined();
  });

  it('shows the out-of-service page, not a dead screen, when the kiosk config is invalid', async () => {
    const started = startKiosk(
      { SERVICE_POINT_DATA_DIR: dataDir, SERVICE_POINT_RENDERER_DIR: dataDir },
      {
        clock,
        logger,
        loadConfig: () => {
          throw new Error('demo.json: kioskId: must be 3-64 letters');
        },
      },
    );
    fakeApp().fireReady();
    await started;
    expect(recorder.windows[0]?.webContents.loadedUrls).toEqual([
      'app://kiosk/__shell/out-of-service.html',
    ]);
    expect(logger.entries.some((e) => e.event === 'config.invalid')).toBe(true);
  });

  it('refuses a plain-http gateway override on another host: out of service, with the rule in the log', async () => {
    const started = startKiosk(
      {
        SERVICE_POINT_DATA_DIR: dataDir,
        SERVICE_POINT_RENDERER_DIR: dataDir,
        SERVICE_POINT_GATEWAY_URL: 'http://gateway.example.gov.bz',
      },
      { clock, logger },
    );
    fakeApp().fireReady();
    await started;
    expect(recorder.windows[0]?.webContents.loadedUrls).toEqual([
      'app://kiosk/__shell/out-of-service.html',
    ]);
    expect(recorder.ipcHandlers.has('bridge:invoke')).toBe(false);
    expect(logger.entries.find((e) => e.event === 'config.invalid')?.detail).toEqual({
      message: expect.stringMatching(/"http:\/\/gateway\.example\.gov\.bz" must be https/),
    });
  });

  it('takes an https gateway override, and hands it to the page', async () => {
    const started = startKiosk(
      {
        SERVICE_POINT_DATA_DIR: dataDir,
        SERVICE_POINT_RENDERER_DIR: dataDir,
        SERVICE_POINT_GATEWAY_URL: 'https://gateway.example.gov.bz',
      },
      { clock, logger },
    );
    fakeApp().fireReady();
    await started;
    const window = recorder.windows[0] as FakeBrowserWindow;
    expect(window.webContents.loadedUrls).toEqual(['app://kiosk/']);
    const reply = (await recorder.ipcHandlers.get('bridge:invoke')?.(
      { sender: window.webContents, senderFrame: { url: 'app://kiosk/', parent: null } },
      'kiosk:info',
      undefined,
    )) as BridgeReply;
    expect(reply).toMatchObject({
      ok: true,
      value: { gatewayUrl: 'https://gateway.example.gov.bz' },
    });
  });
});
