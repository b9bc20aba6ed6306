import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveProvisioning } from '../../../../electron/launch/provisioning';
import { LaunchError } from '../../../../electron/launch/launch-error';
import { loadKioskConfig } from '../../../../electron/services/load-config';
import { parseSiteConfig } from '../../../../kiosk-config/load';
import type { SiteConfig } from '../../../../kiosk-config/schema';

const demo = loadKioskConfig().site;
const remote = (overrides: Partial<SiteConfig> = {}): SiteConfig => {
  const rest: SiteConfig = { ...demo };
  delete rest.embeddedGateway;
  return {
    ...rest,
    kioskId: 'bz-san-antonio-tc-01',
    gatewayUrl: 'https://gateway.gov.example/',
    ...overrides,
  };
};

describe('which gateway a kiosk uses (npm start)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-provisioning-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const siteFile = () => path.join(dir, 'site.json');
  const enrolment = (value: unknown) =>
    writeFileSync(path.join(dir, 'enrolment.json'), JSON.stringify(value));

  it('runs the embedded gateway for the demo, on the port its site names', () => {
    const resolved = resolveProvisioning({ site: demo, siteFile: siteFile(), env: {} });
    expect(resolved).toEqual({
      kind: 'embedded',
      gatewayUrl: 'http://127.0.0.1:8787',
      host: '127.0.0.1',
      port: 8787,
      rosterTemplate: path.join(dir, 'demo-roster.json'),
    });
  });

  it('moves the embedded gateway only where told, never on its own', () => {
    const resolved = resolveProvisioning({
      site: demo,
      siteFile: siteFile(),
      env: { SERVICE_POINT_GATEWAY_URL: 'http://127.0.0.1:4803' },
    });
    expect(resolved).toMatchObject({ kind: 'embedded', port: 4803 });
    expect(() =>
      resolveProvisioning({
        site: demo,
        siteFile: siteFile(),
        env: { SERVICE_POINT_GATEWAY_URL: 'https://gateway.gov.example/' },
      }),
    ).toThrow(/embedded gateway, which listens on this machine only/);
  });

  it('starts no gateway for a site that names one, and enrols with the token from its enrolment file', () => {
    enrolment({
      kioskId: 'bz-san-antonio-tc-01',
      gatewayUrl: 'https://gateway.gov.example',
      token: 'A1b2C3d4E5f6G7h8I9j0K1l2',
    });
    const resolved = resolveProvisioning({
      site: remote({ enrolmentFile: 'enrolment.json' }),
      siteFile: siteFile(),
      env: {},
    });
    expect(resolved).toEqual({
      kind: 'remote',
      gatewayUrl: 'https://gateway.gov.example/',
      enrolmentToken: 'A1b2C3d4E5f6G7h8I9j0K1l2',
      enrolmentFile: path.join(dir, 'enrolment.json'),
      warnings: [],
    });
  });

  it('refuses an enrolment file made for another kiosk or another gateway, or that is malformed', () => {
    const site = remote({ enrolmentFile: 'enrolment.json' });
    const token = 'A1b2C3d4E5f6G7h8I9j0K1l2';
    enrolment({ kioskId: 'bz-other-kiosk', gatewayUrl: 'https://gateway.gov.example/', token });
    expect(() => resolveProvisioning({ site, siteFile: siteFile(), env: {} })).toThrow(
      /is for kiosk "bz-other-kiosk", but this site is "bz-san-antonio-tc-01"/,
    );
    enrolment({ kioskId: site.kioskId, gatewayUrl: 'https://other.gov.example/', token });
    expect(() => resolveProvisioning({ site, siteFile: siteFile(), env: {} })).toThrow(
      /is for the gateway https:\/\/other\.gov\.example\/, but this kiosk is set to use/,
    );
    enrolment({ kioskId: site.kioskId, gatewayUrl: 'http://gateway.gov.example/', token });
    expect(() => resolveProvisioning({ site, siteFile: siteFile(), env: {} })).toThrow(
      /enrolment file .*enrolment\.json: gatewayUrl: must be https/,
    );
    writeFileSync(path.join(dir, 'enrolment.json'), '{ not json');
    expect(() => resolveProvisioning({ site, siteFile: siteFile(), env: {} })).toThrow(LaunchError);
  });

  it('warns, without stopping, when there is no enrolment token (an enrolled kiosk needs none)', () => {
    const named = resolveProvisioning({
      site: remote({ enrolmentFile: 'missing.json' }),
      siteFile: siteFile(),
      env: {},
    });
    expect(named.kind === 'remote' && named.warnings[0]).toMatch(/missing\.json is not there/);
    const unnamed = resolveProvisioning({ site: remote(), siteFile: siteFile(), env: {} });
    expect(unnamed.kind === 'remote' && unnamed.warnings[0]).toMatch(/names no enrolmentFile/);
  });

  it('requires https for a gateway on another machine', () => {
    const plain = parseSiteConfig({ ...remote(), gatewayUrl: 'http://gateway.gov.example/' });
    expect(plain.ok ? '' : plain.error).toMatch(/gatewayUrl: must be https/);
    // On this machine plain http is fine: the demo and a gateway started by hand for set-up.
    expect(parseSiteConfig({ ...remote(), gatewayUrl: 'http://127.0.0.1:8790' }).ok).toBe(true);
    expect(() =>
      resolveProvisioning({
        site: remote(),
        siteFile: siteFile(),
        env: { SERVICE_POINT_GATEWAY_URL: 'http://10.0.0.5:8787' },
      }),
    ).toThrow(/must be https/);
    const embeddedElsewhere = parseSiteConfig({ ...demo, gatewayUrl: 'https://gw.example/' });
    expect(embeddedElsewhere.ok ? '' : embeddedElsewhere.error).toMatch(
      /gatewayUrl: must be on 127\.0\.0\.1 when the site has an embeddedGateway/,
    );
  });
});
