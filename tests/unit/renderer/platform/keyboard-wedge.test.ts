import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  classifyKeystrokes,
  createWedgeDetector,
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
      { key: 'a', t: 0 },
      { key: 'b', t: 120 },
      { key: 'Backspace', t: 130 },
      { key: 'c', t: 300 },
      { key: 'Enter', t: 420 },
    ];
    for (const stroke of strokes) {
      const decision = detector.feed(stroke);
      if (decision.action === 'release') reachedPage.push(...decision.keys);
    }
    expect(reachedPage).toEqual(['a', 'b', 'Backspace', 'c', 'Enter']);
  });

  it('releases a held key once the pause shows it was typed', () => {
    const detector = createWedgeDetector();
    expect(detector.feed({ key: 'x', t: 1000 })).toEqual({ action: 'hold' });
    expect(detector.flush(1030)).toEqual({ action: 'hold' });
    expect(detector.flush(1051)).toEqual({ action: 'release', keys: ['x'] });
  });
});
