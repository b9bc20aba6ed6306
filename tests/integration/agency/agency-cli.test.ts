import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startInProcessGateway } from '../../support/gateway-harness';
import { gatewayCommand, runGatewayCli } from '../../support/gateway-process';
import { startNodeKiosk } from '../../proof/node-kiosk';
import { birthCertificate } from '../../support/chain-fixture';

const dir = mkdtempSync(path.join(tmpdir(), 'sp-agency-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `npm run gateway -- …` on this test's SQLite gateway (never CI's DATABASE_URL). */
const cli = await gatewayCommand();
const gateway = (args: string[], input?: string) => runGatewayCli(cli, args, input);

describe('agency administration on the command line', () => {
  it('registers an agency whose printed key works, opens its personal fields, lists and rotates it', async () => {
    const data = path.join(dir, 'gw');
    mkdirSync(data, { recursive: true });
    const keyFile = path.join(dir, 'immigration-key.json');
    const keygen = gateway(['agency', 'keygen', '--out', keyFile]);
    expect(keygen.code).toBe(0);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);

    const refusedHook = gateway([
      'agency',
      'add',
      '--data',
      data,
      '--id',
      'immigration',
      '--name',
      'Immigration Department',
      '--service',
      'passport',
      '--public-key',
      keyFile.replace('.json', '.pub.json'),
      '--webhook',
      'http://agency.example/hooks',
    ]);
    expect(refusedHook).toMatchObject({ code: 1 });
    expect(refusedHook.out).toContain(
      'a webhook URL must be https:// (http:// only to this machine)',
    );
    const added = gateway([
      'agency',
      'add',
      '--data',
      data,
      '--id',
      'immigration',
      '--name',
      'Immigration Department',
      '--service',
      'passport',
      '--public-key',
      keyFile.replace('.json', '.pub.json'),
    ]);
    expect(added.code).toBe(0);
    const apiKey = /API key \(shown once\): (\S+)/.exec(added.out)?.[1] ?? '';
    expect(apiKey).toMatch(/^spa\.immigration\.[A-Za-z0-9_-]{43}$/);
    const gw = await startInProcessGateway([{ kioskId: 'cli-kiosk-01', token: 'cli-token-1' }], {
      dataDir: data,
    });
    const kiosk = await startNodeKiosk({
      kioskId: 'cli-kiosk-01',
      token: 'cli-token-1',
      gatewayUrl: gw.url,
    });
    try {
      await kiosk.commit({ ...birthCertificate, serviceId: 'passport' });
      await kiosk.drain();
      const claim = await fetch(`${gw.url}/agency/v1/feed/claims`, {
        method: 'POST',
        headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify({ consumer: 'cli' }),
      });
      expect(claim.status).toBe(200);
      const opened = gateway(['agency', 'open', '--key', keyFile], await claim.text());
      expect(opened.code).toBe(0);
      expect(JSON.parse(opened.out.trim())).toMatchObject({
        position: 1,
        personal: { fullName: 'Ana Pérez Quetzal', dateOfBirth: '1990-04-01' },
        check: 'digest matches the signed record',
      });
      await gw.stop();

      expect(gateway(['agency', 'list', '--data', data]).out).toMatch(
        /^immigration\tImmigration Department\tservices: passport\twebhook: -\tfeed: 0\/1 acknowledged$/m,
      );
      const rotated = gateway(['agency', 'rotate-key', '--data', data, '--id', 'immigration']);
      const newKey = /\): (spa\.\S+)/.exec(rotated.out)?.[1] ?? '';
      expect(newKey).not.toBe(apiKey);
      await gw.restart();
      const me = (key: string) =>
        fetch(`${gw.url}/agency/v1/me`, { headers: { authorization: `Bearer ${key}` } });
      expect((await me(apiKey)).status).toBe(401);
      expect((await me(newKey)).status).toBe(200);
    } finally {
      await kiosk.close();
      await gw.close();
    }
    // Each command is a Node process of its own: seconds apiece on a busy machine.
  }, 120_000);
});
