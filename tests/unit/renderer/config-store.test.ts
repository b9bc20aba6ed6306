import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { LAST_GOOD_KEY, loadConfiguration } from '../../../renderer/app/config-store';
import type { KeyValueStore } from '../../../renderer/app/config-store';

const read = (file: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../../kiosk-config/${file}`, import.meta.url), 'utf8'));

function memoryStore(): KeyValueStore & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (key) => map.get(key) ?? null,
    setItem: (key, value) => void map.set(key, value),
  };
}

const info = {
  kioskId: 'demo-kiosk-01',
  shell: 'browser' as const,
  appVersion: 'test',
  gatewayUrl: 'http://127.0.0.1:8787',
  enrolmentToken: 'one-time-secret',
  simulatedDevices: [],
};

describe('the last good configuration', () => {
  it('keeps a valid config as the last good one, without the enrolment token', async () => {
    const store = memoryStore();
    const loaded = await loadConfiguration(
      async () => ({
        info,
        site: read('sites/demo.json'),
        catalogue: read('catalogue/belize.json'),
      }),
      store,
    );
    expect(loaded.source).toBe('shell');
    expect(loaded.refused).toBeUndefined();
    expect(store.map.get(LAST_GOOD_KEY)).toContain('birth-certificate-replacement');
    expect(store.map.get(LAST_GOOD_KEY)).not.toContain('one-time-secret');
  });

  it('refuses an invalid catalogue naming the field and each problem, and runs on the last good one', async () => {
    const store = memoryStore();
    await loadConfiguration(
      async () => ({
        info,
        site: read('sites/demo.json'),
        catalogue: read('catalogue/belize.json'),
      }),
      store,
    );
    const broken = read('catalogue/belize.json') as {
      services: Array<{ fee: { currency: string } }>;
    };
    broken.services[3]!.fee.currency = 'dollars';
    const loaded = await loadConfiguration(
      async () => ({ info, site: read('sites/demo.json'), catalogue: broken }),
      store,
    );
    expect(loaded.source).toBe('last-good');
    // Every problem is named: the code is not ISO 4217, and it is not the country's currency.
    expect(loaded.refused).toBe(
      'catalogue: services[3].fee.currency: must be an ISO 4217 code such as BZD; ' +
        'services[3].fee.currency: must be BZD, the currency of Belize',
    );
    expect(loaded.catalogue.services[3]!.fee.currency).toBe('BZD');
    // The refused catalogue never replaces the good copy.
    expect(store.map.get(LAST_GOOD_KEY)).not.toContain('dollars');
  });

  it("refuses another country's catalogue for this site and keeps the last good pair", async () => {
    const store = memoryStore();
    await loadConfiguration(
      async () => ({
        info,
        site: read('sites/demo.json'),
        catalogue: read('catalogue/belize.json'),
      }),
      store,
    );
    const loaded = await loadConfiguration(
      async () => ({
        info,
        site: read('sites/demo.json'),
        catalogue: read('catalogue/botswana.json'),
      }),
      store,
    );
    expect(loaded.source).toBe('last-good');
    expect(loaded.refused).toBe(
      'catalogue: country: is Botswana (BW), but site demo-kiosk-01 is in Belize (BZ)',
    );
    expect(loaded.catalogue.country).toBe('BZ');
    expect(loaded.catalogue.services[0]!.fee.currency).toBe('BZD');
  });

  it('fails with the field named when there is no last good config to fall back on', async () => {
    const broken = read('catalogue/belize.json') as { version: unknown };
    broken.version = '';
    await expect(
      loadConfiguration(
        async () => ({ info, site: read('sites/demo.json'), catalogue: broken }),
        memoryStore(),
      ),
    ).rejects.toThrow('catalogue: version: ');
  });

  it('starts from the last good copy when the shell cannot be reached', async () => {
    const store = memoryStore();
    await loadConfiguration(
      async () => ({
        info,
        site: read('sites/demo.json'),
        catalogue: read('catalogue/belize.json'),
      }),
      store,
    );
    const loaded = await loadConfiguration(async () => {
      throw new Error('bridge connection failed');
    }, store);
    expect(loaded.source).toBe('last-good');
    expect(loaded.info.kioskId).toBe('demo-kiosk-01');
    expect(loaded.info.enrolmentToken).toBeUndefined();
    await expect(
      loadConfiguration(async () => {
        throw new Error('bridge connection failed');
      }, memoryStore()),
    ).rejects.toThrow('bridge connection failed');
  });

  it('ignores a tampered or corrupt stored copy instead of running on it', async () => {
    const store = memoryStore();
    store.setItem(LAST_GOOD_KEY, '{"info": {"kioskId": 1}}');
    await expect(
      loadConfiguration(async () => {
        throw new Error('down');
      }, store),
    ).rejects.toThrow('down');
  });
});
