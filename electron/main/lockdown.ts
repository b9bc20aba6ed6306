import type { App, Event, Session, WebContents } from 'electron';
import { isAppUrl } from './app-origin';
import type { ShellLogger } from './logger';
import { blockedInputReason } from '../../sync/bridge/key-policy';
import type { KeyInput } from '../../sync/bridge/key-policy';
import type { HidDeviceId } from './shell-config';
import { InitializeOnce } from './shell-error';

/**
 * Permissions the page may hold: only `persistent-storage`, so Chromium never evicts the queue of
 * committed transactions under disk pressure. Everything else (camera, geolocation, notifications,
 * clipboard read, fullscreen, openExternal, …) is refused.
 */
const grantedPermissions = new Set(['persistent-storage']);

export interface LockdownDeps {
  app: Pick<App, 'on'>;
  session: Pick<
    Session,
    | 'on'
    | 'setPermissionRequestHandler'
    | 'setPermissionCheckHandler'
    | 'setDevicePermissionHandler'
    | 'webRequest'
  >;
  logger: ShellLogger;
  /** The page's Content-Security-Policy, set on every app:// response. */
  contentSecurityPolicy: string;
  /** HID devices (by vendor and product id) the page may open through WebHID; usually none. */
  allowedHidDevices: HidDeviceId[];
}

type GuardedContents = Pick<
  WebContents,
  'on' | 'setWindowOpenHandler' | 'setVisualZoomLevelLimits' | 'setZoomFactor' | 'closeDevTools'
>;

/**
 * The kiosk's lockdown: what the page may navigate to, open, attach, download, ask for and type.
 * Installed once on the session and the app, and on every web contents that is created.
 */
export class LockdownService {
  private readonly once = new InitializeOnce('lockdown');
  private readonly guarded = new WeakSet<object>();

  constructor(private readonly deps: LockdownDeps) {}

  initialize(): void {
    this.once.claim();
    const { app, session, logger } = this.deps;
    app.on('web-contents-created', (_event, contents) => this.guard(contents));

    session.setPermissionRequestHandler((_contents, permission, callback, details) => {
      const granted = grantedPermissions.has(permission) && isAppUrl(details.requestingUrl);
      if (!granted) logger.log('warn', 'lockdown.permission-denied', { permission });
      callback(granted);
    });
    session.setPermissionCheckHandler((_contents, permission, requestingOrigin) => {
      if (!isAppUrl(requestingOrigin)) return false;
      if (permission === 'hid') return this.deps.allowedHidDevices.length > 0;
      return grantedPermissions.has(permission);
    });
    session.setDevicePermissionHandler((details) => {
      const allowed =
        details.deviceType === 'hid' &&
        isAppUrl(details.origin) &&
        this.isAllowedHid(details.device as { vendorId?: unknown; productId?: unknown });
      if (!allowed)
        logger.log('warn', 'lockdown.device-denied', { deviceType: details.deviceType });
      return allowed;
    });
    session.on('select-hid-device', (event, details, callback) => {
      event.preventDefault();
      const device = details.deviceList.find((candidate) => this.isAllowedHid(candidate));
      if (!device) logger.log('warn', 'lockdown.device-denied', { deviceType: 'hid' });
      callback(device?.deviceId);
    });
    session.on('select-serial-port', (event, _ports, _contents, callback) => {
      event.preventDefault();
      logger.log('warn', 'lockdown.device-denied', { deviceType: 'serial' });
      callback('');
    });
    session.on('select-usb-device', (event, _details, callback) => {
      event.preventDefault();
      logger.log('warn', 'lockdown.device-denied', { deviceType: 'usb' });
      callback();
    });
    session.on('will-download', (event, item) => {
      event.preventDefault();
      logger.log('warn', 'lockdown.download-refused', { url: safeUrl(item.getURL()) });
    });
    session.webRequest.onHeadersReceived((details, callback) => {
      if (!isAppUrl(details.url)) {
        callback({});
        return;
      }
      const headers: Record<string, string[]> = {};
      for (const [name, value] of Object.entries(details.responseHeaders ?? {})) {
        // Replace, never merge: a weaker policy from anywhere must not survive next to ours.
        if (name.toLowerCase() !== 'content-security-policy') headers[name] = value;
      }
      headers['Content-Security-Policy'] = [this.deps.contentSecurityPolicy];
      callback({ responseHeaders: headers });
    });
  }

  /** Locks down one web contents (the kiosk window's, or any other that appears). */
  guard(contents: GuardedContents): void {
    if (this.guarded.has(contents)) return;
    this.guarded.add(contents);
    const { logger } = this.deps;
    const refuseNavigation = (kind: string) => (event: Event & { url?: string }, url?: string) => {
      const target = event.url ?? url;
      if (isAppUrl(target)) return;
      event.preventDefault();
      logger.log('warn', 'lockdown.navigation-refused', { kind, url: safeUrl(target) });
    };
    contents.on('will-navigate', refuseNavigation('navigate'));
    contents.on('will-redirect', refuseNavigation('redirect'));
    contents.on('will-frame-navigate', refuseNavigation('frame-navigate'));
    contents.setWindowOpenHandler(({ url }) => {
      logger.log('warn', 'lockdown.window-open-refused', { url: safeUrl(url) });
      return { action: 'deny' };
    });
    contents.on('will-attach-webview', (event) => {
      event.preventDefault();
      logger.log('warn', 'lockdown.webview-refused');
    });
    contents.on('before-input-event', (event, input: KeyInput) => {
      const reason = blockedInputReason(input);
      if (!reason) return;
      event.preventDefault();
      if (input.type !== 'keyUp') logger.log('info', 'lockdown.key-blocked', { reason });
    });
    contents.on('context-menu', (event) => event.preventDefault());
    contents.on('devtools-opened', () => {
      contents.closeDevTools();
      logger.log('error', 'lockdown.devtools-closed');
    });
    contents.on('zoom-changed', () => contents.setZoomFactor(1));
    contents.on('did-finish-load', () => {
      // Pinch-zoom would let a citizen push the language switch or the exit off the screen.
      contents.setVisualZoomLevelLimits(1, 1).catch(() => undefined);
    });
  }

  private isAllowedHid(device: { vendorId?: unknown; productId?: unknown }): boolean {
    return this.deps.allowedHidDevices.some(
      (allowed) => allowed.vendorId === device.vendorId && allowed.productId === device.productId,
    );
  }
}

/** Logs where a refused navigation went, without query or fragment (they may hold personal data). */
function safeUrl(raw: unknown): string {
  if (typeof raw !== 'string') return String(raw);
  try {
    const url = new URL(raw);
    return `${url.protocol}//${url.host}${url.pathname}`.slice(0, 200);
  } catch {
    return raw.slice(0, 40);
  }
}
