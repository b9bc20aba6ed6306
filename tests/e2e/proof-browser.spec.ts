import { expect, test } from '@playwright/test';
import { runBrowserAttacks } from '../proof/browser-attacks';
import type { SuiteFigures } from '../proof/figures';
import { runKioskKills } from '../proof/kiosk-kills';
import { runSoak } from '../proof/soak';

/**
 * A sample of the browser proof suites (`npm run proof` runs them at full scale). They start
 * their own Chromium with a persistent profile, so they can crash its page and kill it.
 */
function expectKept(figures: SuiteFigures): void {
  expect(figures.problems).toEqual([]);
  expect(figures.lost).toBe(0);
  expect(figures.duplicated).toBe(0);
  expect(figures.crashes).toBe(0);
  expect(figures.attacksRefused).toBe(figures.attacks);
}

test('a kiosk page crashed or browser killed mid-commit and mid-sync keeps its queue and resumes', async () => {
  test.setTimeout(180_000);
  const figures = await runKioskKills('sample');
  expectKept(figures);
  expect(figures.kills).toBe(4);
});

test('hostile strings render inertly, the database holds no plaintext and low storage refuses sessions', async () => {
  test.setTimeout(180_000);
  expectKept(await runBrowserAttacks('sample'));
});

test('consecutive sessions with a flapping link drain the queue without an error screen', async () => {
  test.setTimeout(180_000);
  const { samples, ...figures } = await runSoak('sample', { sessions: 15 });
  expectKept(figures);
  expect(figures.committed).toBe(15);
  expect(samples.length).toBeGreaterThan(2);
});
