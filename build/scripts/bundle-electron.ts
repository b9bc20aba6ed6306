// Bundles the Electron main process and preload into dist/electron (CommonJS, as Electron's
// sandboxed preload requires). Used by `npm start` when Electron is present and by packaging.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

/**
 * The preload: one CommonJS file that requires nothing but `electron`. A sandboxed preload runs
 * in a wrapper that gives it only `require` (electron, events, timers, url), `process`, `Buffer`,
 * `global` and the timers: no `__filename`, no `node:` modules, so no banner here.
 */
export async function bundlePreload(outfile: string): Promise<void> {
  await build({
    entryPoints: [path.join(repoRoot, 'electron/preload/preload.ts')],
    outfile,
    bundle: true,
    platform: 'browser',
    format: 'cjs',
    target: 'chrome140',
    external: ['electron'],
    minify: true,
    logLevel: 'warning',
  });
}

export async function bundleElectron(): Promise<string> {
  const outDir = path.join(repoRoot, 'dist', 'electron');
  await build({
    entryPoints: [path.join(repoRoot, 'electron/main/main.ts')],
    outfile: path.join(outDir, 'main.cjs'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['electron', 'node-hid', 'better-sqlite3', 'electron-updater', 'pdfkit', 'pg'],
    logLevel: 'warning',
    // Shared Node modules find their files with import.meta.url (e.g. load-config's kiosk-config
    // directory); CommonJS has no import.meta, so give it the bundle's own file URL.
    banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleFileUrl' },
  });
  await bundlePreload(path.join(outDir, 'preload.cjs'));
  return path.join(outDir, 'main.cjs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  bundleElectron().then(
    (file) => console.log(`bundled ${file}`),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
