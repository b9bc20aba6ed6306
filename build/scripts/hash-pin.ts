import { hashOfficerPin } from '../../sync/client/officer-pin';

/**
 * Prints the PBKDF2 hash of a PIN for the site config's `operatorPinHash` (the operator
 * console). Usage: `npx tsx build/scripts/hash-pin.ts 48291375`. The PIN itself is stored nowhere.
 */
const pin = process.argv[2] ?? '';
if (!/^\d{6,12}$/.test(pin)) {
  console.error('usage: npx tsx build/scripts/hash-pin.ts <6 to 12 digits>');
  process.exit(2);
}
console.log(await hashOfficerPin(pin));
