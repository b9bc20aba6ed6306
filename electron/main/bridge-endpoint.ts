import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import type { BridgeRouter } from '../../sync/bridge/router';
import type { BridgeReply } from '../../sync/bridge/kiosk-bridge';
import { isAppUrl } from './app-origin';
import type { ShellLogger } from './logger';

export const BRIDGE_INVOKE = 'bridge:invoke';
export const BRIDGE_EVENT = 'bridge:event';

type SenderEvent = Pick<IpcMainInvokeEvent, 'sender' | 'senderFrame'>;

/** True only for the kiosk window's own top frame on the app origin. */
export function isTrustedSender(
  event: SenderEvent,
  window: Pick<BrowserWindow, 'webContents'> | undefined,
): boolean {
  const frame = event.senderFrame;
  if (!window || !frame || event.sender !== window.webContents) return false;
  if (frame.parent) return false;
  return isAppUrl(frame.url);
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
    const reply = await router.handle(channel, request);
    if (!reply.ok) {
      logger?.log('warn', 'bridge.refused', {
        channel: typeof channel === 'string' ? channel.slice(0, 60) : typeof channel,
        code: reply.error.code,
      });
    }
    return reply;
  });
}
