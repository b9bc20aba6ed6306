import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKioskConfig, siteProfilePath } from '../../../../electron/services/load-config';
import { readRosterFile } from '../../../../sync/server/roster';
import { signInGuide } from '../../../../electron/launch/sign-in-guide';

const dir = mkdtempSync(path.join(tmpdir(), 'sp-load-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const demo = JSON.parse(readFileSync(siteProfilePath('demo.json'), 'utf8')) as Record<
  string,
  unknown
>;

describe('loading a site profile', () => {
  it('names the profile by the path it was given, not only its base name', () => {
    const file = path.join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...demo, kioskId: '!' }));
    const relative = path.relative(process.cwd(), file);
    expect(relative).toContain(path.sep);
    expect(() => loadKioskConfig({ siteFile: relative })).toThrow(`${relative}: kioskId: `);
  });

  it('lists every problem of an invalid profile, the first 10 and how many more', () => {
    const broken = {
      ...demo,
      kioskId: '!',
      siteName: '',
      agency: '',
      languages: [],
      defaultLanguage: 'xx',
      gatewayUrl: 'http://example.org',
      idleTimeoutSeconds: 1,
      retentionDays: -1,
      idleWarningSeconds: 'soon',
      audioGuidance: 'yes',
      profile: 'shop',
      country: 'ZZ',
    };
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, JSON.stringify(broken));
    let message = '';
    try {
      loadKioskConfig({ siteFile: file });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message.startsWith(`${file}: `)).toBe(true);
    const problems = message.slice(file.length + 2).split('; ');
    expect(problems).toHaveLength(11);
    expect(problems.at(-1)).toBe('and 2 more');
    for (const field of ['kioskId', 'siteName', 'agency', 'languages', 'defaultLanguage']) {
      expect(problems.some((p) => p.startsWith(`${field}: `))).toBe(true);
    }
  });
});

describe('the Botswana demo', () => {
  it('ships its own officers with Botswana names, and its sign-in guide prints them', async () => {
    const site = loadKioskConfig({ siteFile: siteProfilePath('demo-botswana.json') }).site;
    const belize = loadKioskConfig({ siteFile: siteProfilePath('demo.json') }).site;
    const rosterOf = (roster: string | undefined) =>
      readRosterFile(siteProfilePath(roster ?? 'missing.json'));
    const officers = rosterOf(site.embeddedGateway?.roster);
    const names = officers.map((o) => o.name);
    expect(names).toEqual(['Boitumelo Sebego', 'Kagiso Molefe']);
    // Each demo names its own country's officers: none of Botswana's on the Belize roster.
    const belizeNames = rosterOf(belize.embeddedGateway?.roster).map((o) => o.name);
    expect(belizeNames).toEqual(['Maya Cal', 'Carlos Chiac']);
    for (const name of names) expect(belizeNames).not.toContain(name);
    const guide = (
      await signInGuide({
        site,
        gatewayUrl: site.gatewayUrl,
        roster: { file: 'roster.json', officers },
        simulatedCardReader: true,
      })
    ).join('\n');
    expect(guide).toMatch(/officer: +Boitumelo Sebego, officer 00012345 .*PIN 482913/);
    expect(guide).toMatch(/officer: +Kagiso Molefe, officer 00067890 .*PIN 735104/);
    expect(guide).not.toContain('Maya Cal');
  }, 30_000);
});
