/**
 * Belize Kriol for an English voice. No speech engine has a Kriol voice. Kriol is English-based,
 * so espeak-ng's Caribbean English voice (`en-029`) has the right sounds, but its English
 * spelling rules misread Kriol spelling: the Belize Kriol Project orthography is phonemic ("di"
 * is /di/, "rait" is /rait/, "pliiz" is /pliːz/), where English rules say "die", "rate" and
 * "plizz". This module turns Kriol words into espeak-ng phoneme input (`[[...]]`, its English
 * phoneme mnemonics) letter by letter, so the voice says the sounds the spelling stands for.
 *
 * The letter-to-sound table follows the Belize Kriol Project's spelling (doubled letters for
 * long vowels; `ai`, `ou`, `oa`, `ie`, `uo` for glides; a vowel before `h` for a short or
 * nasal vowel) and the spellings used in this kiosk's Kriol texts (`ay` for /eː/). It is an
 * approximation for a first-time user, not a Kriol voice; a native speaker should listen to it
 * before a site goes live (README, Accessibility).
 */

/** Letter groups, longest first, and the espeak-ng English phoneme each stands for. */
const vowelGroups: ReadonlyArray<readonly [string, string]> = [
  ['aah', 'A:'],
  ['aa', 'A:'],
  ['ai', 'aI'],
  ['ay', 'eI'],
  ['au', 'O:'],
  ['ou', 'aU'],
  ['ow', 'aU'],
  ['aw', 'O:'],
  ['oa', 'oU'],
  ['oo', 'u:'],
  ['oi', 'OI'],
  ['ee', 'i:'],
  ['ii', 'i:'],
  ['ie', 'i@'],
  ['ea', 'i:'],
  ['uo', 'u@'],
  ['uu', 'u:'],
  ['ah', 'a'],
  ['oh', 'oU'],
  ['uh', 'V'],
];

const consonantGroups: ReadonlyArray<readonly [string, string]> = [
  ['tch', 'tS'],
  ['ch', 'tS'],
  ['sh', 'S'],
  ['zh', 'Z'],
  ['th', 't'],
  ['dh', 'd'],
  ['ck', 'k'],
  ['nk', 'Nk'],
  ['ng', 'N'],
  ['j', 'dZ'],
  ['y', 'j'],
  ['c', 'k'],
  ['q', 'k'],
  ['x', 'ks'],
];

const singleVowels: Record<string, string> = { a: 'a', e: 'E', i: 'I', o: '0', u: 'U' };
/** A short vowel at the end of a word is said long ("di", "mi", "yu", "tu"). */
const finalVowels: Record<string, string> = { i: 'i:', u: 'u:', e: 'E', o: 'oU', a: 'a' };

/** Little words said without stress, as in speech ("di", "a", "fi", "yu"...). */
const unstressed = new Set([
  'a',
  'an',
  'ar',
  'da',
  'dehn',
  'dem',
  'di',
  'fi',
  'i',
  'mi',
  'pahn',
  'tu',
  'weh',
  'wi',
  'yu',
]);

const isVowelPhoneme = (phoneme: string): boolean => /^[aeiouAEIOUV03@]/.test(phoneme);

/**
 * One Kriol word (letters a-z and apostrophes, any case) as espeak-ng English phoneme
 * mnemonics, with the stress mark before the first vowel unless it is a little word.
 */
export function kriolWordPhonemes(word: string): string {
  const letters = word.toLowerCase().replace(/'/g, '');
  const phonemes: string[] = [];
  let i = 0;
  while (i < letters.length) {
    const rest = letters.slice(i);
    const vowel = vowelGroups.find(([group]) => rest.startsWith(group));
    // "eh" is /e/ at the end of a word ("deh", "tideh") and /ɛ/ before a consonant ("dehn").
    if (rest.startsWith('eh')) {
      phonemes.push(i + 2 === letters.length ? 'eI' : 'E');
      i += 2;
      continue;
    }
    if (vowel) {
      phonemes.push(vowel[1]);
      i += vowel[0].length;
      continue;
    }
    const consonant = consonantGroups.find(([group]) => rest.startsWith(group));
    if (consonant) {
      phonemes.push(consonant[1]);
      i += consonant[0].length;
      continue;
    }
    const letter = letters[i]!;
    if (letter in singleVowels) {
      phonemes.push(i === letters.length - 1 ? finalVowels[letter]! : singleVowels[letter]!);
    } else if (letter === 'h' && i > 0 && /[aeiou]/.test(letters[i - 1]!)) {
      // An h after a vowel only marks the vowel.
    } else if (letters[i - 1] !== letter) {
      phonemes.push(letter);
    }
    i += 1;
  }
  const first = phonemes.findIndex(isVowelPhoneme);
  if (first >= 0 && !unstressed.has(letters)) phonemes[first] = `'${phonemes[first]}`;
  return phonemes.join('');
}

/** A word written in Kriol spelling: lower-case letters (a capital first is fine), no digits. */
const kriolWord = /^[A-Za-z]?[a-z']*$/;

/**
 * A Kriol text as espeak-ng input: each Kriol word as phonemes in `[[...]]`; numbers,
 * abbreviations in capitals (SMS, ID, PIN), punctuation and anything else stay text for the
 * English voice, which says them as a Belizean would.
 */
export function kriolForEspeak(text: string): string {
  return text.replace(/[A-Za-z']+/g, (word) =>
    kriolWord.test(word) && /[a-z]/.test(word) ? `[[${kriolWordPhonemes(word)}]]` : word,
  );
}
