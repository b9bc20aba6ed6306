import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countries } from '../../../kiosk-config/countries';
import { translations } from '../../../kiosk-config/messages';
import { languageCodes } from '../../../kiosk-config/schema';
import type { LanguageCode } from '../../../kiosk-config/schema';
import { receiptLabels } from '../../../electron/devices/printer/receipt-labels';
import { isValidReferenceNumber } from '../../../sync/client/reference-number';

interface Usage {
  use: string[];
  avoid?: string[];
}
interface Glossary {
  review: Partial<Record<LanguageCode, string>>;
  /** Real words that only look like a near-miss of a glossary spelling. */
  distinct: Record<LanguageCode, string[]>;
  terms: Record<string, Partial<Record<LanguageCode, Usage>>>;
}

const read = (file: string): string =>
  readFileSync(new URL(`../../../kiosk-config/${file}`, import.meta.url), 'utf8');
const glossary = JSON.parse(read('translations/glossary.json')) as Glossary;

/** Every text a person reads in `language`, with where it comes from. */
function textsIn(language: LanguageCode): Array<{ where: string; text: string }> {
  const texts: Array<{ where: string; text: string }> = [];
  for (const [key, text] of Object.entries(translations[language])) {
    texts.push({ where: `translations/${language}.json ${key}`, text });
  }
  for (const country of Object.values(countries)) {
    if (!country.languages.includes(language)) continue;
    const visit = (value: unknown, path: string): void => {
      if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${path}[${i}]`));
      else if (value && typeof value === 'object') {
        const record = value as Record<string, unknown>;
        if (typeof record.en === 'string') {
          const text = record[language];
          if (typeof text === 'string')
            texts.push({ where: `${country.catalogueFile} ${path}`, text });
          return;
        }
        for (const [key, child] of Object.entries(record))
          visit(child, path ? `${path}.${key}` : key);
      }
    };
    visit(JSON.parse(read(`catalogue/${country.catalogueFile}`)), '');
  }
  // The receipt's words as the printer gets them (they come from the translations too).
  const labels = receiptLabels(language);
  for (const [name, value] of Object.entries(labels)) {
    const text =
      typeof value === 'function'
        ? (value as (x: never) => string)(2 as never)
        : typeof value === 'object'
          ? Object.values(value as Record<string, string>).join(' / ')
          : String(value);
    texts.push({ where: `receipt ${name}`, text });
  }
  return texts;
}

/** The words of a message, without ICU argument names and selectors. */
function plain(text: string): string {
  return text
    .replace(/\{\s*[\w.-]+\s*,\s*(plural|select|selectordinal|number|date)\s*,?/g, ' ')
    .replace(/\b(zero|one|two|few|many|other|yes|=\d+)\s*\{/g, ' ')
    .replace(/\{\s*[\w.-]+\s*\}/g, ' ')
    .replace(/[{}#]/g, ' ');
}

const words = (text: string): string[] =>
  (plain(text)
    .toLocaleLowerCase()
    .match(/[\p{L}\p{M}]+/gu) ?? []) as string[];

/** Whether `phrase` (one or more words) occurs in `text` as whole words, any case. */
function hasPhrase(text: string, phrase: string): boolean {
  const want = phrase.toLocaleLowerCase().split(/\s+/);
  const have = words(text);
  return have.some((_, i) => want.every((word, j) => have[i + j] === word));
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i += 1) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

describe('the glossary', () => {
  it('names every term in every language it is used in, and what a native speaker should review', () => {
    for (const [term, usages] of Object.entries(glossary.terms)) {
      if (term.includes(':')) continue; // a language's own spelling rule, not a shared term
      expect(Object.keys(usages).sort(), term).toEqual([...languageCodes].sort());
    }
    expect(glossary.review.bzj).toBeTruthy();
    expect(glossary.review.tn).toBeTruthy();
  });

  for (const language of languageCodes) {
    it(`finds no avoided spelling of a glossary term in any ${language} text`, () => {
      const found: string[] = [];
      for (const { where, text } of textsIn(language)) {
        for (const [term, usages] of Object.entries(glossary.terms)) {
          for (const avoided of usages[language]?.avoid ?? []) {
            if (hasPhrase(text, avoided)) {
              const wanted = usages[language]?.use.join(' / ');
              found.push(`${where}: "${avoided}" (${term}: use "${wanted}") in "${text}"`);
            }
          }
        }
      }
      expect(found).toEqual([]);
    });

    it(`finds no near-miss spelling of a glossary term in any ${language} text`, () => {
      const chosen = new Set(
        Object.values(glossary.terms).flatMap((usages) =>
          (usages[language]?.use ?? []).flatMap((form) => form.toLocaleLowerCase().split(/\s+/)),
        ),
      );
      const forms = [...chosen].filter((form) => form.length >= 5);
      const distinct = new Set(glossary.distinct[language]);
      const found = new Set<string>();
      for (const { where, text } of textsIn(language)) {
        for (const word of words(text)) {
          if (chosen.has(word) || distinct.has(word) || word.length < 4) continue;
          for (const form of forms) {
            const allowed = form.length >= 8 ? 2 : 1;
            // As long, same first letter, one letter off (two in long words): the same word spelt
            // another way (kiask, rasiti, khiosekong), not an inflection (printed, kounta).
            if (
              word.length === form.length &&
              word[0] === form[0] &&
              distance(word, form) <= allowed
            ) {
              found.add(`${where}: "${word}" looks like a misspelt "${form}" in "${text}"`);
            }
          }
        }
      }
      expect([...found]).toEqual([]);
    });
  }

  for (const language of ['es', 'bzj', 'tn'] as const) {
    it(`leaves no message in English in ${language}`, () => {
      const english: string[] = [];
      for (const [key, text] of Object.entries(translations[language])) {
        const source = translations.en[key as keyof typeof translations.en];
        // The same as English is fine only for acronyms (PIN, SMS, YYYY) and for the words
        // the glossary chose to share with English (Kriol "kiosk", "fee", "day").
        const shared = new Set(
          Object.values(glossary.terms).flatMap((usages) => usages[language]?.use ?? []),
        );
        const acronyms = new Set(
          (plain(text).match(/\p{L}+/gu) ?? [])
            .filter((word) => word === word.toLocaleUpperCase())
            .map((word) => word.toLocaleLowerCase()),
        );
        const foreign = words(text).filter((word) => !acronyms.has(word) && !shared.has(word));
        if (text === source && foreign.length > 0) english.push(`${key}: "${text}"`);
      }
      expect(english).toEqual([]);
    });
  }
});

describe('example reference numbers in the texts', () => {
  it('are real references: a citizen who copies one gets no check-character error', () => {
    const shape = /\b[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]\b/g;
    const examples: Array<{ where: string; example: string }> = [];
    for (const language of languageCodes) {
      for (const { where, text } of textsIn(language)) {
        for (const match of text.matchAll(shape)) examples.push({ where, example: match[0] });
      }
    }
    const screen = readFileSync(
      new URL('../../../renderer/screens/StatusScreen.tsx', import.meta.url),
      'utf8',
    );
    for (const match of screen.matchAll(shape)) {
      examples.push({ where: 'StatusScreen.tsx', example: match[0] });
    }
    // The error text in each language and the field's placeholder show one.
    expect(examples.length).toBeGreaterThanOrEqual(languageCodes.length + 1);
    expect(examples.filter((e) => !isValidReferenceNumber(e.example))).toEqual([]);
  });
});
