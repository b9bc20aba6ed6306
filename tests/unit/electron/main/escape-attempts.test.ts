import { beforeEach, describe, expect, it } from 'vitest';
import { BrowserWindow, app, session } from 'electron';
import {
  FakeWebContents,
  defaultSession,
  recorder,
  resetElectronFake,
} from '../../../support/electron-fake';
import { LockdownService } from '../../../../electron/main/lockdown';
import { createMemoryLogger } from '../../../../electron/main/logger';
import { kioskWindowOptions } from '../../../../electron/main/window-options';

/**
 * The escape table: every way a citizen (or a page someone managed to script) could try to leave
 * the kiosk, each dispatched to the lockdown through the recording fake and asserted blocked.
 */
type Attempt = { name: string; blocked: (contents: FakeWebContents) => boolean };

function preventable(): { prevented: boolean; preventDefault(): void; url?: string } {
  return {
    prevented: false,
    preventDefault() {
      this.prevented = true;
    },
  };
}

const key =
  (k: string, mods: { control?: boolean; meta?: boolean; alt?: boolean; shift?: boolean } = {}) =>
  (contents: FakeWebContents): boolean => {
    const event = preventable();
    contents.emit('before-input-event', event, {
      type: 'keyDown',
      key: k,
      control: false,
      meta: false,
      alt: false,
      shift: false,
      ...mods,
    });
    return event.prevented;
  };

const navigate =
  (eventName: 'will-navigate' | 'will-redirect' | 'will-frame-navigate', url: string) =>
  (contents: FakeWebContents): boolean => {
    const event = { ...preventable(), url };
    if (eventName === 'will-frame-navigate') contents.emit(eventName, event);
    else contents.emit(eventName, event, url);
    return event.prevented;
  };

const windowOpen =
  (url: string) =>
  (contents: FakeWebContents): boolean => {
    const answer = contents.windowOpenHandler?.({ url, frameName: '', features: '' }) as
      { action: string } | undefined;
    return answer?.action === 'deny';
  };

const permission =
  (name: string, requestingUrl = 'app://kiosk/') =>
  (contents: FakeWebContents): boolean => {
    let granted: boolean | undefined;
    defaultSession.permissionRequestHandler?.(
      contents,
      name,
      (answer: boolean) => {
        granted = answer;
      },
      { requestingUrl },
    );
    return granted === false;
  };

const permissionCheck =
  (name: string, origin = 'app://kiosk') =>
  (contents: FakeWebContents): boolean =>
    defaultSession.permissionCheckHandler?.(contents, name, origin, {}) === false;

const shortcuts: Attempt[] = [
  { name: 'Alt+F4 (close window)', blocked: key('F4', { alt: true }) },
  { name: 'Ctrl+W (close tab)', blocked: key('w', { control: true }) },
  { name: 'Cmd+W (close window)', blocked: key('w', { meta: true }) },
  { name: 'Ctrl+Q (quit)', blocked: key('q', { control: true }) },
  { name: 'Cmd+Q (quit)', blocked: key('q', { meta: true }) },
  { name: 'Ctrl+R (reload)', blocked: key('r', { control: true }) },
  { name: 'Ctrl+Shift+R (hard reload)', blocked: key('R', { control: true, shift: true }) },
  { name: 'F5 (reload)', blocked: key('F5') },
  { name: 'F11 (leave full screen)', blocked: key('F11') },
  { name: 'F12 (devtools)', blocked: key('F12') },
  { name: 'Ctrl+Shift+I (devtools)', blocked: key('I', { control: true, shift: true }) },
  { name: 'Cmd+Alt+I (devtools on macOS)', blocked: key('i', { meta: true, alt: true }) },
  { name: 'Ctrl+Shift+J (console)', blocked: key('J', { control: true, shift: true }) },
  { name: 'Ctrl+Shift+C (inspect element)', blocked: key('C', { control: true, shift: true }) },
  { name: 'Ctrl+P (print dialog)', blocked: key('p', { control: true }) },
  { name: 'Ctrl+N (new window)', blocked: key('n', { control: true }) },
  { name: 'Ctrl+O (open file)', blocked: key('o', { control: true }) },
  { name: 'Ctrl+S (save page)', blocked: key('s', { control: true }) },
  { name: 'Ctrl+U (view source)', blocked: key('u', { control: true }) },
  { name: 'Ctrl+plus (zoom in)', blocked: key('+', { control: true, shift: true }) },
  { name: 'Ctrl+= (zoom in)', blocked: key('=', { control: true }) },
  { name: 'Ctrl+minus (zoom out)', blocked: key('-', { control: true }) },
  { name: 'Ctrl+0 (reset zoom)', blocked: key('0', { control: true }) },
  { name: 'Alt+Tab (switch window)', blocked: key('Tab', { alt: true }) },
  { name: 'Alt+ArrowLeft (history back)', blocked: key('ArrowLeft', { alt: true }) },
  { name: 'Ctrl+Alt+Delete', blocked: key('Delete', { control: true, alt: true }) },
  { name: 'Ctrl+Alt+F1 (switch VT)', blocked: key('F1', { control: true, alt: true }) },
  { name: 'Ctrl+Alt+T (terminal)', blocked: key('t', { control: true, alt: true }) },
  { name: 'BrowserBack media key', blocked: key('BrowserBack') },
  { name: 'BrowserRefresh media key', blocked: key('BrowserRefresh') },
  { name: 'ContextMenu key', blocked: key('ContextMenu') },
  { name: 'F7 (caret browsing)', blocked: key('F7') },
  { name: 'Shift+Escape (task manager)', blocked: key('Escape', { shift: true }) },
  {
    name: 'Ctrl+Shift+Delete (clear browsing data)',
    blocked: key('Delete', { control: true, shift: true }),
  },
];

