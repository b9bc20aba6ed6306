import { describe, expect, it } from 'vitest';
import {
  DOUBLE_TAP_SLOP_PX,
  DOUBLE_TAP_MS,
  isDoubleOf,
} from '../../../renderer/components/double-tap';

describe("a tap's double on the screen it opened", () => {
  const opener = { x: 590, y: 1210, at: 1_000 };
  const shownAt = 1_150;

  it('is the tap in the same place soon after the screen appears', () => {
    expect(isDoubleOf(opener, shownAt, { x: 595, y: 1205, at: 1_300 })).toBe(true);
    expect(isDoubleOf(opener, shownAt, { x: 590 + DOUBLE_TAP_SLOP_PX, y: 1210, at: 1_300 })).toBe(
      true,
    );
  });

  it('is not a tap elsewhere, a later one, or any tap when no press opened the screen', () => {
    expect(isDoubleOf(opener, shownAt, { x: 369, y: 1220, at: 1_300 })).toBe(false);
    expect(
      isDoubleOf(opener, shownAt, { x: 590 + DOUBLE_TAP_SLOP_PX + 1, y: 1210, at: 1_300 }),
    ).toBe(false);
    expect(isDoubleOf(opener, shownAt, { x: 590, y: 1210, at: shownAt + DOUBLE_TAP_MS + 1 })).toBe(
      false,
    );
    expect(isDoubleOf(undefined, shownAt, { x: 590, y: 1210, at: 1_300 })).toBe(false);
  });

  it('is not judged against a press made after the screen appeared', () => {
    expect(isDoubleOf({ ...opener, at: 1_200 }, shownAt, { x: 590, y: 1210, at: 1_300 })).toBe(
      false,
    );
  });
});
