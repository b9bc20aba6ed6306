import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadKioskFrame } from '../../../renderer/app/kiosk-frame';
import { startKioskRuntime } from '../../../renderer/app/kiosk-runtime';
import type { KioskRuntime } from '../../../renderer/app/kiosk-runtime';
import { createSimulatedBridge } from '../../../renderer/platform/simulated-bridge';
import { embeddedSite } from '../../../kiosk-config';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';

const TEN_MINUTES = 10 * 60_000;
const kioskId = (embeddedSite as { kioskId: string }).kioskId;
const token = 'status-lookup-token';

/** The page's last-good-config cache, in memory (Node has no localStorage). */
function memoryStore() {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
}

describe('status look-ups on a kiosk whose clock is wrong', () => {
  let gateway: InProcessGateway;
  let runtime: KioskRuntime | undefined;

  beforeEach(async () => {
    const realNow = Date.now.bind(Date);
    // The gateway keeps true time; the kiosk's clock (Date.now, which the page's code reads) is
    // ten minutes slow, twice the five-minute window a signed request may be off by.
    gateway = await startInProcessGateway([{ kioskId, token }], { now: () => new Date(realNow()) });
    vi.spyOn(Date, 'now').mockImplementation(() => realNow() - TEN_MINUTES);
    // The page's reader listener needs a window; nothing here types on it.
    vi.stubGlobal('window', new EventTarget());
  });

  afterEach(async () => {
    runtime?.stop();
    vi.restoreAllMocks();
    vi.unstubAllGlobals();
    await gateway.close();
  });

  it('are answered by the gateway, signed with the clock correction the sync engine learnt', async () => {
    runtime = await startKioskRuntime(
      await loadKioskFrame(
        createSimulatedBridge({ gatewayUrl: gateway.url, enrolmentToken: token }),
        memoryStore(),
      ),
    );
    const committed = await runtime.submit({
      serviceId: 'birth-certificate-replacement',
      catalogueVersion: runtime.catalogue.version,
      channel: 'self-service',
      language: 'en',
      fee: { amountMinor: 1000, currency: 'BZD' },
      fields: { fullName: 'Ana Pérez', dateOfBirth: '1990-04-01', district: 'cayo' },
    });
    // The commit woke the engine; this waits for that run (or starts one) to finish.
    await runtime.engine.trigger();
    expect(runtime.engine.status.link).toBe('online');
    expect(runtime.engine.client.clockSkewMs).toBeGreaterThan(TEN_MINUTES - 5_000);
    expect((await runtime.store.find({ txId: committed.txId }))?.state).toBe('delivered');

    const reply = await runtime.lookupStatus([committed.ref]);
    // Answered by the gateway now, not the kiosk's last-heard copy.
    expect(reply.online).toBe(true);
    expect(reply.statuses).toEqual([
      expect.objectContaining({ ref: committed.ref, state: 'received' }),
    ]);
  });
});
