import { resolveDateBound } from '../../kiosk-config/field-validation';
import { serviceFee } from '../../kiosk-config/service-fee';
import { readFileSync } from 'node:fs';
import type { TransactionInput } from '../../sync/client/commit';
import { CONSENT_GIVEN, LIST_SEPARATOR } from '../../kiosk-config/field-validation';

/**
 * Realistic, deterministic submissions for the wire benchmark: each answers one service of the
 * Botswana or Belize catalogue (kiosk-config/catalogue/*.json) field by field, as a citizen at a
 * kiosk would: names from each country's common given and family names, plausible dates of birth,
 * the catalogue's own choices and document lists, national ids in each country's format (Omang:
 * nine digits, the fifth 1 or 2; Belize social security numbers: six to nine digits), phone numbers
 * in each country's numbering plan, and the payment method and reference the kiosk records.
 * Transaction `i` is the same in every run. Compare `formSubmission` (form-data.ts), whose long
 * free-text answers are random words: the two bound what gzip can do for real traffic.
 */

interface CatalogueField {
  id: string;
  type: string;
  personal?: boolean;
  options?: Array<{ value: string }>;
  items?: Array<{ id: string }>;
  min?: number;
  max?: number;
  integer?: boolean;
  pattern?: string;
  notBefore?: string;
  notAfter?: string;
  required?: boolean;
}

interface CatalogueService {
  id: string;
  fee?: { amountMinor: number; currency: string };
  /** The field whose answer is the fee (a bill paid by its amount). */
  feeField?: string;
  paymentMethods?: string[];
  fields: CatalogueField[];
}

interface Country {
  code: 'BW' | 'BZ';
  version: string;
  services: CatalogueService[];
  languages: string[];
  given: string[];
  family: string[];
  places: string[];
  schools: string[];
  nationalId: (random: () => number) => string;
  phone: (random: () => number) => string;
  plate: (random: () => number) => string;
}

function loadCatalogue(name: string): { version: string; services: CatalogueService[] } {
  const url = new URL(`../../kiosk-config/catalogue/${name}.json`, import.meta.url);
  const parsed = JSON.parse(readFileSync(url, 'utf8')) as {
    version: string;
    services: CatalogueService[];
  };
  // Status look-ups record no answers; they are not transactions on the wire.
  return { version: parsed.version, services: parsed.services.filter((s) => s.fields.length > 0) };
}

function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: () => number, list: readonly T[]): T =>
  list[Math.floor(random() * list.length)] as T;

function digits(random: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += String(Math.floor(random() * 10));
  return out;
}

const letters = 'ABCDEFGHJKLMNPRSTUVWXYZ';
const upper = (random: () => number, count: number): string =>
  Array.from({ length: count }, () => pick(random, [...letters])).join('');

let countries: Country[] | undefined;

function loadCountries(): Country[] {
  if (countries) return countries;
  const botswana = loadCatalogue('botswana');
  const belize = loadCatalogue('belize');
  countries = [
    {
      code: 'BW',
      ...botswana,
      languages: ['en', 'tn', 'tn'],
      given: ['Kagiso', 'Neo', 'Thabo', 'Lesego', 'Boitumelo', 'Onalenna', 'Mpho', 'Tebogo'],
      family: ['Molefe', 'Kgosi', 'Mosweu', 'Sebina', 'Dube', 'Ramotswe', 'Seretse', 'Modise'],
      places: ['Molepolole', 'Mochudi', 'Serowe', 'Kanye', 'Maun', 'Letlhakane', 'Tsabong'],
      schools: ['Moeding College', 'Mater Spei College', 'Shashe River School'],
      // Omang: nine digits, the fifth 1 (male) or 2 (female).
      nationalId: (r) => `${digits(r, 4)}${pick(r, ['1', '2'])}${digits(r, 4)}`,
      phone: (r) =>
        `+267 7${pick(r, ['1', '2', '3', '4', '5', '6'])} ${digits(r, 3)} ${digits(r, 3)}`,
      plate: (r) => `B ${digits(r, 3)} ${upper(r, 3)}`,
    },
    {
      code: 'BZ',
      ...belize,
      languages: ['en', 'es', 'es', 'bzj'],
      given: ['María', 'José', 'Aaliyah', 'Rosa', 'Carlos', 'Shanice', 'Luis', 'Marisol'],
      family: ['Hernández', 'Castillo', 'Young', 'Pérez', 'Gómez', 'Flowers', 'Coc', 'Usher'],
      places: ['Belmopan', 'San Ignacio', 'Orange Walk Town', 'Dangriga', 'Punta Gorda'],
      schools: ['St. John’s College', 'Sacred Heart College', 'Belize High School'],
      // Social security numbers: six to nine digits.
      nationalId: (r) => digits(r, 6 + Math.floor(r() * 4)),
      phone: (r) => `+501 6${digits(r, 2)}-${digits(r, 4)}`,
      plate: (r) => `${pick(r, ['BZ', 'CY', 'OW', 'SC', 'TO', 'CZL'])}-C-${digits(r, 4)}`,
    },
  ];
  return countries;
}

