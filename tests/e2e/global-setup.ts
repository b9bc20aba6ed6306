import { fileURLToPath } from 'node:url';
import { build } from 'vite';

/** Builds the renderer once for every browser test (the same build `npm start` serves). */
export default async function globalSetup(): Promise<void> {
  const config = fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url));
  await build({ configFile: config, logLevel: 'warn' });
}
