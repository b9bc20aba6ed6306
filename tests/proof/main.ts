/**
 * `npm run proof [-- --scale sample|full] [--only <suite,...>] [--soak-sessions <n>] [--seed <s>]`:
 * runs the proof suites (full scale by default), prints one table of figures and, last, the line
 * `fault_runs=<n> kills=<k> lost=0 duplicated=0 bad_inputs=<b> crashes=0 attacks_refused=<a>/<a>`.
 * Exits non-zero when anything was lost, duplicated, crashed, not refused, or any suite failed.
 */
import 'fake-indexeddb/auto';
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'vite';
import { runBadInput } from './bad-input';
import { runBrowserAttacks } from './browser-attacks';
import { runClockSkew } from './clock-skew';
import { runDiskFull } from './disk-full';
import { emptyFigures, figuresTable, proofLine, sumFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import { runGatewayAttacks } from './gateway-attacks';
import { runGatewayKills } from './gateway-kills';
import { runKioskAttacks } from './kiosk-attacks';
import { runKioskKills } from './kiosk-kills';
import { runLinkFaults } from './link-faults';
import { runSoak } from './soak';

const { values } = parseArgs({
  options: {
    scale: { type: 'string', default: 'full' },
    only: { type: 'string' },
    'soak-sessions': { type: 'string' },
    seed: { type: 'string', default: '8' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`Usage: npm run proof -- [--scale full|sample] [--only <suites>] [--soak-sessions <n>] [--seed <s>]

Suites: gateway-kills link-faults disk-full clock-skew bad-input gateway-attacks kiosk-attacks
        kiosk-kills browser-attacks soak`);
  process.exit(0);
}
const scale: Scale = values.scale === 'sample' ? 'sample' : 'full';
const seed = Number(values.seed);
const soakSessions = values['soak-sessions'] ? Number(values['soak-sessions']) : undefined;
const suites: Array<[string, () => Promise<SuiteFigures>]> = [
  ['gateway-kills', () => runGatewayKills(scale, seed)],
  ['link-faults', () => runLinkFaults(scale, seed)],
  ['disk-full', () => runDiskFull(scale)],
  ['clock-skew', () => runClockSkew(scale, seed)],
  ['bad-input', () => runBadInput(scale, seed)],
  ['gateway-attacks', () => runGatewayAttacks(scale)],
  ['kiosk-attacks', () => runKioskAttacks(scale)],
  ['kiosk-kills', () => runKioskKills(scale, seed)],
  ['browser-attacks', () => runBrowserAttacks(scale)],
  [
    'soak',
    async () => {
      const { samples, ...figures } = await runSoak(scale, {
        sessions: soakSessions,
        onProgress: (line) => console.log(line),
      });
      figures.notes.push(
        `heap MB by session: ${samples.map((s) => `${s.session}:${s.heapMb}`).join(' ')}`,
      );
      return figures;
    },
  ],
];
const only = values.only?.split(',').map((s) => s.trim());
const browserSuites = new Set(['kiosk-kills', 'browser-attacks', 'soak']);
const chosen = suites.filter(([name]) => !only || only.includes(name));
if (chosen.some(([name]) => browserSuites.has(name))) {
  console.log('building the renderer…');
  await build({
    configFile: fileURLToPath(new URL('../../renderer/vite.config.ts', import.meta.url)),
    logLevel: 'error',
  });
}
const results: SuiteFigures[] = [];
const seconds = new Map<string, number>();
for (const [name, run] of chosen) {
  const started = Date.now();
  console.log(`▶ ${name} (${scale})`);
  let figures: SuiteFigures;
  try {
    figures = await run();
  } catch (error) {
    figures = emptyFigures(name);
    figures.crashes += 1;
    figures.problems.push(`the suite itself failed: ${(error as Error).stack ?? String(error)}`);
  }
  seconds.set(figures.suite, (Date.now() - started) / 1000);
  results.push(figures);
  for (const note of figures.notes) console.log(`  ${note}`);
  for (const problem of figures.problems) console.log(`  PROBLEM: ${problem}`);
}
const total = sumFigures(results);
const artifacts = fileURLToPath(new URL('../artifacts/proof.json', import.meta.url));
writeFileSync(
  artifacts,
  `${JSON.stringify({ scale, seed, at: new Date().toISOString(), results }, null, 2)}\n`,
);
console.log('');
console.log(figuresTable(results, seconds));
console.log('');
const failed =
  total.lost > 0 ||
  total.duplicated > 0 ||
  total.crashes > 0 ||
  total.attacksRefused !== total.attacks ||
  total.problems.length > 0;
if (failed) {
  console.log(`PROOF FAILED: ${total.problems.length} problem(s); see PROBLEM lines above`);
}
console.log(proofLine(total));
process.exit(failed ? 1 : 0);
