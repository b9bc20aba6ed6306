import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseCatalogue, parseSiteConfig } from '../../../kiosk-config/load';
import { translations } from '../../../kiosk-config';
import { languageCodes } from '../../../kiosk-config/schema';
import type { Catalogue } from '../../../kiosk-config/schema';

const read = (file: string): string =>
  readFileSync(new URL(`../../../kiosk-config/${file}`, import.meta.url), 'utf8');

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
    const catalogue = JSON.parse(read('catalogue/services.json')) as {
      services: Array<{ id: string }>;
    };
    catalogue.services[2]!.id = catalogue.services[0]!.id;
    const result = parseCatalogue(catalogue);
    expect(!result.ok && result.error).toContain('services[2].id: duplicate service id');
  });

  it('refuses a default language that the site does not offer', () => {
    const site = {
      ...(JSON.parse(read('sites/demo.json')) as object),
      languages: ['en', 'es'],
      defaultLanguage: 'tn',
    };
    const result = parseSiteConfig(site, 'demo.json');
    expect(!result.ok && result.error).toBe(
      'demo.json: defaultLanguage: must be one of the site languages',
    );
  });

  it('has every English message key in every shipped translation', () => {
    const keys = Object.keys(translations.en).sort();
    for (const [language, table] of Object.entries(translations)) {
      expect(languageCodes).toContain(language);
      expect(Object.keys(table).sort(), `missing keys in ${language}`).toEqual(keys);
    }
  });

  it('ships the named services from the product brief, a status check and SMS alerts', () => {
    const catalogue = parseCatalogue(read('catalogue/services.json'));
    if (!catalogue.ok) throw new Error(catalogue.error);
    const ids = catalogue.value.services.map((service) => service.id);
    expect(ids).toEqual(
      expect.arrayContaining([
        'birth-certificate-replacement',
        'drivers-licence-renewal',
        'vehicle-licence',
        'passport',
        'social-grant',
        'scholarship',
        'building-permit',
        'livestock-movement',
        'company-registration-renewal',
        'bill-payment',
        'application-status',
        'sms-alerts',
      ]),
    );
    expect(
      catalogue.value.services.filter((service) => service.kind === 'application').length,
    ).toBeGreaterThanOrEqual(10);
    expect(
      catalogue.value.services.find((service) => service.id === 'application-status')?.kind,
    ).toBe('status-check');
  });

  it('has every catalogue label, hint, option and receipt text in every language', () => {
    const catalogue = JSON.parse(read('catalogue/services.json')) as Catalogue;
    const missing: string[] = [];
    const visit = (value: unknown, path: string): void => {
      if (Array.isArray(value)) {
        value.forEach((item, index) => visit(item, `${path}[${index}]`));
        return;
      }
      if (typeof value !== 'object' || value === null) return;
      const record = value as Record<string, unknown>;
      if (typeof record.en === 'string') {
        for (const language of languageCodes) {
          if (typeof record[language] !== 'string' || record[language] === '')
            missing.push(`${path}.${language}`);
        }
        return;
      }
      for (const [key, child] of Object.entries(record))
        visit(child, path ? `${path}.${key}` : key);
    };
    visit(catalogue, '');
    expect(missing).toEqual([]);
  });

  it('ships three valid site profiles: self-service kiosk, one-stop centre and rural telecentre', () => {
    const profiles = ['demo.json', 'one-stop-centre.json', 'rural-telecentre.json'].map((file) => {
      const site = parseSiteConfig(read(`sites/${file}`), file);
      if (!site.ok) throw new Error(site.error);
      return site.value.profile;
    });
    expect(profiles).toEqual(['self-service-kiosk', 'one-stop-centre', 'rural-telecentre']);
  });

  it('names a conditional field whose rule points at a later or unknown field', () => {
    const catalogue = JSON.parse(read('catalogue/services.json')) as {
      services: Array<{ id: string; fields: Array<{ showIf?: { field: string } }> }>;
    };
    const passport = catalogue.services.findIndex((service) => service.id === 'passport');
    catalogue.services[passport]!.fields[1]!.showIf = { field: 'fullName' } as never;
    (catalogue.services[passport]!.fields[1]!.showIf as Record<string, string>).equals = 'x';
    const result = parseCatalogue(catalogue, 'services.json');
    expect(!result.ok && result.error).toBe(
      `services.json: services[${passport}].fields[1].showIf.field: must name an earlier field of this service, not "fullName"`,
    );
  });

  it('refuses a fee without payment methods and a bad check-digit rule, naming the field', () => {
    const catalogue = JSON.parse(read('catalogue/services.json')) as {
      services: Array<{ paymentMethods?: unknown; fields: Array<Record<string, unknown>> }>;
    };
    delete catalogue.services[0]!.paymentMethods;
    expect(parseCatalogue(catalogue, 'services.json')).toEqual({
      ok: false,
      error:
        'services.json: services[0].paymentMethods: a service with a fee must list its payment methods',
    });
    const fresh = JSON.parse(read('catalogue/services.json')) as typeof catalogue;
    const index = fresh.services[2]!.fields.findIndex((f) => f.type === 'national-id');
    fresh.services[2]!.fields[index]!.checkDigit = 'verhoeff';
    const result = parseCatalogue(fresh, 'services.json');
    expect(!result.ok && result.error).toMatch(
      new RegExp(`^services\\.json: services\\[2\\]\\.fields\\[${index}\\]\\.checkDigit: `),
    );
  });

  it('reads the devices section of a site, with lsusb-style ids, and names a bad transport', () => {
    const site = parseSiteConfig(read('sites/one-stop-centre.json'), 'one-stop-centre.json');
    expect(site.ok && site.value.devices).toMatchObject({
      printer: { transport: { kind: 'usb', device: '/dev/usb/lp0' } },
      cardReader: { kind: 'hid', vendorId: 0x0801, productId: 0x0002 },
    });
    const bad = {
      ...(JSON.parse(read('sites/demo.json')) as object),
      devices: { printer: { transport: { kind: 'usb', device: '/etc/passwd' } } },
    };
    const result = parseSiteConfig(bad, 'demo.json');
    expect(!result.ok && result.error).toBe(
      'demo.json: devices.printer.transport.device: must be a path under /dev/',
    );
  });
});
