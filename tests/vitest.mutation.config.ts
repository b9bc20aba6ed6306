import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config';

/**
 * The test set for mutation testing (build/config/stryker.config.mjs): the unit and integration
 * tests, less those that cannot judge a mutant well. The proof samples, the fault-proxy delivery
 * test and the CLI tests drive gateways in child processes (a mutant is active only in the test
 * process, so those see the unmutated gateway) and take minutes; the chaos property also draws a
 * new random schedule each run. Under load their timing-bound steps time out, which Stryker
 * would count as a kill. They still run in `npm test`. A mutant that makes a test hang fails
 * it at the usual 20 s test timeout.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      exclude: [
        'tests/integration/proof/**',
        'tests/integration/sync/chaos-property.test.ts',
        'tests/integration/sync/fault-delivery.test.ts',
        'tests/integration/bundles/gateway-cli-import.test.ts',
        'tests/integration/agency/agency-cli.test.ts',
        'tests/integration/agency/two-gateways.test.ts',
        'node_modules/**',
      ],
    },
  }),
);
