/**
 * `npm run chaos -- --schedules <n> [--process-every <k>] [--seed <s>]`: the chaos property at
 * scale. The last line printed is
 * `schedules=<n> committed=<c> delivered=<d> lost=<l> duplicated=<u>`.
 */
import { parseArgs } from 'node:util';
import { chaosLine, runChaos } from './chaos-run';

const { values } = parseArgs({
  options: {
    schedules: { type: 'string', default: '200' },
    'process-every': { type: 'string', default: '50' },
    seed: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run chaos -- [--schedules <n>] [--process-every <k>] [--seed <s>]

  --schedules <n>      random fault schedules to run (default 200)
  --process-every <k>  every k-th schedule runs the gateway as a real child process and kills
                       it with SIGKILL (default 50; 0 = never)
  --seed <s>           fast-check seed, to replay a run`);
  process.exit(0);
}
const schedules = Number(values.schedules);
const processEvery = Number(values['process-every']);
const seed = values.seed === undefined ? undefined : Number(values.seed);
const started = Date.now();
const { totals, failure } = await runChaos({
  schedules,
  processEvery,
  seed,
  onProgress: (done, t) => {
    if (done % 100 === 0) {
      console.log(
        `… ${done} schedules, ${t.faultsInjected} faults, ${t.gatewayCrashes} gateway crashes, ${Math.round((Date.now() - started) / 1000)} s`,
      );
    }
  },
});
console.log(
  `in-process schedules=${totals.schedules - totals.processSchedules} process schedules=${totals.processSchedules} faults=${totals.faultsInjected} gateway-crashes=${totals.gatewayCrashes} chain-breaks=${totals.chainBreaks} pending-left=${totals.pendingLeft} seconds=${Math.round((Date.now() - started) / 1000)}`,
);
if (failure) console.log(`FAILED: ${failure}`);
console.log(chaosLine(totals));
process.exit(failure ? 1 : 0);
