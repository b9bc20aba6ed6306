import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { gatewayCommand, runGatewayCli } from '../../support/gateway-process';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'sp-roster-warn-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const env = { ...process.env, DATABASE_URL: '' };
const cli = await gatewayCommand();

/** Starts the gateway on port 0, returns what it printed up to "listening", then stops it. */
async function startOutput(args: string[]): Promise<string> {
  const child = spawn(cli[0], [cli[1], '--port', '0', '--data', dir, ...args], {
    cwd: repoRoot,
    env,
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (out += d.toString()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no start: ${out}`)), 60_000);
      const check = (): void => {
        // The warning follows the listening line; give it one more chunk.
        if (/gateway listening on/.test(out)) {
          setTimeout(() => {
            clearTimeout(timer);
            resolve();
          }, 300);
          child.stdout.off('data', check);
        }
      };
      child.stdout.on('data', check);
      child.on('exit', () => reject(new Error(`exited: ${out}`)));
    });
  } finally {
    child.kill('SIGTERM');
  }
  return out;
}

describe('gateway roster at start', () => {
  it('warns at start when its roster file is missing or empty, with the command that adds an officer', async () => {
    const roster = path.join(dir, 'roster.json');
    const missing = await startOutput(['--roster', roster]);
    expect(missing).toContain(`roster ${roster} does not exist`);
    expect(missing).toContain(`npm run gateway -- officer add --roster ${roster}`);

    writeFileSync(roster, '{ "officers": [] }\n');
    expect(await startOutput(['--roster', roster])).toContain(`roster ${roster} lists no officers`);

    expect(
      runGatewayCli(cli, [
        'officer',
        'add',
        '--roster',
        roster,
        '--id',
        '00012345',
        '--name',
        'Maya Cal',
        '--pin',
        '482913',
      ]).code,
    ).toBe(0);
    const ok = await startOutput(['--roster', roster]);
    expect(ok).toContain('gateway listening on');
    expect(ok).not.toContain('warning');
  }, 180_000);
});
