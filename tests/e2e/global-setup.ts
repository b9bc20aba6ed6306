import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { managedPolicyDir, policyFileName } from '../../electron/browser-shell/managed-policy';
import { ensureRendererBuild } from '../../electron/launch/renderer-build';
import { chromiumPath } from '../support/chromium-args';

/**
 * The kiosk's managed Chromium policy, where `npm start` run as root installs it machine-wide.
 * Every Chromium on the machine obeys it, Playwright's too (its URL block list and window rules
 * break `newPage`), so no browser test may start while it is there, nor leave it behind.
 */
export function machineWidePolicyFile(): string | undefined {
  const dir = managedPolicyDir(chromiumPath);
  return dir ? path.join(dir, policyFileName) : undefined;
}

/**
 * Builds the renderer once for every browser test (the same build `npm start` serves), or reuses
 * the build on disk when its stamp says nothing it was made from has changed.
 */
export default async function globalSetup(): Promise<void> {
  const policy = machineWidePolicyFile();
  if (policy && existsSync(policy)) {
    throw new Error(
      `A kiosk's managed Chromium policy is installed machine-wide (${policy}); Playwright's ` +
        'Chromium would obey it. Stop the kiosk that installed it (`npm start` as root removes ' +
        `it when it stops), or remove it: rm ${policy}`,
    );
  }
  await ensureRendererBuild({
    repoRoot: fileURLToPath(new URL('../..', import.meta.url)),
    // Never a build on trust here: SERVICE_POINT_SKIP_BUILD is for the field tests.
    env: {},
    log: (message) => console.log(`[e2e] ${message}`),
  });
}
