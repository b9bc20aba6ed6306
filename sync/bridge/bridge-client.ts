import { z } from '../../kiosk-config/zod-mini';
import { channelSchemas, eventSchemas } from './channels';
import type { ChannelName, EventName, EventPayload, ResponseOf } from './channels';
import { BridgeError, bridgeErrorCodes } from './kiosk-bridge';

/**
 * The page's side of every bridge implementation: a shell's reply and an event's payload arrive
 * as `unknown` (over IPC, a WebSocket or from the in-page router) and are parsed here against the
 * one channel map before any page code sees them.
 */
const bridgeReplySchema = z.discriminatedUnion('ok', [
  // JSON drops an undefined value, so a reply to a channel that answers nothing has no `value`.
  z.object({ ok: z.literal(true), value: z.optional(z.unknown()) }),
  z.object({
    ok: z.literal(false),
    error: z.object({
      code: z.enum(bridgeErrorCodes),
      message: z.string().check(z.maxLength(2000)),
    }),
  }),
]);

/** The channel's typed answer, or the shell's refusal thrown as a `BridgeError`. */
export function unwrapReply<C extends ChannelName>(channel: C, reply: unknown): ResponseOf<C> {
  const parsed = bridgeReplySchema.safeParse(reply);
  if (!parsed.success) throw new BridgeError('bad-response', `${channel}: malformed reply`);
  if (!parsed.data.ok) throw new BridgeError(parsed.data.error.code, parsed.data.error.message);
  const value = channelSchemas[channel].response.safeParse(parsed.data.value);
  if (!value.success) throw new BridgeError('bad-response', `${channel}: invalid response`);
  return value.data;
}

/** The event's typed payload, or undefined when what arrived does not match its schema. */
export function parseEventPayload<E extends EventName>(
  event: E,
  payload: unknown,
): EventPayload<E> | undefined {
  const parsed = eventSchemas[event].safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}
