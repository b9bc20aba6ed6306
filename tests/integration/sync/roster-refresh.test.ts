import 'fake-indexeddb/auto';
import { afterEach, describe, expect, it } from 'vitest';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { SyncEngine } from '../../../sync/client/engine';
import type { KioskConfigReply } from '../../../sync/protocol/wire';
import type { OfficerRosterEntry } from '../../../sync/protocol/officer-roster';
import { openTestStore } from '../../support/chain-fixture';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';

const kioskId = 'roster-kiosk-01';
const token = 'roster-enrolment-token-1';
const officer = (officerId: string, name: string): OfficerRosterEntry => ({
  officerId,
  name,
  pinHash:
    'pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g',
  active: true,
});

describe('an officer roster change reaching the kiosk', () => {
  let gateway: InProcessGateway | undefined;
  afterEach(async () => gateway?.close());

  it('arrives at the next sync once a minute has passed, and at once with Sync now', async () => {
    let roster: OfficerRosterEntry[] = [officer('00012345', 'Maya Cal')];
    let configRequests = 0;
    gateway = await startInProcessGateway([{ kioskId, token }], {
      kioskConfig: async () => {
        configRequests += 1;
        return { roster };
      },
    });
    const { store } = openTestStore(`${kioskId}-${crypto.randomUUID()}`);
    const keys = await loadOrCreateDeviceKey(store);
    let now = Date.now();
    const received: OfficerRosterEntry[][] = [];
    const engine = new SyncEngine({
      store,
      kioskId,
      keys,
      gatewayUrl: gateway.url,
      enrolmentToken: token,
      now: () => now,
      onConfig: (config: KioskConfigReply) => received.push(config.roster as OfficerRosterEntry[]),
    });
    expect(engine.status.configAt).toBeUndefined();
    await engine.trigger();
    expect(received.map((r) => r.map((o) => o.officerId))).toEqual([['00012345']]);
    // The header may now say "Connected": the kiosk has the office's officer list.
    expect(engine.status.configAt).toBe(now);

    // An administrator adds an officer. A sync a few seconds later does not ask again…
    roster = [...roster, officer('00067890', 'Kagiso Molefe')];
    now += 10_000;
    await engine.trigger();
    expect(received).toHaveLength(1);
    // …but "Sync now" does, whatever the age of the copy.
    await engine.syncNow();
    expect(received.map((r) => r.length)).toEqual([1, 2]);

    // Without Sync now, the next sync after 45 s brings the next change.
    roster = roster.slice(1);
    now += 46_000;
    await engine.trigger();
    expect(received.map((r) => r.map((o) => o.officerId))).toEqual([
      ['00012345'],
      ['00012345', '00067890'],
      ['00067890'],
    ]);
    // An unchanged roster costs a 304, not a new copy.
    const before = configRequests;
    now += 46_000;
    await engine.trigger();
    expect(configRequests).toBe(before + 1);
    expect(received).toHaveLength(3);
    engine.stop();
    store.close();
  });
});
