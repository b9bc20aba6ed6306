import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../..', import.meta.url));

/** The project's lint config, without the type-aware parser (snippets are not in the program). */
const eslint = new ESLint({
  cwd: root,
  overrideConfigFile: `${root}build/config/eslint.config.js`,
  overrideConfig: {
    languageOptions: { parserOptions: { projectService: false } },
    rules: { '@typescript-eslint/no-floating-promises': 'off' },
  },
});

async function boundaryErrors(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${root}${filePath}` });
  return (result?.messages ?? [])
    .filter((m) => m.ruleId === 'no-restricted-imports' || m.ruleId === 'no-restricted-syntax')
    .map((m) => `${m.line}:${m.ruleId}`);
}

describe('the outbox store boundary (lint)', () => {
  it('refuses Dexie imports and table access in a screen or a sync module', async () => {
    const screen = [
      "import { liveQuery } from 'dexie';",
      "import { KioskDatabase } from '../../sync/client/store/dexie-schema';",
      'export const a = (db: KioskDatabase) => db.outbox.where("ref").equals("x").first();',
      "export const b = (db: KioskDatabase) => db.transaction('rw', db.meta, async () => {});",
      'export const c = liveQuery(async () => 1);',
    ].join('\n');
    expect(await boundaryErrors('renderer/screens/Example.tsx', screen)).toEqual([
      '1:no-restricted-imports',
      '2:no-restricted-imports',
      '3:no-restricted-syntax',
      '4:no-restricted-syntax',
    ]);
    const engine = [
      'export const d = (deadLetters: { count(): Promise<number> }) => deadLetters.count();',
      "import { openOutboxStore } from './store/dexie-outbox-store';",
      'export const e = openOutboxStore;',
    ].join('\n');
    expect(await boundaryErrors('sync/client/example.ts', engine)).toEqual([
      '1:no-restricted-syntax',
      '2:no-restricted-imports',
    ]);
  });

  it('lets the store interface be used anywhere, and the Dexie store own its tables', async () => {
    const user = [
      "import type { OutboxStore } from '../../sync/client/store/outbox-store';",
      'export const f = (store: OutboxStore) => store.deadLetters();',
      'export const g = (view: { deadLetters: string[] }) => view.deadLetters.map((x) => x);',
    ].join('\n');
    expect(await boundaryErrors('renderer/screens/Example.tsx', user)).toEqual([]);
    const owner = [
      "import Dexie from 'dexie';",
      "import { KioskDatabase } from './dexie-schema';",
      'export const h = (db: KioskDatabase) => db.outbox.where("state").equals("queued").count();',
      'export const i = Dexie.minKey;',
    ].join('\n');
    expect(await boundaryErrors('sync/client/store/dexie-outbox-store.ts', owner)).toEqual([]);
    const wiring =
      "import { openOutboxStore } from '../../sync/client/store/dexie-outbox-store';\nexport const j = openOutboxStore;";
    expect(await boundaryErrors('renderer/app/kiosk-runtime.ts', wiring)).toEqual([]);
  });
});
