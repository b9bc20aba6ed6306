// `npm run gateway`: runs the reference gateway (sync/server/main.ts) from its bundle in
// dist/gateway/, built by esbuild and rebuilt only when one of its sources changed
// (node-bundle.mjs), instead of compiling every module with tsx on each start. Its arguments are
// the gateway's own (`npm run gateway -- --port 8787`, `npm run gateway -- enrol …`).
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureNodeBundle } from './node-bundle.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Two folders deep, like sync/server/: modules find repository files from import.meta.url.
const bundle = await ensureNodeBundle({
  repoRoot,
  entry: 'sync/server/main.ts',
  outDir: path.join(repoRoot, 'dist', 'gateway'),
  extraInputs: ['build/scripts/gateway.mjs'],
});
await import(pathToFileURL(bundle.file).href);
