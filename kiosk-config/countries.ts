/** Languages the kiosk can speak. Codes are BCP 47: Belize Kriol is `bzj`, Setswana is `tn`. */
export const languageCodes = ['en', 'es', 'bzj', 'tn'] as const;
export type LanguageCode = (typeof languageCodes)[number];

/**
 * The countries Service Point serves, by ISO 3166-1 alpha-2 code. A site profile names one; the
 * country decides the catalogue, the currency, the wall-clock time zone and the languages a site
 * offers unless its profile says otherwise.
 */
export const countryCodes = ['BW', 'BZ'] as const;
export type CountryCode = (typeof countryCodes)[number];

export interface CountryProfile {
  code: CountryCode;
  /** In English, for operators' messages. */
  name: string;
  /** ISO 4217; every fee in the country's catalogue is in it. */
  currency: string;
  /** IANA zone receipts, reports and the status check show local time in. */
  timeZone: string;
  /** The languages a site of this country offers by default, in the order shown. */
  languages: readonly LanguageCode[];
  /** The catalogue file under kiosk-config/catalogue/. */
  catalogueFile: string;
}

export const countries: Record<CountryCode, CountryProfile> = {
  BW: {
    code: 'BW',
    name: 'Botswana',
    currency: 'BWP',
    timeZone: 'Africa/Gaborone',
    languages: ['en', 'tn'],
    catalogueFile: 'botswana.json',
  },
  BZ: {
    code: 'BZ',
    name: 'Belize',
    currency: 'BZD',
    timeZone: 'America/Belize',
    languages: ['en', 'es', 'bzj'],
    catalogueFile: 'belize.json',
  },
};
