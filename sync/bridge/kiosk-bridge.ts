import type { ChannelName, EventName, EventPayload, RequestOf, ResponseOf } from './channels';

/**
 * What the page may ask of the shell: one object, the same in Electron (preload), the browser
 * shell (WebSocket) and the simulated shell. Each implementation `satisfies KioskBridge`.
 */
export interface KioskBridge {
  invoke<C extends ChannelName>(
    channel: C,
    ...request: RequestOf<C> extends undefined ? [] : [RequestOf<C>]
  ): Promise<ResponseOf<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** How a shell answers one call; errors cross the boundary as data, never as thrown objects. */
export type BridgeReply =
  { ok: true; value: unknown } | { ok: false; error: { code: BridgeErrorCode; message: string } };

export type BridgeErrorCode =
  'unknown-channel' | 'bad-request' | 'bad-response' | 'forbidden' | 'unavailable' | 'failed';

export class BridgeError extends Error {
  readonly code: BridgeErrorCode;
  constructor(code: BridgeErrorCode, message: string) {
    super(message);
    this.name = 'BridgeError';
    this.code = code;
  }
}
