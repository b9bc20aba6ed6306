// The reference gateway (sync/server/main.ts) as one esbuild bundle in dist/gateway/, rebuilt
// only when one of its sources changed (node-bundle.mjs). `npm run gateway` runs it
// (gateway.mjs), and so do the tests that start the gateway as a process of its own
// (tests/support/gateway-process.ts): what they test is what a site runs.
import path from 'node:path';
import { ensureNodeBundle } from './node-bundle.mjs';

/**
 * Makes sure dist/gateway/ holds a current bundle of the gateway and returns its entry file
 * (`dist/gateway/main.mjs`): run it with plain Node and the gateway's own arguments. The folder
 * is two deep like sync/server/, so modules find repository files from their `import.meta.url`.
 * @param {string} repoRoot the repository's root folder
 * @returns {Promise<{ file: string, action: 'reused' | 'built', reason: string }>}
 */
export function ensureGatewayBundle(repoRoot) {
  return ensureNodeBundle({
    repoRoot,
    entry: 'sync/server/main.ts',
    outDir: path.join(repoRoot, 'dist', 'gateway'),
    extraInputs: ['build/scripts/gateway-bundle.mjs'],
  });
}
