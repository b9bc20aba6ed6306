import type { BrowserWindow, IpcMain, IpcMainInvokeEvent } from 'electron';
import type { BridgeRouter } from '../bridge/router';
import type { BridgeReply } from '../bridge/kiosk-bridge';
import { APP_ORIGIN } from './app-protocol';

export const BRIDGE_INVOKE = 'bridge:invoke';

/** True only for the kiosk window's own top frame on the app origin. */
export function isTrustedSender(
  event: IpcMainInvokeEvent,
  window: BrowserWindow | undefined,
): boolean {
  const frame = event.senderFrame;
  if (!window || !frame || event.sender !== window.webContents) return false;
  if (frame.parent) return false;
  try {
    return new URL(frame.url).origin === APP_ORIGIN;
  } catch {
    return false;
  }
}

/** The main-side end of the bridge: checks the sender, then lets the router validate the call. */
export function installBridgeEndpoint(
  ipcMain: Pick<IpcMain, 'handle'>,
  router: BridgeRouter,
  window: () => BrowserWindow | undefined,
): void {
  ipcMain.handle(
    BRIDGE_INVOKE,
    async (event, channel: unknown, request: unknown): Promise<BridgeReply> => {
      if (!isTrustedSender(event, window())) {
        return { ok: false, error: { code: 'forbidden', message: 'call from an untrusted frame' } };
      }
      return router.handle(channel, request);
    },
  );
}
