import type { BrowserWindow, IpcMain, IpcMainInvokeEvent, WebContents } from 'electron';
import type { BridgeCaller, BridgeRouter } from '../../sync/bridge/router';
import type { BridgeReply } from '../../sync/bridge/kiosk-bridge';
import { isAppUrl } from './app-origin';
import type { ShellLogger } from './logger';

export const BRIDGE_INVOKE = 'bridge:invoke';
export const BRIDGE_EVENT = 'bridge:event';

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** True only for the kiosk window's own top frame on the app origin, still in the frame tree. */
export function isTrustedSender(
  event: SenderEvent,
  window: Pick<BrowserWindow, 'webContents'> | undefined,
): boolean {
  const frame = event.senderFrame;
  if (!window || !frame || event.sender !== window.webContents) return false;
  if (frame.parent) return false;
  // A page that is being replaced (running its unload handlers) no longer speaks for the window.
  if (frame.detached) return false;
  return isAppUrl(frame.url);
}

type PageEvents = Pick<WebContents, 'on' | 'id'>;

/**
 * Numbers the page loads of one web contents: each new document (first load, reload, navigation)
 * starts a new one, and a renderer that dies ends the current one. The bridge's handlers see the
 * current load as their caller; `alive()` turns false when that document is gone.
 */
export function trackPageLoads(contents: PageEvents): { current(): BridgeCaller } {
  let load = 1;
  // `did-navigate` is the main frame committing a new document (not an in-page #hash change).
  contents.on('did-navigate', () => {
    load += 1;
  });
  contents.on('render-process-gone', () => {
    load += 1;
  });
  return {
    current() {
      const mine = load;
      return { page: `window ${contents.id} load ${mine}`, alive: () => load === mine };
    },
  };
}

/**
 * The main-side end of the bridge: checks the sender frame and the call's shape, then lets the
 * router validate the channel and its arguments against the one channel map.
 */
export function installBridgeEndpoint(
  ipcMain: Pick<IpcMain, 'handle'>,
  router: BridgeRouter,
  window: () => Pick<BrowserWindow, 'webContents'> | undefined,
  logger?: ShellLogger,
): void {
  const pageLoads = new WeakMap<object, { current(): BridgeCaller }>();
  const callerOf = (contents: PageEvents): BridgeCaller => {
    let loads = pageLoads.get(contents);
    if (!loads) {
      loads = trackPageLoads(contents);
      pageLoads.set(contents, loads);
    }
    return loads.current();
  };
  ipcMain.handle(BRIDGE_INVOKE, async (event, ...args: unknown[]): Promise<BridgeReply> => {
    if (!isTrustedSender(event, window())) {
      logger?.log('error', 'bridge.untrusted-sender', { url: String(event.senderFrame?.url) });
      return { ok: false, error: { code: 'forbidden', message: 'call from an untrusted frame' } };
    }
    // The preload always sends exactly (channel, request); anything else did not come from it.
    if (args.length > 2) {
      logger?.log('warn', 'bridge.malformed-call', { arity: args.length });
      return { ok: false, error: { code: 'bad-request', message: 'too many arguments' } };
    }
    const [channel, request] = args;
    const reply = await router.handle(channel, request, callerOf(event.sender));
    if (!reply.ok) {
      logger?.log('warn', 'bridge.refused', {
        channel: typeof channel === 'string' ? channel.slice(0, 60) : typeof channel,
        code: reply.error.code,
      });
    }
    return reply;
  });
}