const navigations: Attempt[] = [
  {
    name: 'navigate to https://evil.example',
    blocked: navigate('will-navigate', 'https://evil.example/'),
  },
  {
    name: 'navigate to http://127.0.0.1:8787 (the gateway)',
    blocked: navigate('will-navigate', 'http://127.0.0.1:8787/'),
  },
  {
    name: 'navigate to file:///etc/passwd',
    blocked: navigate('will-navigate', 'file:///etc/passwd'),
  },
  {
    name: 'navigate to javascript:alert(1)',
    blocked: navigate('will-navigate', 'javascript:alert(1)'),
  },
  {
    name: 'navigate to data:text/html',
    blocked: navigate('will-navigate', 'data:text/html,<h1>x</h1>'),
  },
  {
    name: 'navigate to chrome://settings',
    blocked: navigate('will-navigate', 'chrome://settings'),
  },
  { name: 'navigate to chrome://gpu', blocked: navigate('will-navigate', 'chrome://gpu') },
  {
    name: 'navigate to devtools://devtools',
    blocked: navigate('will-navigate', 'devtools://devtools/bundled/inspector.html'),
  },
  {
    name: 'navigate to view-source:app://kiosk/',
    blocked: navigate('will-navigate', 'view-source:app://kiosk/'),
  },
  { name: 'navigate to blob: URL', blocked: navigate('will-navigate', 'blob:app://kiosk/1234') },
  { name: 'navigate to about:blank', blocked: navigate('will-navigate', 'about:blank') },
  { name: 'navigate to mailto:', blocked: navigate('will-navigate', 'mailto:someone@example.org') },
  {
    name: 'navigate to app://evil (other app host)',
    blocked: navigate('will-navigate', 'app://evil/'),
  },
  {
    name: 'navigate to app://kiosk@evil/ (credentials trick)',
    blocked: navigate('will-navigate', 'app://kiosk@evil/'),
  },
  {
    name: 'navigate to app://kiosk:8080/ (port)',
    blocked: navigate('will-navigate', 'app://kiosk:8080/'),
  },
  { name: 'navigate to an unparsable URL', blocked: navigate('will-navigate', 'http://[::1') },
  {
    name: 'redirect to https://evil.example',
    blocked: navigate('will-redirect', 'https://evil.example/'),
  },
  { name: 'redirect to file:///', blocked: navigate('will-redirect', 'file:///') },
  {
    name: 'iframe navigates to https://evil.example',
    blocked: navigate('will-frame-navigate', 'https://evil.example/'),
  },
  {
    name: 'iframe navigates to data:',
    blocked: navigate('will-frame-navigate', 'data:text/html,x'),
  },
];

const windowsAndViews: Attempt[] = [
  { name: 'window.open https://evil.example', blocked: windowOpen('https://evil.example/') },
  { name: 'window.open app://kiosk/ (even same origin)', blocked: windowOpen('app://kiosk/') },
  { name: 'window.open mailto: (external app)', blocked: windowOpen('mailto:a@b.c') },
  {
    name: 'attach a <webview>',
    blocked: (contents) => {
      const event = preventable();
      contents.emit('will-attach-webview', event, {}, {});
      return event.prevented;
    },
  },
];

