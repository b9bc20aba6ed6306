/**
 * A recording fake of the `electron` module (the real binary cannot run in tests). It records
 * constructor options, installed handlers and calls, and lets a test dispatch events. Vitest
 * resolves `electron` to this file (see tests/vitest.config.ts). Call `resetElectronFake()` in
 * `beforeEach`.
 */
import { EventEmitter } from 'node:events';

type Handler = (...args: unknown[]) => unknown;

export interface Call {
  target: string;
  method: string;
  args: unknown[];
}

export const recorder = {
  calls: [] as Call[],
  windows: [] as FakeBrowserWindow[],
  ipcHandlers: new Map<string, Handler>(),
  ipcListeners: new Map<string, Handler[]>(),
  exposed: new Map<string, unknown>(),
  privilegedSchemes: [] as unknown[],
  protocolHandlers: new Map<string, Handler>(),
  powerBlockers: new Map<number, string>(),
  applicationMenu: undefined as unknown,
  openedExternal: [] as string[],
  singleInstanceLock: true,
  quitCalled: false,
  exitCodes: [] as number[],
  relaunched: 0,
};

function record(target: string, method: string, args: unknown[]): void {
  recorder.calls.push({ target, method, args });
}

export class FakeSession extends EventEmitter {
  permissionRequestHandler: Handler | null | undefined;
  permissionCheckHandler: Handler | null | undefined;
  devicePermissionHandler: Handler | null | undefined;
  headersReceivedListener: Handler | undefined;
  webRequest = {
    onHeadersReceived: (listener: Handler) => {
      this.headersReceivedListener = listener;
    },
  };
  setPermissionRequestHandler(handler: Handler | null): void {
    this.permissionRequestHandler = handler;
  }
  setPermissionCheckHandler(handler: Handler | null): void {
    this.permissionCheckHandler = handler;
  }
  setDevicePermissionHandler(handler: Handler | null): void {
    this.devicePermissionHandler = handler;
  }
  setSpellCheckerEnabled(enabled: boolean): void {
    record('session', 'setSpellCheckerEnabled', [enabled]);
  }
}

let nextWebContentsId = 1;

export class FakeWebContents extends EventEmitter {
  readonly id = nextWebContentsId++;
  readonly session: FakeSession;
  windowOpenHandler: Handler | undefined;
  loadedUrls: string[] = [];
  reloads = 0;
  sent: Array<{ channel: string; args: unknown[] }> = [];
  crashed = false;
  zoomLimits: [number, number] | undefined;
  devToolsOpened = false;
  mainFrame = { url: '', routingId: 1, processId: 1 };
  constructor(session: FakeSession) {
    super();
    this.session = session;
  }
  setWindowOpenHandler(handler: Handler): void {
    this.windowOpenHandler = handler;
  }
  loadURL(url: string): Promise<void> {
    this.loadedUrls.push(url);
    this.mainFrame.url = url;
    return Promise.resolve();
  }
  reload(): void {
    this.reloads += 1;
  }
  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }
  getURL(): string {
    return this.mainFrame.url;
  }
  setVisualZoomLevelLimits(min: number, max: number): Promise<void> {
    this.zoomLimits = [min, max];
    return Promise.resolve();
  }
  zoomFactor = 1;
  forcedCrashes = 0;
  openDevTools(): void {
    this.devToolsOpened = true;
  }
  setZoomFactor(factor: number): void {
    this.zoomFactor = factor;
  }
  /** Like Electron: kills the renderer, which then reports `render-process-gone` (killed). */
  forcefullyCrashRenderer(): void {
    this.forcedCrashes += 1;
    this.emit('render-process-gone', {}, { reason: 'killed', exitCode: 9 });
  }
  closeDevTools(): void {
    this.devToolsOpened = false;
  }
  isDestroyed(): boolean {
    return false;
  }
}

export const defaultSession = new FakeSession();

