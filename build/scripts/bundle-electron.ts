// Bundles the Electron main process and preload into dist/electron (CommonJS, as Electron's
// sandboxed preload requires). Used by `npm start` when Electron is present and by packaging.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export async function bundleElectron(): Promise<string> {
  const outDir = path.join(repoRoot, 'dist', 'electron');
  const common = {
    bundle: true,
    platform: 'node' as const,
    format: 'cjs' as const,
    target: 'node20',
    external: ['electron', 'node-hid', 'better-sqlite3', 'electron-updater', 'pdfkit', 'pg'],
    logLevel: 'warning' as const,
    // Shared Node modules find their files with import.meta.url (e.g. load-config's kiosk-config
    // directory); CommonJS has no import.meta, so give it the bundle's own file URL.
    banner: { js: "const __bundleFileUrl = require('node:url').pathToFileURL(__filename).href;" },
    define: { 'import.meta.url': '__bundleFileUrl' },
  };
  await build({
    ...common,
    entryPoints: [path.join(repoRoot, 'electron/main/main.ts')],
    outfile: path.join(outDir, 'main.cjs'),
  });
  await build({
    ...common,
    entryPoints: [path.join(repoRoot, 'electron/preload/preload.ts')],
    outfile: path.join(outDir, 'preload.cjs'),
  });
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
