import type { TransactionInput } from '../../sync/client/commit';

/**
 * Realistic, deterministic form submissions for the benchmarks: about 1.5 KB of answers each,
 * six of them personal (encrypted at rest, sealed to the gateway). Transaction `i` is the same in
 * every run and for every kiosk, so the engine and the baseline carry the same data.
 */
export const personalFieldIds = [
  'fullName',
  'dateOfBirth',
  'nationalId',
  'phone',
  'email',
  'homeAddress',
] as const;

const words = (
  'the applicant requests renewal of the licence issued at the district office and confirms ' +
  'that the vehicle has been inspected insured and registered in the village council records ' +
  'payment was made at the counter with mobile money the receipt number is attached for the ' +
  'officer please contact the applicant by telephone when the document is ready for collection'
).split(' ');
const givenNames = ['Maria', 'Kagiso', 'José', 'Neo', 'Aaliyah', 'Thabo', 'Rosa', 'Lesego'];
const familyNames = ['Hernández', 'Molefe', 'Castillo', 'Dube', 'Young', 'Kgosi', 'Pérez'];
const districts = ['Belize', 'Cayo', 'Orange Walk', 'Toledo', 'Kgatleng', 'Central', 'Kweneng'];
const services = [
  'drivers-licence-renewal',
  'vehicle-licensing',
  'birth-certificate-replacement',
  'social-grant-application',
  'livestock-movement-permit',
];

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

function pick<T>(random: () => number, list: readonly T[]): T {
  return list[Math.floor(random() * list.length)] as T;
}

function digits(random: () => number, count: number): string {
  let out = '';
  for (let i = 0; i < count; i += 1) out += String(Math.floor(random() * 10));
  return out;
}

function sentence(random: () => number, length: number): string {
  const out: string[] = [];
  let size = 0;
  while (size < length) {
    const word = pick(random, words);
    out.push(word);
    size += word.length + 1;
  }
  return out.join(' ');
}

/** The i-th submission: ~1.5 KB of field values, of which ~230 bytes are personal. */
export function formSubmission(i: number): TransactionInput & { personalFieldIds: string[] } {
  const random = prng(i * 7919 + 17);
  const given = pick(random, givenNames);
  const family = pick(random, familyNames);
  const district = pick(random, districts);
  const fields: Record<string, string> = {
    fullName: `${given} ${pick(random, givenNames)} ${family}`,
    dateOfBirth: `19${50 + Math.floor(random() * 50)}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
    nationalId: `${digits(random, 3)}-${digits(random, 6)}-${digits(random, 2)}`,
    phone: `+501 ${digits(random, 3)}-${digits(random, 4)}`,
    email: `${given.toLowerCase()}.${family.toLowerCase()}${digits(random, 2)}@example.org`,
    homeAddress: `${digits(random, 2)} ${pick(random, words)} Street, ${district}`,
    district,
    village: `${pick(random, words)} ${pick(random, ['Creek', 'Hill', 'Bank', 'Ridge'])}`,
    collectionPoint: `${district} One-Stop Service Centre`,
    vehicleRegistration: `${district.slice(0, 2).toUpperCase()}-${digits(random, 5)}`,
    vehicleMake: pick(random, ['Toyota', 'Nissan', 'Ford', 'Isuzu', 'Mazda']),
    licenceClass: pick(random, ['A', 'B', 'C', 'D']),
    previousReference: `SP-${digits(random, 4)}-${digits(random, 4)}-${digits(random, 1)}`,
    paymentMethod: pick(random, ['counter', 'mobile-money', 'card-terminal']),
    paymentReference: `MM${digits(random, 10)}`,
    declaration: 'I declare that the information given is true and complete.',
    purpose: sentence(random, 900),
    officerNotes: sentence(random, 330),
  };
  return {
    serviceId: pick(random, services),
    catalogueVersion: '2025.06.1',
    channel: random() < 0.7 ? 'self-service' : 'assisted',
    language: pick(random, ['en', 'es', 'tn']),
    fee: { amountMinor: 500 * (1 + Math.floor(random() * 20)), currency: 'BZD' },
    fields,
    personalFieldIds: [...personalFieldIds],
  };
}

/** Bytes of field values (UTF-8), what "1.5 KB of form data" refers to. */
export function formBytes(input: TransactionInput): number {
  let bytes = 0;
  for (const value of Object.values(input.fields)) bytes += new TextEncoder().encode(value).length;
  return bytes;
}