export class FakeBrowserWindow extends EventEmitter {
  readonly options: Record<string, unknown>;
  readonly webContents: FakeWebContents;
  menu: unknown = 'default';
  menuBarVisible = true;
  shown = false;
  destroyed = false;
  constructor(options: Record<string, unknown> = {}) {
    super();
    this.options = options;
    this.webContents = new FakeWebContents(defaultSession);
    recorder.windows.push(this);
  }
  loadURL(url: string): Promise<void> {
    return this.webContents.loadURL(url);
  }
  setMenu(menu: unknown): void {
    this.menu = menu;
  }
  removeMenu(): void {
    this.menu = null;
  }
  setMenuBarVisibility(visible: boolean): void {
    this.menuBarVisible = visible;
  }
  show(): void {
    this.shown = true;
  }
  focus(): void {
    record('window', 'focus', []);
  }
  close(): void {
    this.destroyed = true;
    this.emit('closed');
  }
  destroy(): void {
    this.destroyed = true;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  setKiosk(flag: boolean): void {
    this.options.kiosk = flag;
  }
  isKiosk(): boolean {
    return this.options.kiosk === true;
  }
  static getAllWindows(): FakeBrowserWindow[] {
    return recorder.windows.filter((w) => !w.destroyed);
  }
}

class FakeApp extends EventEmitter {
  readyResolvers: Array<() => void> = [];
  ready = false;
  switches: Array<[string, string | undefined]> = [];
  commandLine = {
    appendSwitch: (name: string, value?: string) => {
      this.switches.push([name, value]);
    },
  };
  requestSingleInstanceLock(): boolean {
    record('app', 'requestSingleInstanceLock', []);
    return recorder.singleInstanceLock;
  }
  whenReady(): Promise<void> {
    if (this.ready) return Promise.resolve();
    return new Promise((resolve) => this.readyResolvers.push(resolve));
  }
  /** Test helper: fires `ready`. */
  fireReady(): void {
    this.ready = true;
    this.emit('ready');
    for (const resolve of this.readyResolvers.splice(0)) resolve();
  }
  isReady(): boolean {
    return this.ready;
  }
  quit(): void {
    recorder.quitCalled = true;
  }
  exit(code = 0): void {
    recorder.exitCodes.push(code);
  }
  relaunch(): void {
    recorder.relaunched += 1;
  }
  getVersion(): string {
    return '0.0.0-fake';
  }
  getPath(name: string): string {
    return `/fake/${name}`;
  }
  getAppPath(): string {
    return '/fake/app';
  }
  get isPackaged(): boolean {
    return false;
  }
}

export let app = new FakeApp();

export const ipcMain = {
  handle(channel: string, handler: Handler): void {
    if (recorder.ipcHandlers.has(channel)) {
      throw new Error(`Attempted to register a second handler for '${channel}'`);
    }
    recorder.ipcHandlers.set(channel, handler);
  },
  removeHandler(channel: string): void {
    recorder.ipcHandlers.delete(channel);
  },
  on(channel: string, listener: Handler): void {
    recorder.ipcListeners.set(channel, [...(recorder.ipcListeners.get(channel) ?? []), listener]);
  },
};

export const protocol = {
  registerSchemesAsPrivileged(schemes: unknown[]): void {
    recorder.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: Handler): void {
    recorder.protocolHandlers.set(scheme, handler);
  },
};

let nextBlocker = 1;
export const powerSaveBlocker = {
  start(type: string): number {
    const id = nextBlocker++;
    recorder.powerBlockers.set(id, type);
    return id;
  },
  stop(id: number): void {
    recorder.powerBlockers.delete(id);
  },
  isStarted(id: number): boolean {
    return recorder.powerBlockers.has(id);
  },
};

/** Fake safeStorage: reversible, clearly not encryption; only tests use it. */
export const safeStorage = {
  available: true,
  backend: 'gnome_libsecret' as string,
  getSelectedStorageBackend(): string {
    return this.backend;
  },
  isEncryptionAvailable(): boolean {
    return this.available;
  },
  encryptString(text: string): Buffer {
    return Buffer.from(`fake-sealed:${Buffer.from(text, 'utf8').toString('base64')}`, 'utf8');
  },
  decryptString(buffer: Buffer): string {
    const text = buffer.toString('utf8');
    if (!text.startsWith('fake-sealed:')) throw new Error('Error while decrypting the ciphertext');
    return Buffer.from(text.slice('fake-sealed:'.length), 'base64').toString('utf8');
  },
};

export const Menu = {
  setApplicationMenu(menu: unknown): void {
    recorder.applicationMenu = menu;
  },
};

export const shell = {
  openExternal(url: string): Promise<void> {
    recorder.openedExternal.push(url);
    return Promise.resolve();
  },
};

export const session = { defaultSession };

/** Electron's `net`: tests set `net.fetch` to answer; by default every request fails. */
export const net = {
  fetch: (url: string, _init?: RequestInit): Promise<Response> =>
    Promise.reject(new Error(`no network in tests: ${url}`)),
};

export const contextBridge = {
  exposeInMainWorld(key: string, api: unknown): void {
    if (recorder.exposed.has(key))
      throw new Error(`Cannot bind an API on top of an existing property ${key}`);
    recorder.exposed.set(key, api);
  },
};

export const ipcRenderer = {
  invocations: [] as Array<{ channel: string; args: unknown[] }>,
  reply: undefined as Handler | undefined,
  listeners: new Map<string, Handler[]>(),
  invoke(channel: string, ...args: unknown[]): Promise<unknown> {
    this.invocations.push({ channel, args });
    return Promise.resolve(this.reply?.(channel, ...args));
  },
  on(channel: string, listener: Handler): void {
    this.listeners.set(channel, [...(this.listeners.get(channel) ?? []), listener]);
  },
  removeListener(channel: string, listener: Handler): void {
    this.listeners.set(
      channel,
      (this.listeners.get(channel) ?? []).filter((l) => l !== listener),
    );
  },
};

export const BrowserWindow = FakeBrowserWindow;

/** Clears every recording and starts a fresh `app`, so tests do not leak into each other. */
export function resetElectronFake(): void {
  recorder.calls = [];
  recorder.windows = [];
  recorder.ipcHandlers.clear();
  recorder.ipcListeners.clear();
  recorder.exposed.clear();
  recorder.privilegedSchemes = [];
  recorder.protocolHandlers.clear();
  recorder.powerBlockers.clear();
  recorder.applicationMenu = undefined;
  recorder.openedExternal = [];
  recorder.singleInstanceLock = true;
  recorder.quitCalled = false;
  recorder.exitCodes = [];
  recorder.relaunched = 0;
  ipcRenderer.invocations = [];
  ipcRenderer.reply = undefined;
  ipcRenderer.listeners.clear();
  defaultSession.removeAllListeners();
  defaultSession.permissionRequestHandler = undefined;
  defaultSession.permissionCheckHandler = undefined;
  defaultSession.devicePermissionHandler = undefined;
  defaultSession.headersReceivedListener = undefined;
  safeStorage.available = true;
  safeStorage.backend = 'gnome_libsecret';
  app = new FakeApp();
}

export default {
  get app() {
    return app;
  },
  BrowserWindow,
  ipcMain,
  ipcRenderer,
  protocol,
  powerSaveBlocker,
  safeStorage,
  Menu,
  shell,
  session,
  net,
  contextBridge,
};
