import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Rollup } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../..', import.meta.url));

/** A built chunk: its file, the modules in it and the chunks it imports statically. */
interface Chunk {
  fileName: string;
  modules: string[];
  imports: string[];
  isEntry: boolean;
}

/**
 * Builds the renderer as `npm start` does (production mode, the real Vite config) into a temp
 * folder and keeps every chunk's module list. What the page needs before its first screen is the
 * entry chunk and every chunk it imports statically (index.html preloads them all).
 */
async function buildRenderer(outDir: string): Promise<Map<string, Chunk>> {
  const chunks = new Map<string, Chunk>();
  await build({
    configFile: path.join(repoRoot, 'renderer/vite.config.ts'),
    mode: 'production',
    logLevel: 'silent',
    build: { outDir, emptyOutDir: true },
    plugins: [
      {
        name: 'record-chunks',
        generateBundle(_options, bundle: Rollup.OutputBundle) {
          for (const output of Object.values(bundle)) {
            if (output.type !== 'chunk') continue;
            chunks.set(output.fileName, {
              fileName: output.fileName,
              modules: Object.keys(output.modules).map((id) =>
                path.relative(repoRoot, id).split(path.sep).join('/'),
              ),
              imports: output.imports,
              isEntry: output.isEntry,
            });
          }
        },
      },
    ],
  });
  return chunks;
}

/** Every module in the entry chunk and the chunks it imports statically. */
function initialModules(chunks: Map<string, Chunk>): string[] {
  const entry = [...chunks.values()].find((chunk) => chunk.isEntry);
  if (!entry) throw new Error('the build has no entry chunk');
  const seen = new Set<string>();
  const queue = [entry.fileName];
  while (queue.length > 0) {
    const name = queue.shift() ?? '';
    const chunk = chunks.get(name);
    if (!chunk || seen.has(name)) continue;
    seen.add(name);
    queue.push(...chunk.imports);
  }
  return [...seen].flatMap((name) => chunks.get(name)?.modules ?? []);
}

describe('what the page loads before its first screen', () => {
  const outDir = mkdtempSync(path.join(tmpdir(), 'sp-initial-load-'));
  let chunks = new Map<string, Chunk>();
  let initial: string[] = [];

  beforeAll(async () => {
    chunks = await buildRenderer(outDir);
    initial = initialModules(chunks);
  }, 180_000);
  afterAll(() => rmSync(outDir, { recursive: true, force: true }));

  it('holds the start and language screens, the frame, the bridge and English', () => {
    for (const module of [
      'renderer/main.tsx',
      'renderer/screens/AttractScreen.tsx',
      'renderer/screens/LanguageScreen.tsx',
      'renderer/components/Header.tsx',
      'renderer/app/kiosk-frame.ts',
      'sync/bridge/bridge-client.ts',
      // English, parsed at build time (renderer/vite.config.ts, precompiledMessages).
      'kiosk-config/translations/en.json?icu',
    ]) {
      expect(initial, module).toContain(module);
    }
  });

  it('leaves out the store, the sync engine, sealing, and the other languages', () => {
    const forbidden = [
      /node_modules\/dexie\//,
      /node_modules\/@hpke\//,
      /node_modules\/workbox-window\//,
      /^renderer\/app\/kiosk-runtime\.ts$/,
      /^sync\/client\/engine\.ts$/,
      /^sync\/client\/commit\.ts$/,
      /^sync\/client\/store\//,
      /^kiosk-config\/translations\/(es|bzj|tn)\.json/,
      /^kiosk-config\/messages\.ts$/,
      // Messages arrive parsed: IntlMessageFormat's parser stays out (its no-parser build is in).
      /node_modules\/@formatjs\/icu-(messageformat-parser\/lib\/(parser|index)|skeleton-parser)/,
      // zod's classic API (every method in every schema): the page's schemas are zod/mini.
      /node_modules\/zod\/v4\/classic\//,
    ];
    expect(initial.filter((module) => forbidden.some((pattern) => pattern.test(module)))).toEqual(
      [],
    );
  });

  it('leaves out every later screen, the staff screens, the keyboard layouts and the receipt', () => {
    const forbidden = [
      /^renderer\/app\/ServiceScreens\.tsx$/,
      /^renderer\/screens\/(Services|Form|Review|Consent|Receipt|Status)Screen\.tsx$/,
      /^renderer\/screens\/(officer|operator)\//,
      /^renderer\/components\/(OnScreenKeyboard|keyboard-layouts|QrCode)\.tsx?$/,
      /^kiosk-config\/service-steps\.ts$/,
      /node_modules\/(simple-keyboard|qrcode|libphonenumber-js)\//,
    ];
    expect(initial.filter((module) => forbidden.some((pattern) => pattern.test(module)))).toEqual(
      [],
    );
  });

  it('puts each language and the runtime in a chunk of its own, and the service worker precaches them', () => {
    const chunkOf = (module: string): string | undefined =>
      [...chunks.values()].find((chunk) => chunk.modules.includes(module))?.fileName;
    const sw = readFileSync(path.join(outDir, 'sw.js'), 'utf8');
    for (const module of [
      'renderer/app/kiosk-runtime.ts',
      'kiosk-config/translations/es.json?icu',
      'kiosk-config/translations/bzj.json?icu',
      'kiosk-config/translations/tn.json?icu',
      'renderer/app/ServiceScreens.tsx',
      'renderer/components/keyboard-layouts.ts',
    ]) {
      const file = chunkOf(module);
      expect(file, module).toBeDefined();
      expect(sw, `${module} (${file}) precached`).toContain(`url:"${file}"`);
    }
    // Each language alone: loading one never brings the others.
    const languageChunks = ['es', 'bzj', 'tn'].map((code) =>
      chunkOf(`kiosk-config/translations/${code}.json?icu`),
    );
    expect(new Set(languageChunks).size).toBe(3);
  });
});
