import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalogue, parseSiteConfig } from '../../../kiosk-config/load';
import { translations } from '../../../kiosk-config';
import { languageCodes } from '../../../kiosk-config/schema';

const read = (file: string): string => readFileSync(new URL(`../../../kiosk-config/${file}`, import.meta.url), 'utf8');

describe('kiosk configuration', () => {
  it('ships a valid demo site and catalogue', () => {
    const site = parseSiteConfig(read('sites/demo.json'));
    const catalogue = parseCatalogue(read('catalogue/services.json'));
    expect(site.ok && site.value.kioskId).toBe('demo-kiosk-01');
    expect(catalogue.ok && catalogue.value.services.length).toBeGreaterThanOrEqual(3);
  });

  it('names the offending field when a catalogue is invalid', () => {
    const catalogue = JSON.parse(read('catalogue/services.json')) as {
      services: Array<{ fee: { currency: string } }>;
    };
    catalogue.services[1]!.fee.currency = 'dollars';
    const result = parseCatalogue(catalogue, 'services.json');
    expect(result).toEqual({
      ok: false,
      error: 'services.json: services[1].fee.currency: must be an ISO 4217 code such as BZD',
    });
  });

  it('reports broken JSON as a clear error instead of throwing', () => {
    const result = parseSiteConfig('{"kioskId": ', 'demo.json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^demo\.json: not valid JSON/);
  });

  it('refuses duplicate service ids', () => {
    const catalogue = JSON.parse(read('catalogue/services.json')) as { services: Array<{ id: string }> };
    catalogue.services[2]!.id = catalogue.services[0]!.id;
    const result = parseCatalogue(catalogue);
    expect(!result.ok && result.error).toContain('services[2].id: duplicate service id');
  });

  it('refuses a default language that the site does not offer', () => {
    const site = { ...(JSON.parse(read('sites/demo.json')) as object), defaultLanguage: 'tn' };
    const result = parseSiteConfig(site, 'demo.json');
    expect(!result.ok && result.error).toBe('demo.json: defaultLanguage: must be one of the site languages');
  });

  it('has every English message key in every shipped translation', () => {
    const keys = Object.keys(translations.en).sort();
    for (const [language, table] of Object.entries(translations)) {
      expect(languageCodes).toContain(language);
      expect(Object.keys(table).sort(), `missing keys in ${language}`).toEqual(keys);
    }
  });
});
