import { BridgeError } from '../../sync/bridge/kiosk-bridge';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import { isEventName } from '../../sync/bridge/channels';
import type { ChannelName, EventName, EventPayload, RequestArgs } from '../../sync/bridge/channels';
import { parseEventPayload, unwrapReply } from '../../sync/bridge/bridge-client';

const TOKEN_KEY = 'service-point:bridge-token';

/**
 * The launch token arrives in the URL fragment (never sent to a server or logged); it is moved
 * to sessionStorage so a reload keeps it, and removed from the address.
 */
export function takeBridgeToken(): string | undefined {
  const match = /(?:^#|&)bridge-token=([A-Za-z0-9_-]+)/.exec(location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', location.pathname + location.search);
    return match[1];
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** A call waiting for its reply, which arrives as `unknown` and is parsed by the caller. */
type Pending = { resolve: (reply: unknown) => void; reject: (error: Error) => void };

/** KioskBridge over the browser shell's token-guarded WebSocket; reconnects if it drops. */
export function createBrowserShellBridge(token: string): KioskBridge {
  const pending = new Map<number, Pending>();
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  let nextId = 1;
  let socket: WebSocket | undefined;
  let opened: Promise<WebSocket> | undefined;
  // The connection being opened or open, so a page that leaves can close it either way.
  let current: WebSocket | undefined;

  const connect = (): Promise<WebSocket> => {
    if (opened) return opened;
    opened = new Promise<WebSocket>((resolve, reject) => {
      const ws = new WebSocket(`ws://${location.host}/bridge?token=${encodeURIComponent(token)}`);
      current = ws;
      ws.addEventListener('open', () => {
        socket = ws;
        resolve(ws);
      });
      ws.addEventListener('error', () =>
        reject(new BridgeError('unavailable', 'bridge connection failed')),
      );
      ws.addEventListener('close', () => {
        socket = undefined;
        opened = undefined;
        for (const [id, call] of pending) {
          call.reject(new BridgeError('unavailable', 'bridge connection closed'));
          pending.delete(id);
        }
      });
      ws.addEventListener('message', (message) => {
        let data: unknown;
        try {
          data = JSON.parse(String(message.data));
        } catch {
          return;
        }
        if (typeof data !== 'object' || data === null) return;
        const record = data as {
          id?: unknown;
          reply?: unknown;
          event?: unknown;
          payload?: unknown;
        };
        if (typeof record.id === 'number' && 'reply' in record) {
          const call = pending.get(record.id);
          if (!call) return;
          pending.delete(record.id);
          call.resolve(record.reply);
        } else if (typeof record.event === 'string') {
          for (const listener of listeners.get(record.event) ?? []) listener(record.payload);
        }
      });
    });
    opened.catch(() => {
      opened = undefined;
    });
    return opened;
  };

  // One connection is one page load for the shell (it hands the data key once per connection).
  // A page that leaves (reload, navigation, or into the back/forward cache, where its socket
  // could otherwise stay open) closes its connection at once; a page brought back from that cache
  // reconnects. Only the browser's own events count: a script's synthetic `pagehide` must not
  // end the page's connection and free the data key for itself.
  window.addEventListener('pagehide', (event) => {
    if (event.isTrusted) current?.close();
  });
  window.addEventListener('pageshow', (event) => {
    if (event.isTrusted && event.persisted && listeners.size > 0) {
      void connect().catch(() => undefined);
    }
  });

  return {
    async invoke<C extends ChannelName>(channel: C, ...request: RequestArgs<C>) {
      const ws = socket ?? (await connect());
      const id = nextId++;
      const reply = await new Promise<unknown>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, channel, request: request[0] }));
      });
      return unwrapReply(channel, reply);
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      if (!isEventName(event))
        throw new BridgeError('unknown-channel', `no event ${String(event)}`);
      const wrapped = (payload: unknown): void => {
        const parsed = parseEventPayload(event, payload);
        if (parsed !== undefined) listener(parsed);
      };
      const set = listeners.get(event) ?? new Set();
      set.add(wrapped);
      listeners.set(event, set);
      void connect().catch(() => undefined);
      return () => {
        set.delete(wrapped);
      };
    },
  } satisfies KioskBridge;
}