const permissions: Attempt[] = [
  { name: 'permission: camera/microphone (media)', blocked: permission('media') },
  { name: 'permission: geolocation', blocked: permission('geolocation') },
  { name: 'permission: notifications', blocked: permission('notifications') },
  { name: 'permission: fullscreen', blocked: permission('fullscreen') },
  { name: 'permission: openExternal (launch another app)', blocked: permission('openExternal') },
  { name: 'permission: clipboard-read', blocked: permission('clipboard-read') },
  { name: 'permission: display-capture', blocked: permission('display-capture') },
  { name: 'permission: pointerLock', blocked: permission('pointerLock') },
  { name: 'permission: keyboardLock', blocked: permission('keyboardLock') },
  { name: 'permission: midiSysex', blocked: permission('midiSysex') },
  {
    name: 'permission: persistent-storage from a foreign page',
    blocked: permission('persistent-storage', 'https://evil.example/'),
  },
  { name: 'permission check: geolocation', blocked: permissionCheck('geolocation') },
  { name: 'permission check: hid with no device configured', blocked: permissionCheck('hid') },
  { name: 'permission check: serial', blocked: permissionCheck('serial') },
  { name: 'permission check: usb', blocked: permissionCheck('usb') },
  {
    name: 'device permission: an unlisted HID device',
    blocked: () =>
      defaultSession.devicePermissionHandler?.({
        deviceType: 'hid',
        origin: 'app://kiosk',
        device: { vendorId: 0x1234, productId: 0x5678 },
      }) === false,
  },
  {
    name: 'select-hid-device: the chooser picks nothing unlisted',
    blocked: () => {
      const event = preventable();
      let chosen: unknown = 'not called';
      defaultSession.emit(
        'select-hid-device',
        event,
        { deviceList: [{ deviceId: 'x', vendorId: 1, productId: 2 }], frame: null },
        (id?: string) => {
          chosen = id;
        },
      );
      return event.prevented && chosen === undefined;
    },
  },
  {
    name: 'select-serial-port: refused',
    blocked: () => {
      const event = preventable();
      let chosen: unknown = 'not called';
      defaultSession.emit('select-serial-port', event, [{ portId: '1' }], null, (id: string) => {
        chosen = id;
      });
      return event.prevented && chosen === '';
    },
  },
  {
    name: 'select-usb-device: refused',
    blocked: () => {
      const event = preventable();
      let chosen: unknown = 'not called';
      defaultSession.emit('select-usb-device', event, { deviceList: [] }, (id?: string) => {
        chosen = id;
      });
      return event.prevented && chosen === undefined;
    },
  },
];

const other: Attempt[] = [
  {
    name: 'download a file',
    blocked: () => {
      const event = preventable();
      defaultSession.emit('will-download', event, { getURL: () => 'https://evil.example/x.exe' });
      return event.prevented;
    },
  },
  {
    name: 'open devtools (closed again at once)',
    blocked: (contents) => {
      contents.openDevTools();
      contents.emit('devtools-opened');
      return contents.devToolsOpened === false;
    },
  },
  {
    name: 'right-click context menu',
    blocked: (contents) => {
      const event = preventable();
      contents.emit('context-menu', event, {});
      return event.prevented;
    },
  },
  {
    name: 'Ctrl+wheel zoom (zoom-changed) is undone',
    blocked: (contents) => {
      contents.zoomFactor = 1.5;
      contents.emit('zoom-changed', {}, 'in');
      return contents.zoomFactor === 1;
    },
  },
  {
    name: 'pinch-zoom (visual zoom limited to 1..1 once loaded)',
    blocked: (contents) => {
      contents.emit('did-finish-load');
      return contents.zoomLimits?.[0] === 1 && contents.zoomLimits[1] === 1;
    },
  },
];

const escapeTable = [...shortcuts, ...navigations, ...windowsAndViews, ...permissions, ...other];

