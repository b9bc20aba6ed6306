import { channels, isChannelName } from './channels';
import type { ChannelName, RequestOf, ResponseOf } from './channels';
import { BridgeError } from './kiosk-bridge';
import type { BridgeReply } from './kiosk-bridge';

export type BridgeHandlers = {
  [C in ChannelName]: (request: RequestOf<C>) => Promise<ResponseOf<C>>;
};

export interface BridgeRouter {
  /** Validates channel and request (as `unknown`), runs the handler, validates its answer. */
  handle(channel: unknown, request: unknown): Promise<BridgeReply>;
}

export function createBridgeRouter(handlers: BridgeHandlers): BridgeRouter {
  return {
    async handle(channel, request) {
      if (!isChannelName(channel)) {
        return {
          ok: false,
          error: { code: 'unknown-channel', message: `no channel ${String(channel)}` },
        };
      }
      const spec = channels[channel];
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
        const handler = handlers[channel] as (request: unknown) => Promise<unknown>;
        const value = await handler(parsed.data);
        const checked = spec.response.safeParse(value);
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
    },
  };
}
