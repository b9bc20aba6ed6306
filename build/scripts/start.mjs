// `npm start`: runs the launcher (electron/launch/start.ts) from its bundle in dist/launch/, built
// by esbuild and rebuilt only when one of its sources changed (node-bundle.mjs). The launcher's
// first chunk holds what opens the kiosk window; the embedded gateway and the devices are chunks
// of their own, loaded while Chromium starts. Plain JavaScript: nothing here needs TypeScript
// before the check.
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureNodeBundle } from './node-bundle.mjs';

// SERVICE_POINT_TRACE=1: the start-up timeline for build/scripts/measure-startup.ts
// (the same line format as electron/launch/startup-trace.ts).
const trace = (step, at = Date.now()) => {
  if (process.env.SERVICE_POINT_TRACE === '1') {
    console.log(`[service-point] trace ${Math.round(at)} ${step}`);
  }
};
trace('node started', performance.timeOrigin);

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Two folders deep, like electron/launch/: modules find repository files from import.meta.url.
const bundle = await ensureNodeBundle({
  repoRoot,
  entry: 'electron/launch/start.ts',
  outDir: path.join(repoRoot, 'dist', 'launch'),
  extraInputs: ['build/scripts/start.mjs'],
});
if (bundle.action === 'built') {
  console.log(`[service-point] launcher bundled (${bundle.reason})`);
}
trace('launcher bundle checked');
await import(pathToFileURL(bundle.file).href);
