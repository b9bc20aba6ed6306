// Mutation testing (StrykerJS with the vitest runner): `npm run mutation`.
// Scope: the modules whose faults lose or duplicate a citizen's transaction: the outbox commit,
// the sync engine (engine.ts and its drain pass, drain-window.ts), the gateway's ingest
// (verification) and chain placement. The score and the surviving mutants, each with its
// reason, are in build/docs/code-health.md.
// One module at a time: `npm run mutation -- --mutate sync/client/engine.ts`. One test runner
// (concurrency 1) leaves the other core to whoever shares the machine; pass --concurrency 2 on
// a machine of your own.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'tests/vitest.mutation.config.ts', related: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'sync/client/commit.ts',
    'sync/client/engine.ts',
    'sync/client/drain-window.ts',
    'sync/server/ingest.ts',
    'sync/server/place-batch.ts',
  ],
  ignoreStatic: true,
  concurrency: 1,
  timeoutMS: 30000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'tests/artifacts/mutation/index.html' },
  jsonReporter: { fileName: 'tests/artifacts/mutation/mutation.json' },
  tempDirName: 'tests/artifacts/stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
