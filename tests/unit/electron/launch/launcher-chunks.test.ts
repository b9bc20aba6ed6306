import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNodeBundle } from '../../../../build/scripts/node-bundle.mjs';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));

/** Packages only the embedded gateway or the devices need: never loaded before the window opens. */
const heavyPackages = [
  'fastify',
  'kysely',
  'better-sqlite3',
  'pg',
  'smpp',
  'pdfkit',
  'qrcode',
  'node-hid',
  'esbuild',
  'cloudevents',
  '@hpke/core',
];

/** The modules a bundle file imports statically (`import … from "x"`, `import "x"`). */
function staticImports(text: string): string[] {
  return [...text.matchAll(/^import\s*(?:[\s\S]*?\sfrom\s*)?"([^"]+)";/gm)].map((m) => m[1] ?? '');
}

/** The modules a bundle file imports lazily (`import("x")`). */
function dynamicImports(text: string): string[] {
  return [...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g)].map((m) => m[1] ?? '');
}

describe('the launcher bundle npm start runs', () => {
  let outDir: string;
  let entry: string;
  beforeAll(async () => {
    outDir = mkdtempSync(path.join(tmpdir(), 'sp-launch-'));
    entry = (await ensureNodeBundle({ repoRoot, entry: 'electron/launch/start.ts', outDir })).file;
  }, 60_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  /** Every package reached from `file` through static imports, and the files on the way. */
  const closure = (file: string): { packages: Set<string>; files: Set<string> } => {
    const packages = new Set<string>();
    const files = new Set<string>();
    const visit = (current: string): void => {
      if (files.has(current)) return;
      files.add(current);
      for (const specifier of staticImports(readFileSync(current, 'utf8'))) {
        if (specifier.startsWith('.')) visit(path.resolve(path.dirname(current), specifier));
        else packages.add(specifier);
      }
    };
    visit(file);
    return { packages, files };
  };

  it('opens the window without loading the gateway’s or the devices’ packages', () => {
    const { packages } = closure(entry);
    expect([...packages].filter((name) => heavyPackages.includes(name))).toEqual([]);
    // What the window needs is there: the page host's WebSocket and the config's schemas.
    expect(packages).toContain('ws');
    expect(packages).toContain('zod');
  });

  it('loads the embedded gateway and the devices from chunks of their own', () => {
    const { files } = closure(entry);
    const lazy = [...files].flatMap((file) =>
      dynamicImports(readFileSync(file, 'utf8'))
        .filter((specifier) => specifier.startsWith('.'))
        .map((specifier) => path.resolve(path.dirname(file), specifier)),
    );
    const lazyPackages = new Set(lazy.flatMap((file) => [...closure(file).packages]));
    for (const name of ['fastify', 'kysely', 'better-sqlite3', 'smpp', 'pdfkit']) {
      expect(lazyPackages, name).toContain(name);
    }
  });
});
