import { parseArgs } from 'node:util';
import { governmentLink } from './link';
import { table } from './report';
import { measureWireBytes, wireFigures, wireSummary } from './wire-bytes';

/**
 * `npm run bench:wire [-- --count <n>]`: only the side-by-side wire comparison (protocol v1
 * against v2 on random and realistic data), for iterating on the protocol; `npm run bench` runs
 * it too.
 */
const { values } = parseArgs({
  args: process.argv.slice(2),
  options: { count: { type: 'string', default: '300' } },
  strict: true,
});
const log = (message: string): void => {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};
const runs = await measureWireBytes({ count: Number(values.count), link: governmentLink, log });
process.stdout.write(`${table(wireFigures(runs, governmentLink))}\n\n${wireSummary(runs)}\n`);
process.exit(0);
