import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../sync/protocol/canonical-json';

describe('canonical JSON (the RFC 8785 subset both ends hash)', () => {
  it('sorts keys by UTF-16 code units at every depth, with no whitespace', () => {
    // U+1F600 is the surrogate pair D83D DE00: before U+FFFD in UTF-16 order (after it by code
    // point), and "Z" (5A) before "a" (61) before "é" (E9).
    const value = { é: 1, a: [3, { z: true, y: null }], Z: 'x', '\uFFFD': 2, '\u{1F600}': 4 };
    expect(canonicalJson(value)).toBe(
      '{"Z":"x","a":[3,{"y":null,"z":true}],"é":1,"\u{1F600}":4,"\uFFFD":2}',
    );
  });

  it('writes numbers and strings as ECMAScript does, and leaves undefined members out', () => {
    expect(canonicalJson({ b: undefined, a: -0, c: 1e21, d: 0.1, e: 'line\n"q"\u0001' })).toBe(
      '{"a":0,"c":1e+21,"d":0.1,"e":"line\\n\\"q\\"\\u0001"}',
    );
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson(Object.create(null) as object)).toBe('{}');
  });

  it('refuses what JSON cannot carry faithfully', () => {
    expect(() => canonicalJson({ a: Number.NaN })).toThrow(/non-finite/);
    expect(() => canonicalJson([Infinity])).toThrow(/non-finite/);
    expect(() => canonicalJson(new Date(0))).toThrow(/plain objects/);
    expect(() => canonicalJson([1, undefined])).toThrow(/undefined/);
    // eslint-disable-next-line no-sparse-arrays
    expect(() => canonicalJson([1, , 2])).toThrow(/undefined/);
    expect(() => canonicalJson({ a: 1n })).toThrow(/bigint/);
  });

  it('reads back as the same value for records of every shape it is given', () => {
    let seed = 11;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const make = (depth: number): unknown => {
      const pick = Math.floor(random() * (depth > 2 ? 4 : 6));
      if (pick === 0) return Math.round((random() - 0.5) * 1e6) / 100;
      if (pick === 1)
        return String.fromCharCode(...Array.from({ length: 5 }, () => random() * 0x3000));
      if (pick === 2) return random() > 0.5;
      if (pick === 3) return null;
      if (pick === 4)
        return Array.from({ length: Math.floor(random() * 4) }, () => make(depth + 1));
      return Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, (_, i) => [
          `k${Math.floor(random() * 100)}${i}`,
          make(depth + 1),
        ]),
      );
    };
    for (let i = 0; i < 300; i += 1) {
      const value = make(0);
      const text = canonicalJson(value);
      expect(JSON.parse(text)).toEqual(value);
      // Canonical: encoding what it reads back gives the same text.
      expect(canonicalJson(JSON.parse(text))).toBe(text);
    }
  });
});
