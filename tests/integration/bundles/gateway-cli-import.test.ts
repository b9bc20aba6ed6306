import 'fake-indexeddb/auto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { exportBundle } from '../../../sync/client/bundle-export';
import { commitTransaction } from '../../../sync/client/commit';
import { openTestStore } from '../../support/chain-fixture';
import { loadOrCreateDeviceKey } from '../../../sync/client/device-key';
import { exportPublicKey } from '../../../sync/protocol/device-signature';
import { hashToken } from '../../../sync/server/app';
import { readRosterFile } from '../../../sync/server/roster';
import { loadOrCreateSealingKey } from '../../../sync/server/sealing-key';
import { openGatewayStore } from '../../../sync/server/db/gateway-store';
import { gatewayCommand, runGatewayCli } from '../../support/gateway-process';

const dir = mkdtempSync(path.join(tmpdir(), 'sp-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
// This test's gateway is the SQLite file under --data; a DATABASE_URL in the environment (CI runs
// the store suite on PostgreSQL too) would point the CLI elsewhere: runGatewayCli drops it.
const cli = await gatewayCommand();
const gateway = (args: string[]) => runGatewayCli(cli, args);

describe('gateway command line', () => {
  it('imports a bundle file once; the second import reports duplicates and a damaged file is refused', async () => {
    const data = path.join(dir, 'gw');
    mkdirSync(data, { recursive: true });
    const store = await openGatewayStore({ sqliteFile: path.join(data, 'gateway.sqlite') });
    const { store: kioskStore } = openTestStore(`cli-${crypto.randomUUID()}`);
    const keys = await loadOrCreateDeviceKey(kioskStore);
    await store.addEnrolmentToken('rural-tc-09', hashToken('tok-123456789'));
    await store.enrol(
      'rural-tc-09',
      hashToken('tok-123456789'),
      await exportPublicKey(keys.publicKey),
    );
    await kioskStore.writeSetting('gateway-config', {
      gatewayKey: (await loadOrCreateSealingKey(store)).publicJwk,
      checkedAt: 0,
    });
    await store.close();
    for (let i = 0; i < 2; i += 1) {
      await commitTransaction(
        { store: kioskStore, kioskId: 'rural-tc-09', keys },
        {
          serviceId: 'social-grant',
          catalogueVersion: '1',
          channel: 'self-service',
          language: 'en',
          fee: { amountMinor: 0, currency: 'BZD' },
          fields: {},
        },
      );
    }
    const bundle = await exportBundle({ store: kioskStore, kioskId: 'rural-tc-09', keys });
    const file = path.join(dir, bundle.fileName);
    writeFileSync(file, bundle.text);
    writeFileSync(`${file}.cut`, bundle.text.slice(0, 300));

    const first = gateway(['import', file, '--data', data]);
    const second = gateway(['import', file, '--data', data]);
    const cut = gateway(['import', `${file}.cut`, '--data', data]);
    expect(first).toMatchObject({ code: 0 });
    expect(first.out).toContain('2 accepted, 0 duplicate');
    expect(second.out).toContain('0 accepted, 2 duplicate');
    expect(cut.code).toBe(2);
    expect(cut.out).toContain('refused (truncated)');
  });

  it('adds an officer to a roster file with a PBKDF2 hash, never the PIN', () => {
    const roster = path.join(dir, 'roster.json');
    const out = gateway([
      'officer',
      'add',
      '--roster',
      roster,
      '--id',
      '00054321',
      '--name',
      'Tumelo K',
      '--pin',
      '739201',
    ]);
    expect(out.code).toBe(0);
    const [entry] = readRosterFile(roster);
    expect(entry).toMatchObject({ officerId: '00054321', name: 'Tumelo K', active: true });
    expect(entry?.pinHash).toMatch(/^pbkdf2-sha256\$600000\$/);
    expect(JSON.stringify(readRosterFile(roster))).not.toContain('739201');
  });
});
