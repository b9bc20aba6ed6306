import { parsePhoneNumberFromString } from 'libphonenumber-js/mobile';
import type { CountryCode as LibCountryCode } from 'libphonenumber-js/mobile';
import { countryCodes } from './countries';
import type { CountryCode } from './countries';

/** A mobile number that can receive SMS, checked against its country's numbering plan. */
export interface MobileNumber {
  /** E.164, e.g. `+26771234567`. */
  e164: string;
  country: CountryCode;
}

export type MobileNumberProblem = 'not-a-number' | 'not-mobile' | 'other-country';

/**
 * Reads a mobile phone number as a citizen typed it (`71 234 567`, `+267 71234567`,
 * `610-1234`) and checks it against the numbering plans in libphonenumber-js's mobile metadata
 * (Google's libphonenumber data: Botswana +267 mobiles are 8 digits from 7; Belize +501 mobiles
 * are 7 digits from 6). `country` is where the kiosk is: a number written without a country code
 * is read as that country's; without it, the one served country whose plan accepts the number.
 * A number from a country Service Point does not serve is refused (`other-country`).
 */
export function parseMobileNumber(
  text: string,
  country?: CountryCode,
): { ok: true; number: MobileNumber } | { ok: false; problem: MobileNumberProblem } {
  const cleaned = text.trim();
  if (!/^\+?[\d\s().-]{6,24}$/.test(cleaned)) return { ok: false, problem: 'not-a-number' };
  const tries: Array<CountryCode | undefined> = cleaned.startsWith('+')
    ? [undefined]
    : country
      ? [country]
      : [...countryCodes];
  const found: MobileNumber[] = [];
  let sawNumber = false;
  for (const candidate of tries) {
    const parsed = parsePhoneNumberFromString(cleaned, candidate as LibCountryCode | undefined);
    if (!parsed) continue;
    sawNumber = true;
    if (!parsed.isValid() || parsed.getType() !== 'MOBILE') continue;
    const home = parsed.country as string | undefined;
    if (!home || !(countryCodes as readonly string[]).includes(home)) {
      return { ok: false, problem: 'other-country' };
    }
    found.push({ e164: parsed.number, country: home as CountryCode });
  }
  const first = found[0];
  if (found.length === 1 && first) return { ok: true, number: first };
  return { ok: false, problem: sawNumber ? 'not-mobile' : 'not-a-number' };
}
