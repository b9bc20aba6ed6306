// `npm run gateway`: runs the reference gateway (sync/server/main.ts) from its bundle in
// dist/gateway/ (gateway-bundle.mjs), built by esbuild and rebuilt only when one of its sources
// changed, instead of compiling every module with tsx on each start. Its arguments are the
// gateway's own (`npm run gateway -- --port 8787`, `npm run gateway -- enrol …`).
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureGatewayBundle } from './gateway-bundle.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const bundle = await ensureGatewayBundle(repoRoot);
await import(pathToFileURL(bundle.file).href);
