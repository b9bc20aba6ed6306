/**
 * Type-level tests of the bridge contract. They are checked by `tsc` (`npm run typecheck`, the
 * first step of `npm test`), not at run time: an `expectTypeOf` that does not hold, or an
 * `@ts-expect-error` whose line has become valid, fails the typecheck. So if the bridge's types
 * loosen again (an `as never` in the preload, a handler typed `unknown`), `npm test` goes red.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { kioskBridge } from '../../../electron/preload/preload';
import type { createKioskServices } from '../../../electron/services/kiosk-services';
import type { KioskBridge } from '../../../sync/bridge/kiosk-bridge';
import type { BridgeHandlers } from '../../../sync/bridge/router';
import type {
  ChannelName,
  EventName,
  EventPayload,
  KioskInfo,
  OperatorExitResult,
  RequestArgs,
} from '../../../sync/bridge/channels';
import type { CardRead, PrinterStatus } from '../../../sync/bridge/device-payloads';

/** Type-checks one handler as the given channel's; returns it so nothing is left unused. */
const handlerFor = <C extends ChannelName>(_channel: C, handler: BridgeHandlers[C]) => handler;

describe('the bridge contract, at the type level', () => {
  it('types the preload’s answers by channel: each resolves to that channel’s response', () => {
    expectTypeOf<ReturnType<typeof kioskBridge.invoke<'kiosk:info'>>>().toEqualTypeOf<
      Promise<KioskInfo>
    >();
    expectTypeOf<ReturnType<typeof kioskBridge.invoke<'printer:status'>>>().toEqualTypeOf<
      Promise<PrinterStatus>
    >();
    expectTypeOf<ReturnType<typeof kioskBridge.invoke<'operator:exit'>>>().toEqualTypeOf<
      Promise<OperatorExitResult>
    >();
    expectTypeOf<ReturnType<typeof kioskBridge.invoke<'log:write'>>>().toEqualTypeOf<
      Promise<undefined>
    >();
    expectTypeOf<typeof kioskBridge>().toExtend<KioskBridge>();
  });

  it('types the preload’s requests by channel: none where a channel takes none', () => {
    expectTypeOf<Parameters<typeof kioskBridge.invoke<'kiosk:info'>>>().toEqualTypeOf<
      ['kiosk:info']
    >();
    expectTypeOf<Parameters<typeof kioskBridge.invoke<'operator:exit'>>>().toEqualTypeOf<
      ['operator:exit', request: { pin: string }]
    >();
  });

  it('does not let a bridge that answers the wrong shape satisfy KioskBridge', () => {
    const answersItsRequest = {
      async invoke<C extends ChannelName>(channel: C, ...request: RequestArgs<C>) {
        return { channel, request };
      },
      on<E extends EventName>(_event: E, _listener: (payload: EventPayload<E>) => void) {
        return () => undefined;
      },
    };
    expectTypeOf(answersItsRequest).not.toExtend<KioskBridge>();
    const answersUnknown = {
      async invoke<C extends ChannelName>(_channel: C, ..._request: RequestArgs<C>) {
        return JSON.parse('{}') as unknown;
      },
      on: answersItsRequest.on,
    };
    expectTypeOf(answersUnknown).not.toExtend<KioskBridge>();
  });

  it('does not let a handler answer the wrong shape or read a request field that is not there', () => {
    // @ts-expect-error kiosk:info answers a whole KioskInfo, not part of one
    handlerFor('kiosk:info', async () => ({ kioskId: 'k-1' }));
    // @ts-expect-error printer:status answers a printer status, not a card read
    handlerFor('printer:status', async (): Promise<CardRead> => ({
      kind: 'rejected',
      code: 'unrecognised',
      message: 'x',
      source: 'keyboard-wedge',
    }));
    // @ts-expect-error operator:exit's request has a pin, not a password
    handlerFor('operator:exit', async ({ password }) => ({
      result: 'wrong-pin',
      attemptsLeft: password,
    }));
    // A handler that answers the channel's shape is accepted.
    expectTypeOf(handlerFor('session:state', async () => undefined)).toBeFunction();
  });

  it('types the shells’ real handlers as the channel map says', () => {
    expectTypeOf<ReturnType<typeof createKioskServices>>().toEqualTypeOf<BridgeHandlers>();
  });

  it('refuses a call with the wrong request at compile time', () => {
    const calls = (bridge: KioskBridge) => [
      // @ts-expect-error a PIN is a string of digits, not a number
      bridge.invoke('operator:exit', { pin: 482913 }),
      // @ts-expect-error kiosk:info takes no request
      bridge.invoke('kiosk:info', { sneaky: true }),
      // @ts-expect-error there is no such channel
      bridge.invoke('shell:open-external', 'https://evil.example'),
      // @ts-expect-error session:state needs its request
      bridge.invoke('session:state'),
    ];
    expectTypeOf(calls).toBeFunction();
  });
});
