/**
 * The preload: exposes exactly one object, `window.kiosk`, and nothing else. Bundled to
 * dist/electron/preload.cjs (sandboxed preloads are CommonJS and may only require electron).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { BridgeError } from '../../sync/bridge/kiosk-bridge';
import type { BridgeReply, KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { isEventName } from '../../sync/bridge/channels';

const BRIDGE_INVOKE = 'bridge:invoke';
const BRIDGE_EVENT = 'bridge:event';

export const kioskBridge = {
  async invoke(channel: string, ...request: unknown[]) {
    const reply = (await ipcRenderer.invoke(BRIDGE_INVOKE, channel, request[0])) as BridgeReply;
    if (!reply.ok) throw new BridgeError(reply.error.code, reply.error.message);
    return reply.value as never;
  },
  on(event: string, listener: (payload: never) => void) {
    if (!isEventName(event)) throw new BridgeError('unknown-channel', `no event ${event}`);
    const wrapped = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(BRIDGE_EVENT, wrapped);
    return () => {
      ipcRenderer.removeListener(BRIDGE_EVENT, wrapped);
    };
  },
} satisfies KioskBridge;

contextBridge.exposeInMainWorld('kiosk', kioskBridge);
