// Mutation testing (StrykerJS with the vitest runner): `npm run mutation`.
// Scope: the modules whose faults lose or duplicate a citizen's transaction. The score and the
// surviving mutants, each with its reason, are kept in the README's Tests section.
// One module at a time: `npm run mutation -- --mutate sync/client/engine.ts`.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: 'npm',
  testRunner: 'vitest',
  plugins: ['@stryker-mutator/vitest-runner'],
  vitest: { configFile: 'tests/vitest.config.ts', related: true },
  coverageAnalysis: 'perTest',
  mutate: [
    'sync/client/commit.ts',
    'sync/client/engine.ts',
    'sync/server/ingest.ts',
    'sync/server/place-batch.ts',
  ],
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 60000,
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: 'tests/artifacts/mutation/index.html' },
  jsonReporter: { fileName: 'tests/artifacts/mutation/mutation.json' },
  tempDirName: 'tests/artifacts/stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 90, low: 85, break: null },
};
