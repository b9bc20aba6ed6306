import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkSiteCatalogue, parseCatalogue, parseSiteConfig } from '../../../kiosk-config/load';
import { countries } from '../../../kiosk-config/countries';
import { translations } from '../../../kiosk-config';
import { languageCodes } from '../../../kiosk-config/schema';
import type { Catalogue } from '../../../kiosk-config/schema';
import { checkField } from '../../../kiosk-config/field-validation';

const read = (file: string): string =>
  readFileSync(new URL(`../../../kiosk-config/${file}`, import.meta.url), 'utf8');

describe('kiosk configuration', () => {
  it('ships a valid demo site for each country, each with its own catalogue', () => {
    for (const [file, kioskId, country] of [
      ['demo.json', 'demo-kiosk-01', 'BZ'],
      ['demo-botswana.json', 'demo-kiosk-bw-01', 'BW'],
    ] as const) {
      const site = parseSiteConfig(read(`sites/${file}`), file);
      if (!site.ok) throw new Error(site.error);
      expect(site.value.kioskId).toBe(kioskId);
      expect(site.value.country).toBe(country);
      const catalogueFile = countries[country].catalogueFile;
      const catalogue = parseCatalogue(read(`catalogue/${catalogueFile}`), catalogueFile);
      if (!catalogue.ok) throw new Error(catalogue.error);
      expect(catalogue.value.country).toBe(country);
      expect(checkSiteCatalogue(site.value, catalogue.value)).toBeUndefined();
    }
  });

  it('bills every Botswana service in Pula and every Belize service in Belize dollars', () => {
    for (const country of ['BW', 'BZ'] as const) {
      const catalogue = JSON.parse(
        read(`catalogue/${countries[country].catalogueFile}`),
      ) as Catalogue;
      const currencies = new Set(catalogue.services.map((service) => service.fee.currency));
      expect([...currencies]).toEqual([countries[country].currency]);
    }
    const wrong = JSON.parse(read('catalogue/botswana.json')) as Catalogue;
    wrong.services[1]!.fee.currency = 'BZD';
    expect(parseCatalogue(wrong, 'botswana.json')).toEqual({
      ok: false,
      error: 'botswana.json: services[1].fee.currency: must be BWP, the currency of Botswana',
    });
  });

  it('refuses a catalogue of another country, or one lacking a language the site offers', () => {
    const belize = parseSiteConfig(read('sites/demo.json'));
    const botswana = parseCatalogue(read('catalogue/botswana.json'));
    if (!belize.ok || !botswana.ok) throw new Error('demo config invalid');
    expect(checkSiteCatalogue(belize.value, botswana.value, 'botswana.json')).toBe(
      'botswana.json: country: is Botswana (BW), but site demo-kiosk-01 is in Belize (BZ)',
    );
    const gaborone = parseSiteConfig(read('sites/demo-botswana.json'));
    if (!gaborone.ok) throw new Error(gaborone.error);
    const withSpanish = {
      ...gaborone.value,
      languages: [...gaborone.value.languages, 'es' as const],
    };
    expect(checkSiteCatalogue(withSpanish, botswana.value, 'botswana.json')).toBe(
      'botswana.json: categories[0].label: has no Spanish (es) text, which site demo-kiosk-bw-01 offers',
    );
  });

  it('refuses a date of birth in the future and a livestock move in the past in both countries', () => {
    for (const file of ['belize.json', 'botswana.json']) {
      const catalogue = parseCatalogue(read(`catalogue/${file}`));
      if (!catalogue.ok) throw new Error(catalogue.error);
      const dates = catalogue.value.services.flatMap((service) =>
        service.fields.filter((field) => field.type === 'date'),
      );
      const births = dates.filter((field) => field.id === 'dateOfBirth');
      expect(births.length).toBeGreaterThanOrEqual(2);
      const today = { today: '2026-11-30' };
      for (const birth of births) {
        expect(checkField(birth, '2099-01-01', today)).toEqual({ key: 'form.error.dateFuture' });
        expect(checkField(birth, '1984-02-29', today)).toBeUndefined();
      }
      const move = dates.find((field) => field.id === 'movementDate')!;
      expect(checkField(move, '2026-11-29', today)?.key).toBe('form.error.dateTooEarly');
      expect(checkField(move, '2026-12-02', today)).toBeUndefined();
    }
  });

  it("checks an Omang number against the fifth-digit rule with the catalogue's own sentence", () => {
    const botswana = parseCatalogue(read('catalogue/botswana.json'));
    if (!botswana.ok) throw new Error(botswana.error);
    const omang = botswana.value.services
      .find((service) => service.id === 'omang-replacement')!
      .fields.find((field) => field.id === 'nationalId')!;
    expect(checkField(omang, '123416789')).toBeUndefined();
    expect(checkField(omang, '1234 2 6789')).toBeUndefined();
    const wrong = checkField(omang, '123456789');
    expect(wrong?.message?.en).toBe(
      'The fifth digit of an Omang number is 1 or 2. Please check the number on your card.',
    );
    expect(wrong?.message?.tn).toMatch(/^Palo ya botlhano ya nomoro ya Omang ke 1 kgotsa 2\./);
    expect(checkField(omang, '12341678')).toEqual({ key: 'form.error.nationalId' });
  });

  it('names the offending field when a catalogue is invalid', () => {
    const catalogue = JSON.parse(read('catalogue/belize.json')) as {
      services: Array<{ fee: { currency: string } }>;
    };
    catalogue.services[1]!.fee.currency = 'dollars';
    const result = parseCatalogue(catalogue, 'belize.json');
    expect(result).toEqual({
      ok: false,
      error:
        'belize.json: services[1].fee.currency: must be an ISO 4217 code such as BZD; ' +
        'services[1].fee.currency: must be BZD, the currency of Belize',
    });
  });

  it('reports broken JSON as a clear error instead of throwing', () => {
    const result = parseSiteConfig('{"kioskId": ', 'demo.json');
    expect(result.ok).toBe(false);
    expect(!result.ok && result.error).toMatch(/^demo\.json: not valid JSON/);
  });

  it('refuses duplicate service ids', () => {
    const catalogue = JSON.parse(read('catalogue/belize.json')) as {
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
    const catalogue = parseCatalogue(read('catalogue/belize.json'));
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

  it('has every catalogue label, hint, option and receipt text in each language of its country', () => {
    for (const country of ['BW', 'BZ'] as const) {
      const catalogue = JSON.parse(
        read(`catalogue/${countries[country].catalogueFile}`),
      ) as Catalogue;
      const languages = countries[country].languages;
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
            const wanted = languages.includes(language);
            if (wanted && (typeof record[language] !== 'string' || record[language] === ''))
              missing.push(`${path}.${language}`);
            // A catalogue carries no text for another country's languages.
            if (!wanted && language in record) missing.push(`${path}.${language} (not offered)`);
          }
          return;
        }
        for (const [key, child] of Object.entries(record))
          visit(child, path ? `${path}.${key}` : key);
      };
      visit(catalogue, '');
      expect(missing, country).toEqual([]);
    }
  });

  it('ships valid site profiles: self-service kiosks in both countries, a one-stop centre and a rural telecentre', () => {
    const profiles = [
      'demo.json',
      'demo-botswana.json',
      'one-stop-centre.json',
      'rural-telecentre.json',
    ].map((file) => {
      const site = parseSiteConfig(read(`sites/${file}`), file);
      if (!site.ok) throw new Error(site.error);
      return site.value.profile;
    });
    expect(profiles).toEqual([
      'self-service-kiosk',
      'self-service-kiosk',
      'one-stop-centre',
      'rural-telecentre',
    ]);
  });

  it('names a conditional field whose rule points at a later or unknown field', () => {
    const catalogue = JSON.parse(read('catalogue/belize.json')) as {
      services: Array<{ id: string; fields: Array<{ showIf?: { field: string } }> }>;
    };
    const passport = catalogue.services.findIndex((service) => service.id === 'passport');
    catalogue.services[passport]!.fields[1]!.showIf = { field: 'fullName' } as never;
    (catalogue.services[passport]!.fields[1]!.showIf as Record<string, string>).equals = 'x';
    const result = parseCatalogue(catalogue, 'belize.json');
    expect(!result.ok && result.error).toBe(
      `belize.json: services[${passport}].fields[1].showIf.field: must name an earlier field of this service, not "fullName"`,
    );
  });

  it('refuses a fee without payment methods and a bad check-digit rule, naming the field', () => {
    const catalogue = JSON.parse(read('catalogue/belize.json')) as {
      services: Array<{ paymentMethods?: unknown; fields: Array<Record<string, unknown>> }>;
    };
    delete catalogue.services[0]!.paymentMethods;
    expect(parseCatalogue(catalogue, 'belize.json')).toEqual({
      ok: false,
      error:
        'belize.json: services[0].paymentMethods: a service with a fee must list its payment methods',
    });
    const fresh = JSON.parse(read('catalogue/belize.json')) as typeof catalogue;
    const index = fresh.services[2]!.fields.findIndex((f) => f.type === 'national-id');
    fresh.services[2]!.fields[index]!.checkDigit = 'verhoeff';
    const result = parseCatalogue(fresh, 'belize.json');
    expect(!result.ok && result.error).toMatch(
      new RegExp(`^belize\\.json: services\\[2\\]\\.fields\\[${index}\\]\\.checkDigit: `),
    );
  });

  it('refuses a fee field that is not a required amount field, or beside a fixed fee', () => {
    type Catalogue = {
      services: Array<{
        id: string;
        feeField?: string;
        fee: { amountMinor: number };
        fields: Array<Record<string, unknown>>;
      }>;
    };
    const fresh = (): Catalogue => JSON.parse(read('catalogue/belize.json')) as Catalogue;
    const bill = fresh().services.findIndex((service) => service.id === 'bill-payment');
    expect(fresh().services[bill]?.feeField).toBe('amount');
    expect(parseCatalogue(fresh(), 'belize.json').ok).toBe(true);
    const named = fresh();
    named.services[bill]!.feeField = 'accountNumber';
    expect(parseCatalogue(named, 'belize.json')).toEqual({
      ok: false,
      error: `belize.json: services[${bill}].feeField: must name a required amount field of this service, not "accountNumber"`,
    });
    const optional = fresh();
    optional.services[bill]!.fields.find((f) => f.id === 'amount')!.required = false;
    expect(parseCatalogue(optional, 'belize.json').ok).toBe(false);
    const both = fresh();
    both.services[bill]!.fee.amountMinor = 500;
    expect(parseCatalogue(both, 'belize.json')).toEqual({
      ok: false,
      error: `belize.json: services[${bill}].fee.amountMinor: must be 0 when the fee is the answer to feeField`,
    });
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
