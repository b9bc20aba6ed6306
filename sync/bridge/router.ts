import { channelSchemas, isChannelName } from './channels';
import type { ChannelName, ParsedRequestOf, ResponseOf } from './channels';
import { BridgeError } from './kiosk-bridge';
import type { BridgeReply } from './kiosk-bridge';

/**
 * Who is calling: one page load of the kiosk page, as the shell's end of the bridge sees it (a
 * document of the Electron window, a WebSocket connection of the browser shell). Handlers that
 * must answer a page only once (the data key) use it.
 */
export interface BridgeCaller {
  /** Names this page load in logs; unique for the shell's life. */
  readonly page: string;
  /** False once that page load is gone (reloaded, navigated away, closed, crashed). */
  alive(): boolean;
}

/** The privileged side of every channel: takes the parsed request, answers the channel's shape. */
export type BridgeHandlers = {
  [C in ChannelName]: (request: ParsedRequestOf<C>, caller: BridgeCaller) => Promise<ResponseOf<C>>;
};

export interface BridgeRouter {
  /** Validates channel and request (as `unknown`), runs the handler, validates its answer. */
  handle(channel: unknown, request: unknown, caller: BridgeCaller): Promise<BridgeReply>;
}

/** Parses the request with this channel's schema, runs its handler, checks its answer. */
async function dispatch<C extends ChannelName>(
  handlers: BridgeHandlers,
  channel: C,
  request: unknown,
  caller: BridgeCaller,
): Promise<BridgeReply> {
  const spec = channelSchemas[channel];
  const parsed = spec.request.safeParse(request);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      error: {
        code: 'bad-request',
        message: `${channel}: ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`,
      },
    };
  }
  try {
    const handler: BridgeHandlers[C] = handlers[channel];
    const checked = spec.response.safeParse(await handler(parsed.data, caller));
    if (!checked.success) {
      return {
        ok: false,
        error: { code: 'bad-response', message: `${channel}: invalid response` },
      };
    }
    return { ok: true, value: checked.data };
  } catch (error) {
    if (error instanceof BridgeError) {
      return { ok: false, error: { code: error.code, message: error.message } };
    }
    return {
      ok: false,
      error: { code: 'failed', message: `${channel}: ${(error as Error).message}` },
    };
  }
}

export function createBridgeRouter(handlers: BridgeHandlers): BridgeRouter {
  return {
    handle(channel, request, caller) {
      if (!isChannelName(channel)) {
        return Promise.resolve({
          ok: false,
          error: { code: 'unknown-channel', message: `no channel ${String(channel)}` },
        });
      }
      return dispatch(handlers, channel, request, caller);
    },
  };
}
