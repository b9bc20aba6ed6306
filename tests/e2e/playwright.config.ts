import { fileURLToPath } from 'node:url';
import { defineConfig } from '@playwright/test';
import { pageTestChromiumPath, testChromiumArgs } from '../support/chromium-args';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Browser tests drive the real renderer in the browser shell with Debian's Chromium (its headless shell: chromium-args.ts). */
export default defineConfig({
  testDir: '.',
  testMatch: '**/*.spec.ts',
  outputDir: `${root}/tests/artifacts/playwright`,
  globalSetup: './global-setup.ts',
  globalTeardown: './global-teardown.ts',
  timeout: 90_000,
  expect: { timeout: 10_000 },
  // Two workers in CI (a 2-core machine): while one test waits on timers, X or a browser
  // restart, the other computes. One by default, for a developer running a spec beside others.
  workers: Number(process.env.E2E_WORKERS ?? (process.env.CI ? 2 : 1)),
  fullyParallel: false,
  // One retry in CI only, where a 2-core machine can starve a timer; Playwright still lists any
  // test that needed it as flaky, so a flake is seen, not hidden. Broken behaviour fails twice.
  retries: process.env.CI ? 1 : 0,
  reporter: [['list'], ['json', { outputFile: `${root}/tests/artifacts/playwright-report.json` }]],
  use: {
    browserName: 'chromium',
    // A click or fill waits for its element this long, not for the whole test's time: a test
    // waiting for something that never comes fails at once, naming what it waited for.
    actionTimeout: 15_000,
    navigationTimeout: 30_000,
    viewport: { width: 1920, height: 1080 },
    launchOptions: {
      executablePath: pageTestChromiumPath,
      args: [...testChromiumArgs],
    },
  },
});