describe('the escape table', () => {
  let contents: FakeWebContents;
  let logger: ReturnType<typeof createMemoryLogger>;

  beforeEach(() => {
    resetElectronFake();
    logger = createMemoryLogger();
    const lockdown = new LockdownService({
      app,
      session: session.defaultSession as never,
      logger,
      contentSecurityPolicy: "default-src 'self'",
      allowedHidDevices: [],
    });
    lockdown.initialize();
    const window = new BrowserWindow(kioskWindowOptions('/app/preload.cjs'));
    contents = window.webContents as unknown as FakeWebContents;
    lockdown.guard(contents as never);
  });

  it('has at least 30 attempts', () => {
    expect(escapeTable.length).toBeGreaterThanOrEqual(30);
  });

  it.each(escapeTable.map((attempt) => [attempt.name, attempt] as const))(
    'blocks: %s',
    (_name, attempt) => {
      expect(attempt.blocked(contents)).toBe(true);
      expect(recorder.openedExternal).toEqual([]);
    },
  );

  it('lets the page work normally: typing, editing keys, Tab and app:// navigation pass', () => {
    expect(key('a')(contents)).toBe(false);
    expect(key('Enter')(contents)).toBe(false);
    expect(key('Tab')(contents)).toBe(false);
    expect(key('c', { control: true })(contents)).toBe(false);
    expect(key('v', { control: true })(contents)).toBe(false);
    expect(key('Z', { control: true, shift: true })(contents)).toBe(false);
    // The operator console's keyboard gesture reaches the page (only it opens the PIN pad).
    expect(key('o', { control: true, alt: true })(contents)).toBe(false);
    expect(key('Escape')(contents)).toBe(false);
    expect(navigate('will-navigate', 'app://kiosk/services')(contents)).toBe(false);
    expect(
      navigate('will-frame-navigate', 'app://kiosk/__shell/out-of-service.html')(contents),
    ).toBe(false);
    expect(permission('persistent-storage')(contents)).toBe(false);
  });

  it('logs each refusal without the query string, which may hold personal data', () => {
    navigate('will-navigate', 'https://evil.example/path?name=Maria')(contents);
    const entry = logger.entries.find((e) => e.event === 'lockdown.navigation-refused');
    expect(entry?.detail).toEqual({ kind: 'navigate', url: 'https://evil.example/path' });
  });

  it('guards web contents created later as well (web-contents-created)', () => {
    const later = new FakeWebContents(defaultSession);
    app.emit('web-contents-created', {}, later);
    expect(navigate('will-navigate', 'https://evil.example/')(later)).toBe(true);
    expect(windowOpen('https://evil.example/')(later)).toBe(true);
  });

  it('gives devtools no way in from the window options', () => {
    const prefs = recorder.windows[0]?.options.webPreferences as Record<string, unknown>;
    expect(prefs.devTools).toBe(false);
    expect(prefs.webviewTag).toBe(false);
    expect(prefs.navigateOnDragDrop).toBe(false);
  });
});

describe('the HID allow-list', () => {
  beforeEach(() => resetElectronFake());

  it('lets the page open only the configured card reader by vendor and product id', () => {
    new LockdownService({
      app,
      session: session.defaultSession as never,
      logger: createMemoryLogger(),
      contentSecurityPolicy: "default-src 'self'",
      allowedHidDevices: [{ vendorId: 0x0801, productId: 0x0002 }],
    }).initialize();
    const check = defaultSession.devicePermissionHandler;
    expect(
      check?.({
        deviceType: 'hid',
        origin: 'app://kiosk',
        device: { vendorId: 0x0801, productId: 0x0002 },
      }),
    ).toBe(true);
    expect(
      check?.({
        deviceType: 'hid',
        origin: 'https://evil.example',
        device: { vendorId: 0x0801, productId: 0x0002 },
      }),
    ).toBe(false);
    expect(
      check?.({
        deviceType: 'usb',
        origin: 'app://kiosk',
        device: { vendorId: 0x0801, productId: 0x0002 },
      }),
    ).toBe(false);
    expect(defaultSession.permissionCheckHandler?.(null, 'hid', 'app://kiosk', {})).toBe(true);
    let chosen: unknown;
    defaultSession.emit(
      'select-hid-device',
      { preventDefault() {} },
      {
        deviceList: [
          { deviceId: 'other', vendorId: 1, productId: 1 },
          { deviceId: 'reader', vendorId: 0x0801, productId: 0x0002 },
        ],
        frame: null,
      },
      (id?: string) => {
        chosen = id;
      },
    );
    expect(chosen).toBe('reader');
  });
});

describe('the Content-Security-Policy header', () => {
  beforeEach(() => resetElectronFake());

  it('replaces any policy on app:// responses and leaves other responses alone', () => {
    new LockdownService({
      app,
      session: session.defaultSession as never,
      logger: createMemoryLogger(),
      contentSecurityPolicy: "default-src 'self'; script-src 'self'",
      allowedHidDevices: [],
    }).initialize();
    const listener = defaultSession.headersReceivedListener;
    let answer: unknown;
    listener?.(
      {
        url: 'app://kiosk/',
        responseHeaders: {
          'content-security-policy': ["script-src 'unsafe-inline'"],
          'X-Other': ['1'],
        },
      },
      (reply: unknown) => {
        answer = reply;
      },
    );
    expect(answer).toEqual({
      responseHeaders: {
        'X-Other': ['1'],
        'Content-Security-Policy': ["default-src 'self'; script-src 'self'"],
      },
    });
    listener?.(
      { url: 'http://127.0.0.1:8787/v1/health', responseHeaders: {} },
      (reply: unknown) => {
        answer = reply;
      },
    );
    expect(answer).toEqual({});
  });

  it('refuses a second initialize (services are wired once)', () => {
    const lockdown = new LockdownService({
      app,
      session: session.defaultSession as never,
      logger: createMemoryLogger(),
      contentSecurityPolicy: "default-src 'self'",
      allowedHidDevices: [],
    });
    lockdown.initialize();
    expect(() => lockdown.initialize()).toThrow(/already initialized/);
  });
});
