import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkBundle, ensureNodeBundle } from '../../../build/scripts/node-bundle.mjs';

/** A tiny repository: a lockfile, a TypeScript config, an entry with a static and a lazy import. */
function fakeRepo(): string {
  const root = mkdtempSync(path.join(tmpdir(), 'sp-node-bundle-'));
  const files: Record<string, string> = {
    'package-lock.json': '{"lockfileVersion":3}',
    'tsconfig.json': '{}',
    'app/main.ts': [
      "import { greeting } from './greeting';",
      'export const first = greeting;',
      "export const later = (): Promise<string> => import('./heavy').then((m) => m.heavy);",
    ].join('\n'),
    'app/greeting.ts': "export const greeting: string = 'one';",
    'app/heavy.ts': "export const heavy: string = 'heavy one';",
  };
  for (const [file, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  }
  return root;
}

/** Imports a bundle fresh (a query string defeats the module cache). */
async function load(file: string): Promise<{ first: string; later(): Promise<string> }> {
  return (await import(`${pathToFileURL(file).href}?v=${Date.now()}${Math.random()}`)) as {
    first: string;
    later(): Promise<string>;
  };
}

describe('the Node bundles npm start and npm run gateway run from', () => {
  let root: string;
  let outDir: string;
  const bundle = () => ensureNodeBundle({ repoRoot: root, entry: 'app/main.ts', outDir });
  beforeEach(() => {
    root = fakeRepo();
    outDir = path.join(root, 'dist', 'app');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('bundles on the first start and reuses the bundle, untouched, while nothing changed', async () => {
    const first = await bundle();
    expect(first).toMatchObject({ action: 'built', reason: 'no bundle stamp' });
    expect(first.file).toBe(path.join(outDir, 'main.mjs'));
    const builtAt = statSync(first.file).mtimeMs;
    const again = await bundle();
    expect(again).toMatchObject({ action: 'reused', file: first.file });
    expect(statSync(first.file).mtimeMs).toBe(builtAt);
    const loaded = await load(again.file);
    expect(loaded.first).toBe('one');
    expect(await loaded.later()).toBe('heavy one');
  });

  it('rebuilds a stale bundle when a source, a lazily loaded source, the lockfile or the TypeScript config changed', async () => {
    const changes: Array<[string, string, (m: Awaited<ReturnType<typeof load>>) => unknown]> = [
      ['app/greeting.ts', "export const greeting: string = 'two';", (m) => m.first],
      ['app/heavy.ts', "export const heavy: string = 'heavy two';", (m) => m.later()],
      ['package-lock.json', '{"lockfileVersion":3,"packages":{}}', () => undefined],
      ['tsconfig.json', '{"compilerOptions":{}}', () => undefined],
    ];
    for (const [file, text, read] of changes) {
      await bundle();
      writeFileSync(path.join(root, file), text);
      expect(checkBundle(root, outDir, 'main.mjs'), file).toEqual({
        current: false,
        reason: 'sources changed since the last bundle',
      });
      const rebuilt = await bundle();
      expect(rebuilt.action, file).toBe('built');
      const value = await read(await load(rebuilt.file));
      if (file === 'app/greeting.ts') expect(value).toBe('two');
      if (file === 'app/heavy.ts') expect(value).toBe('heavy two');
      expect((await bundle()).action, file).toBe('reused');
    }
  });

  it('rebuilds when a source was deleted, a chunk is missing or the stamp is unreadable', async () => {
    await bundle();
    const stamp = JSON.parse(readFileSync(path.join(outDir, 'bundle.build.json'), 'utf8')) as {
      outputs: string[];
    };
    const chunk = stamp.outputs.find((name) => name !== 'main.mjs');
    expect(chunk, 'the lazy import is a chunk of its own').toBeDefined();
    rmSync(path.join(outDir, chunk ?? ''));
    expect(checkBundle(root, outDir, 'main.mjs')).toEqual({
      current: false,
      reason: 'a bundle file is missing',
    });
    await bundle();
    writeFileSync(path.join(outDir, 'bundle.build.json'), '{"version":');
    expect(checkBundle(root, outDir, 'main.mjs')).toEqual({
      current: false,
      reason: 'no bundle stamp',
    });
    await bundle();
    rmSync(path.join(root, 'app/heavy.ts'));
    expect(checkBundle(root, outDir, 'main.mjs').current).toBe(false);
  });

  it('keeps only the current bundle’s files after a rebuild, and never trusts a half-made one', async () => {
    await bundle();
    writeFileSync(path.join(root, 'app/heavy.ts'), "export const heavy: string = 'heavy three';");
    await bundle();
    const stamp = JSON.parse(readFileSync(path.join(outDir, 'bundle.build.json'), 'utf8')) as {
      outputs: string[];
    };
    const { readdirSync } = await import('node:fs');
    expect(readdirSync(outDir).sort()).toEqual([...stamp.outputs, 'bundle.build.json'].sort());
    // A build that stops half way has removed the stamp first.
    rmSync(path.join(outDir, 'bundle.build.json'));
    expect(checkBundle(root, outDir, 'main.mjs').current).toBe(false);
  });
});
