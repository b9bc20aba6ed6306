import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';
import { precompiledMessages } from '../build/scripts/precompiled-messages';

const root = fileURLToPath(new URL('..', import.meta.url));

export default defineConfig({
  root,
  // The page's translator imports its messages parsed (`?icu`), as the page's build does.
  plugins: [precompiledMessages()],
  resolve: {
    // Main-process code is tested against the recording fake: the real binary cannot run here.
    alias: { electron: `${root}tests/support/electron-fake.ts` },
  },
  test: {
    include: ['tests/unit/**/*.test.{ts,tsx}', 'tests/integration/**/*.test.ts'],
    environment: 'node',
    // The gateway's bundle, built once for the tests that start it as a process of its own.
    globalSetup: ['tests/support/vitest-global-setup.ts'],
    // Two test files at once on a 2-core machine (vitest's default is one fewer than the cores):
    // while one waits on a gateway child, a socket or a timer, the other runs. The unit phase
    // took 231 s with one and 155-162 s with two (1 December). Files do not share state: each
    // opens its own stores, directories, ports and PostgreSQL databases or kiosk ids. The
    // timeouts only catch a hang; a test slowed by the file beside it must not fail for that
    // (the PostgreSQL chain repair took 14 s alone and over 20 s beside another).
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Each fork keeps its module cache from one test file to the next instead of importing
    // fastify, pdfkit, kysely, zod schemas … again for every file: the unit phase took 362 s with
    // a fresh module graph per file and 256 s without, on this 2-core machine. Test files do not
    // rely on module state another file left (each opens its own stores, directories and ports).
    isolate: false,
  },
});
