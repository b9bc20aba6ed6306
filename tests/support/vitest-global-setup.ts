import { fileURLToPath } from 'node:url';
import { ensureGatewayBundle } from '../../build/scripts/gateway-bundle.mjs';

/**
 * Before any test file: the gateway's bundle, which the tests that start the gateway as a process
 * run (gateway-process.ts). Built here once, not by two test files at the same moment.
 */
export default async function setup(): Promise<void> {
  const bundle = await ensureGatewayBundle(fileURLToPath(new URL('../../', import.meta.url)));
  if (bundle.action === 'built') console.log(`[vitest] gateway bundle built (${bundle.reason})`);
}
