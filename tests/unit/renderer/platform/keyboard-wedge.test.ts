import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { wedgeConfigSchema } from '../../../../kiosk-config/devices-schema';
import {
  classifyKeystrokes,
  createWedgeDetector,
  isCharacterKey,
  isTypedCharacter,
  usCharacter,
} from '../../../../renderer/platform/keyboard-wedge';
import type { Keystroke, WedgeSegment } from '../../../../renderer/platform/keyboard-wedge';

const fixtureDir = path.resolve(__dirname, '../../../fixtures/devices/keystrokes');

interface TimelineFixture {
  description: string;
  events: Keystroke[];
  expected: WedgeSegment[];
}

const fixtures = readdirSync(fixtureDir).map((file) => {
  const fixture = JSON.parse(readFileSync(path.join(fixtureDir, file), 'utf8')) as TimelineFixture;
  return [file.replace(/\.json$/, ''), fixture] as const;
});

describe('keyboard-wedge detection (keystroke timelines)', () => {
  it.each(fixtures)('classifies %s', (_name, fixture) => {
    expect(classifyKeystrokes(fixture.events)).toEqual(fixture.expected);
  });

  it('has timelines of fast human typing and of device reads to test against', () => {
    const kinds = fixtures.flatMap(([, f]) => f.expected.map((s) => s.kind));
    expect(kinds.filter((k) => k === 'typing').length).toBeGreaterThanOrEqual(4);
    expect(kinds.filter((k) => k === 'scan').length).toBeGreaterThanOrEqual(3);
  });

  it('hands a scan the keys as typed, so a burst that was typing can be given back', () => {
    const detector = createWedgeDetector();
    const keys = 'PAY-2026-BZ'.split('');
    for (const [i, key] of keys.entries()) {
      detector.feed({ code: '', key, shift: false, t: i * 5 });
    }
    const decision = detector.feed({ code: 'Enter', key: 'Enter', shift: false, t: 60 });
    expect(decision).toMatchObject({ action: 'scan', text: 'PAY-2026-BZ', keys });
  });

  it('never lets a scanned character reach the page', () => {
    const [, fixture] = fixtures.find(([name]) => name === 'wedge-officer-card') ?? [];
    const detector = createWedgeDetector();
    const reachedPage: string[] = [];
    for (const stroke of fixture?.events ?? []) {
      const decision = detector.feed(stroke);
      if (decision.action === 'release') reachedPage.push(...decision.keys);
    }
    expect(reachedPage).toEqual([]);
  });

  it('hands typed keys to the page in the order they were typed, Enter included', () => {
    const detector = createWedgeDetector();
    const reachedPage: string[] = [];
    const strokes: Keystroke[] = [
      { code: 'KeyA', key: 'a', shift: false, t: 0 },
      { code: 'KeyB', key: 'b', shift: false, t: 120 },
      { code: 'Backspace', key: 'Backspace', shift: false, t: 130 },
      { code: 'KeyC', key: 'c', shift: false, t: 300 },
      { code: 'Enter', key: 'Enter', shift: false, t: 420 },
    ];
    for (const stroke of strokes) {
      const decision = detector.feed(stroke);
      if (decision.action === 'release') reachedPage.push(...decision.keys);
    }
    expect(reachedPage).toEqual(['a', 'b', 'Backspace', 'c', 'Enter']);
  });

  it('never treats a control character as a typed key (Chromium’s "\\u0000" for an unnamed keysym)', () => {
    expect(isTypedCharacter('\u0000')).toBe(false);
    expect(isTypedCharacter('\u0085')).toBe(false);
    expect(isTypedCharacter('ñ')).toBe(true);
    expect(isTypedCharacter('😀')).toBe(true);
    expect(isCharacterKey({ code: '', key: '\u0000' })).toBe(false);
    expect(usCharacter({ code: '', key: '\u0000', shift: false })).toBe('');
    const segments = classifyKeystrokes([
      { code: 'KeyM', key: 'M', shift: true, t: 0 },
      { code: 'KeyA', key: 'a', shift: false, t: 90 },
      { code: '', key: '\u0000', shift: false, t: 180 },
      { code: 'KeyA', key: 'a', shift: false, t: 270 },
    ]);
    expect(segments.map((segment) => segment.text).join('')).not.toContain('\u0000');
  });

  it('releases a held key once the pause shows it was typed', () => {
    const detector = createWedgeDetector();
    expect(detector.feed({ code: 'KeyX', key: 'x', shift: false, t: 1000 })).toEqual({
      action: 'hold',
    });
    expect(detector.flush(1100)).toEqual({ action: 'hold' });
    expect(detector.flush(1151)).toEqual({ action: 'release', keys: ['x'] });
  });

  it('reads a scan from the physical keys, whatever the OS layout typed', () => {
    const [, spanish] =
      fixtures.find(([name]) => name === 'spanish-layout-scanner-reference') ?? [];
    const typed = (spanish?.events ?? []).filter((e) => e.key.length === 1).map((e) => e.key);
    // What event.key says on a Spanish layout: the old listener's input, refused every time.
    expect(typed.join('')).toBe("SPÑ7K3M'Q9XD'N");
    expect(usCharacter({ code: 'Semicolon', key: 'Ñ', shift: true })).toBe(':');
    expect(usCharacter({ code: 'Equal', key: '¿', shift: false })).toBe('=');
    expect(usCharacter({ code: 'Slash', key: '_', shift: true })).toBe('?');
  });

  it('swallows a scanner’s second Enter, and only right after a scan', () => {
    const [, crlf] = fixtures.find(([name]) => name === 'scanner-crlf-suffix') ?? [];
    const detector = createWedgeDetector();
    const decisions = (crlf?.events ?? []).map((stroke) => detector.feed(stroke));
    expect(decisions.at(-2)).toMatchObject({ action: 'scan', text: '7K3M-Q9XD-N' });
    expect(decisions.at(-1)).toEqual({ action: 'swallow' });
    // A person pressing Enter a second later submits as usual.
    expect(detector.feed({ code: 'Enter', key: 'Enter', shift: false, t: 5000 })).toEqual({
      action: 'release',
      keys: ['Enter'],
    });
  });

  it('follows the site’s thresholds from the devices config', () => {
    const [, slow] = fixtures.find(([name]) => name === 'scanner-30ms-per-character') ?? [];
    const strict = wedgeConfigSchema.parse({ maxCharGapMs: 20 });
    expect(classifyKeystrokes(slow?.events ?? [], strict)[0]?.kind).toBe('typing');
    expect(classifyKeystrokes(slow?.events ?? [])[0]?.kind).toBe('scan');
    expect(wedgeConfigSchema.safeParse({ maxCharGapMs: 100, maxPauseMs: 60 }).success).toBe(false);
  });

  it('releases a fast typist’s keys once two long gaps show a person, not at the end of the word', () => {
    const detector = createWedgeDetector();
    const key = (char: string, t: number): Keystroke => ({
      code: `Key${char.toUpperCase()}`,
      key: char,
      shift: false,
      t,
    });
    expect(detector.feed(key('a', 0))).toEqual({ action: 'hold' });
    expect(detector.feed(key('b', 80))).toEqual({ action: 'hold' });
    expect(detector.feed(key('c', 160))).toEqual({ action: 'release', keys: ['a', 'b', 'c'] });
    expect(detector.feed(key('d', 240))).toEqual({ action: 'release', keys: ['d'] });
  });
});
