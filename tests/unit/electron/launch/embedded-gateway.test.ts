import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmbeddedGateway } from '../../../../electron/launch/embedded-gateway';
import type { EmbeddedGateway } from '../../../../electron/launch/embedded-gateway';
import { signInGuide } from '../../../../electron/launch/sign-in-guide';
import { loadKioskConfig } from '../../../../electron/services/load-config';
import { readRosterFile } from '../../../../sync/server/roster';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
const demoRoster = path.join(root, 'kiosk-config', 'sites', 'demo-roster.json');

describe('the demo gateway npm start embeds', () => {
  let dataDir: string;
  let gateway: EmbeddedGateway | undefined;
  let blocker: Server | undefined;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'sp-embedded-'));
  });
  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
    await new Promise<void>((resolve) => (blocker ? blocker.close(() => resolve()) : resolve()));
    blocker = undefined;
    rmSync(dataDir, { recursive: true, force: true });
  });

  const start = (port = 0, resetAdminPassword = false) =>
    startEmbeddedGateway({
      dataDir,
      kioskId: 'demo-kiosk-01',
      host: '127.0.0.1',
      port,
      rosterTemplate: demoRoster,
      resetAdminPassword,
    });

  it('serves the demo roster and the dashboard, with an administrator password made once', async () => {
    gateway = await start();
    expect(gateway.newAdminPassword).toMatch(/^[a-z0-9]{5}(-[a-z0-9]{5}){3}$/);
    expect(readRosterFile(gateway.rosterFile).map((o) => o.officerId)).toEqual([
      '00012345',
      '00067890',
    ]);
    const login = await fetch(`${gateway.url}/admin/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ password: gateway.newAdminPassword ?? '' }),
      redirect: 'manual',
    });
    expect(login.status).toBe(303);
    expect(login.headers.get('set-cookie')).toMatch(/sp_admin=/);
    const token = readFileSync(path.join(dataDir, 'enrolment-token'), 'utf8');
    await gateway.close();

    // The second start keeps the password and the token; it prints no password.
    gateway = await start();
    expect(gateway.newAdminPassword).toBeUndefined();
    expect(gateway.enrolmentToken).toBe(token);
    await gateway.close();
    gateway = await start(0, true);
    expect(gateway.newAdminPassword).toMatch(/^[a-z0-9]{5}-/);
  });

  it('stops with a clear message when its port is busy, instead of moving', async () => {
    blocker = createServer();
    const port = await new Promise<number>((resolve) =>
      blocker?.listen(0, '127.0.0.1', () => {
        const address = blocker?.address();
        resolve(typeof address === 'object' && address ? address.port : 0);
      }),
    );
    await expect(start(port)).rejects.toThrow(
      new RegExp(
        `port ${port} \\(the embedded gateway\\) is busy: process ${process.pid} listens there .*SERVICE_POINT_GATEWAY_URL`,
      ),
    );
  });

  it('prints how to sign in as every role, with the demo PINs only while they are the ones in use', async () => {
    gateway = await start();
    const site = loadKioskConfig().site;
    const officers = readRosterFile(gateway.rosterFile);
    const guide = (
      await signInGuide({
        site,
        gatewayUrl: gateway.url,
        roster: { file: gateway.rosterFile, officers },
        ...(gateway.newAdminPassword ? { newAdminPassword: gateway.newAdminPassword } : {}),
        simulatedCardReader: true,
      })
    ).join('\n');
    expect(guide).toContain('citizen:');
    expect(guide).toMatch(/operator: .*top-left corner .*Ctrl\+Alt\+O.*PIN 135792/);
    expect(guide).toMatch(
      /officer: +Maya Cal, officer 00012345 \(card 990001000123455\).*PIN 482913/,
    );
    expect(guide).toContain(
      `administrator: ${gateway.url}/admin, password ${gateway.newAdminPassword}`,
    );
    expect(guide).toMatch(/officer add --roster .*roster\.json/);

    // A PIN changed since (here: a hash of another PIN) is never printed.
    const changed = await signInGuide({
      site: { ...site, operatorPinHash: officers[1]?.pinHash },
      gatewayUrl: gateway.url,
      roster: {
        file: gateway.rosterFile,
        officers: [{ ...officers[0]!, pinHash: officers[1]!.pinHash }],
      },
      simulatedCardReader: true,
    });
    expect(changed.join('\n')).not.toMatch(/PIN \d/);
    expect(changed.join('\n')).toMatch(/the operator PIN/);
    expect(changed.join('\n')).toMatch(/with the password printed at the first start/);
  });
});