function dateBetween(random: () => number, fromYear: number, toYear: number): string {
  const year = fromYear + Math.floor(random() * (toYear - fromYear + 1));
  const month = 1 + Math.floor(random() * 12);
  const day = 1 + Math.floor(random() * 28);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** A day between a date field's limits (`notBefore`, `notAfter`, relative to `today`). */
function dateWithin(field: CatalogueField, today: string, random: () => number): string {
  const day = (bound: string | undefined, fallback: string): number => {
    const date = resolveDateBound(bound ?? fallback, today);
    return date ? Date.UTC(date.year, date.month - 1, date.day) : Date.parse(`${today}T00:00Z`);
  };
  const from = day(field.notBefore, 'today-1y');
  const to = day(field.notAfter, 'today+1y');
  const at = new Date(from + Math.floor(random() * ((to - from) / 86_400_000 + 1)) * 86_400_000);
  return at.toISOString().slice(0, 10);
}

function answer(
  field: CatalogueField,
  country: Country,
  random: () => number,
  today: string,
): string {
  const name = (): string =>
    `${pick(random, country.given)} ${random() < 0.3 ? `${pick(random, country.given)} ` : ''}${pick(random, country.family)}`;
  switch (field.type) {
    case 'national-id':
      return country.nationalId(random);
    case 'phone':
      return country.phone(random);
    case 'date':
      // People alive today; any other date within the field's own limits.
      return field.id === 'dateOfBirth'
        ? dateBetween(random, 1945, 2010)
        : dateWithin(field, today, random);
    case 'choice':
      return pick(random, field.options ?? [{ value: '' }]).value;
    case 'documents':
      // A required checklist is submitted only with every paper ticked.
      return (field.items ?? [])
        .filter(() => field.required !== false || random() < 0.85)
        .map((item) => item.id)
        .join(LIST_SEPARATOR);
    case 'consent':
      return CONSENT_GIVEN;
    case 'amount': {
      // A bill as people pay them: whole units and cents, from the field's minimum up.
      const min = Math.ceil(field.min ?? 1);
      return `${min + Math.floor(random() * 1500)}.${digits(random, 2)}`;
    }
    case 'number': {
      const min = field.min ?? 1;
      const max = Math.min(field.max ?? 100, min + 400);
      return String(min + Math.floor(random() * (max - min + 1)));
    }
    default:
      break;
  }
  // Text fields, by what they hold.
  if (/name$/i.test(field.id) && /company/i.test(field.id)) {
    return `${pick(random, country.family)} ${pick(random, ['Trading', 'Holdings', 'Enterprises', 'General Dealers'])} (Pty) Ltd`;
  }
  if (/schoolName/i.test(field.id)) return pick(random, country.schools);
  if (/name/i.test(field.id)) return name();
  if (/Place$/i.test(field.id)) return pick(random, country.places);
  if (/plate/i.test(field.id)) return country.plate(random);
  if (/licence|passport/i.test(field.id)) return `${upper(random, 2)}${digits(random, 7)}`;
  if (/brand/i.test(field.id)) return `${upper(random, 2)}-${digits(random, 3)}`;
  if (/company/i.test(field.id)) return `${country.code}${digits(random, 2)}-${digits(random, 5)}`;
  if (/account/i.test(field.id)) return digits(random, 10);
  if (/plot/i.test(field.id)) return `Plot ${digits(random, 5)}`;
  return `${pick(random, country.places)} ${digits(random, 3)}`;
}

/** The i-th realistic submission: one catalogue service, answered field by field. */
export function realisticSubmission(
  i: number,
  /** The day the kiosk takes it (`YYYY-MM-DD`), for dates relative to today; the machine's. */
  today: string = new Date().toISOString().slice(0, 10),
): TransactionInput & { personalFieldIds: string[] } {
  const random = prng(i * 104_729 + 7);
  const country = pick(random, loadCountries());
  const service = pick(random, country.services);
  const fields: Record<string, string> = {};
  const personalFieldIds: string[] = [];
  for (const field of service.fields) {
    if (field.required === false && random() < 0.5) continue;
    fields[field.id] = answer(field, country, random, today);
    if (field.personal) personalFieldIds.push(field.id);
  }
  const fee = serviceFee(
    {
      fee: service.fee ?? { amountMinor: 0, currency: country.code === 'BW' ? 'BWP' : 'BZD' },
      ...(service.feeField ? { feeField: service.feeField } : {}),
    },
    fields,
  );
  if (fee.amountMinor > 0) {
    const method = pick(random, service.paymentMethods ?? ['counter']);
    fields.paymentMethod = method;
    if (method !== 'counter') fields.paymentReference = `${upper(random, 2)}${digits(random, 10)}`;
  }
  const assisted = random() < 0.4;
  return {
    serviceId: service.id,
    catalogueVersion: country.version,
    channel: assisted ? 'assisted' : 'self-service',
    ...(assisted ? { officerId: `000${digits(random, 5)}` } : {}),
    language: pick(random, country.languages),
    fee,
    fields,
    personalFieldIds,
  };
}
