/**
 * The preload: exposes exactly one object, `window.kiosk`, and nothing else. Bundled to
 * dist/electron/preload.cjs (sandboxed preloads are CommonJS and may only require electron).
 */
import { contextBridge, ipcRenderer } from 'electron';
import type { IpcRendererEvent } from 'electron';
import { BridgeError } from '../../sync/bridge/kiosk-bridge';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { isEventName } from '../../sync/bridge/channels';
import type { ChannelName, EventName, EventPayload, RequestArgs } from '../../sync/bridge/channels';
import { parseEventPayload, unwrapReply } from '../../sync/bridge/bridge-client';

const BRIDGE_INVOKE = 'bridge:invoke';
const BRIDGE_EVENT = 'bridge:event';

export const kioskBridge = {
  async invoke<C extends ChannelName>(channel: C, ...request: RequestArgs<C>) {
    // The reply crosses a process boundary: parsed against the channel's response schema.
    return unwrapReply(channel, await ipcRenderer.invoke(BRIDGE_INVOKE, channel, request[0]));
  },
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
    if (!isEventName(event)) throw new BridgeError('unknown-channel', `no event ${String(event)}`);
    const wrapped = (_e: IpcRendererEvent, name: unknown, payload: unknown): void => {
      if (name !== event) return;
      const parsed = parseEventPayload(event, payload);
      if (parsed !== undefined) listener(parsed);
    };
    ipcRenderer.on(BRIDGE_EVENT, wrapped);
    return () => {
      ipcRenderer.removeListener(BRIDGE_EVENT, wrapped);
    };
  },
} satisfies KioskBridge;

contextBridge.exposeInMainWorld('kiosk', kioskBridge);
