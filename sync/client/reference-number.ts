/**
 * Receipt reference numbers: 8 random Crockford base-32 characters and a check character,
 * grouped for reading aloud (`7K3M-Q9XD-4`). No I, L, O or U, so nothing is misread.
 */
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

function checkCharacter(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i += 1) sum += ALPHABET.indexOf(body[i] ?? '0') * (i + 1);
  return ALPHABET[sum % 31] ?? '0';
}

export function newReferenceNumber(random: (bytes: Uint8Array) => void): string {
  const bytes = new Uint8Array(8);
  random(bytes);
  const body = Array.from(bytes, (b) => ALPHABET[b % 32]).join('');
  return `${body.slice(0, 4)}-${body.slice(4, 8)}-${checkCharacter(body)}`;
}

export function isValidReferenceNumber(text: string): boolean {
  const match = /^([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z]{4})-([0-9A-HJKMNP-TV-Z])$/.exec(text);
  if (!match) return false;
  return checkCharacter(`${match[1]}${match[2]}`) === match[3];
}

/**
 * A reference number as a citizen or officer may type it: any case, with or without the dashes
 * or with spaces, and with I, L or O for 1 and 0 (Crockford base 32 reads them so, which is why
 * the alphabet leaves them out). The canonical `7K3M-Q9XD-4`, or undefined when it cannot be a
 * reference. The check character is not verified here; `isValidReferenceNumber` does that.
 */
export function normalizeReferenceNumber(text: string): string | undefined {
  const compact = text
    .trim()
    .toUpperCase()
    .replace(/[\s-]/g, '')
    .replace(/[IL]/g, '1')
    .replace(/O/g, '0');
  if (!/^[0-9A-HJKMNP-TV-Z]{9}$/.test(compact)) return undefined;
  return `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8)}`;
}
