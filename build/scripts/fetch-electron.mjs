// Tries to fetch Electron's binary after `npm ci`. Electron (since v36) no longer downloads its
// binary on install; we ask for it here so a machine that can reach the download host gets the
// Electron shell, while one that cannot still completes `npm ci` and runs the browser shell.
// Never fails the install.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log('[service-point] ELECTRON_SKIP_BINARY_DOWNLOAD is set: not fetching Electron.');
  process.exit(0);
}
const require = createRequire(import.meta.url);
let installer;
try {
  installer = path.join(path.dirname(require.resolve('electron/package.json')), 'install.js');
} catch {
  console.log('[service-point] electron is not installed; npm start will use the browser shell.');
  process.exit(0);
}
const result = spawnSync(process.execPath, [installer], {
  stdio: ['ignore', 'ignore', 'pipe'],
  timeout: 180_000,
});
if (result.status === 0) {
  console.log('[service-point] Electron binary is ready: npm start will use the Electron shell.');
} else {
  console.log(
    '[service-point] Electron binary could not be downloaded here; npm start will use the ' +
      'browser shell (system Chromium). Run `npx install-electron --no` later to retry.',
  );
}
process.exit(0);
