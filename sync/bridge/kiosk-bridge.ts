import type { ChannelName, EventName, EventPayload, RequestArgs, ResponseOf } from './channels';

/**
 * What the page may ask of the shell: one object, the same in Electron (preload), the browser
 * shell (WebSocket) and the demo's simulated shell. Each implementation `satisfies KioskBridge`,
 * which checks every channel's request and response against the one channel map.
 */
export interface KioskBridge {
  invoke<C extends ChannelName>(channel: C, ...request: RequestArgs<C>): Promise<ResponseOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export const bridgeErrorCodes = [
  'unknown-channel',
  'bad-request',
  'bad-response',
  'forbidden',
  'unavailable',
  'failed',
] as const;
export type BridgeErrorCode = (typeof bridgeErrorCodes)[number];

/** How a shell answers one call; errors cross the boundary as data, never as thrown objects. */
export type BridgeReply =
  { ok: true; value: unknown } | { ok: false; error: { code: BridgeErrorCode; message: string } };

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode, message: string) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
  }
}
