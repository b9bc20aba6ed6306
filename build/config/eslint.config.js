// Lint rules, including the process boundaries from ARCHITECTURE.md: browser code (renderer/,
// sync/client, sync/protocol) never imports Node or Electron; electron/ never imports React.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const nodeBuiltins = [
  'assert',
  'buffer',
  'child_process',
  'crypto',
  'dgram',
  'dns',
  'events',
  'fs',
  'fs/promises',
  'http',
  'https',
  'net',
  'os',
  'path',
  'process',
  'stream',
  'tls',
  'url',
  'util',
  'worker_threads',
  'zlib',
];
const noNodeOrElectron = {
  paths: [
    ...nodeBuiltins.map((name) => ({
      name,
      message: 'Browser code must not import Node modules.',
    })),
    { name: 'electron', message: 'Browser code must not import Electron; use the KioskBridge.' },
  ],
  patterns: [
    { group: ['node:*'], message: 'Browser code must not import Node modules.' },
    {
      group: [
        '**/electron/main/**',
        '**/electron/preload/**',
        '**/electron/browser-shell/**',
        '**/electron/devices/**',
        '**/electron/launch/**',
        '**/sync/server/**',
      ],
      message:
        'Browser code may only use sync/bridge (the contract), sync/protocol and sync/client.',
    },
  ],
};

// One owner for the kiosk's IndexedDB: only the outbox store's Dexie modules
// (sync/client/store/dexie-*.ts) import Dexie or touch its tables; everything else goes through
// the OutboxStore interface (sync/client/store/outbox-store.ts). The page's wiring
// (renderer/app/kiosk-runtime.ts) alone may open the Dexie store.
const dexieOwners = ['sync/client/store/dexie-*.ts'];
const storeOpener = 'renderer/app/kiosk-runtime.ts';
const dexieMessage =
  'Only the outbox store (sync/client/store/dexie-*.ts) knows IndexedDB: use the OutboxStore interface.';
const dexieImports = {
  paths: [
    { name: 'dexie', message: dexieMessage },
    { name: 'dexie-react-hooks', message: dexieMessage },
  ],
  patterns: [{ group: ['**/store/dexie-schema'], message: dexieMessage }],
};
const storeOpenerOnly = {
  group: ['**/store/dexie-outbox-store'],
  message: `${dexieMessage} The store is opened once, in ${storeOpener}.`,
};
const mergeImports = (...sets) => ({
  paths: sets.flatMap((set) => set.paths ?? []),
  patterns: sets.flatMap((set) => set.patterns ?? []),
});
const tableNames = 'outbox|meta|deadLetters';
const tableMethods =
  'add|bulkAdd|bulkDelete|bulkGet|bulkPut|clear|count|delete|each|filter|get|limit|modify|orderBy|put|reverse|toArray|toCollection|update|where';
const noTableAccess = [
  {
    selector: `MemberExpression[object.property.name=/^(${tableNames})$/][property.name=/^(${tableMethods})$/]`,
    message: dexieMessage,
  },
  {
    selector: `MemberExpression[object.name=/^(${tableNames})$/][property.name=/^(${tableMethods})$/]`,
    message: dexieMessage,
  },
  {
    selector:
      "CallExpression[callee.property.name='transaction'][arguments.0.value=/^(r|rw|readonly|readwrite)!?\\??$/]",
    message: dexieMessage,
  },
];
const browserCode = [
  'renderer/**',
  'sync/client/**',
  'sync/protocol/**',
  'sync/bridge/**',
  'kiosk-config/**',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'tests/artifacts/', 'test-results/', '.kiosk-data/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    ignores: ['eslint.config.js'],
    languageOptions: { parserOptions: { projectService: true } },
    rules: { '@typescript-eslint/no-floating-promises': 'error' },
  },
  {
    files: browserCode,
    ignores: ['renderer/vite.config.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        mergeImports(noNodeOrElectron, dexieImports, { patterns: [storeOpenerOnly] }),
      ],
      'no-restricted-syntax': ['error', ...noTableAccess],
    },
  },
  {
    files: [storeOpener],
    rules: { 'no-restricted-imports': ['error', mergeImports(noNodeOrElectron, dexieImports)] },
  },
  {
    files: dexieOwners,
    rules: {
      'no-restricted-imports': ['error', noNodeOrElectron],
      'no-restricted-syntax': 'off',
    },
  },
  {
    files: ['electron/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'react', message: 'electron/ never imports React.' },
            { name: 'react-dom', message: 'electron/ never imports React.' },
          ],
          patterns: [
            { group: ['**/renderer/**'], message: 'electron/ never imports the renderer.' },
          ],
        },
      ],
    },
  },
  {
    // The bridge's implementations are typed by the one channel map; `as never` would switch that
    // check off (it satisfies any type), so it may not appear where the bridge is implemented.
    files: [
      'sync/bridge/**',
      'electron/preload/**',
      'renderer/platform/**',
      'electron/services/**',
    ],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "TSAsExpression[typeAnnotation.type='TSNeverKeyword']",
          message: 'No `as never` in the bridge: parse the value against its channel schema.',
        },
      ],
    },
  },
  {
    // One owner of the gateway's tables: only sync/server/db speaks SQL (see its gateway-store.ts).
    files: ['sync/server/**'],
    ignores: ['sync/server/db/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: ['kysely', 'better-sqlite3', 'pg'].map((name) => ({
            name,
            message: 'Only sync/server/db talks to the database; use the GatewayStore.',
          })),
        },
      ],
    },
  },
  {
    files: ['renderer/**/*.tsx', 'renderer/**/*.ts'],
    plugins: { 'react-hooks': reactHooks },
    rules: { ...reactHooks.configs.recommended.rules },
  },
  {
    files: ['build/scripts/**', 'electron/launch/**', 'sync/server/main.ts', 'tests/**'],
    rules: { 'no-console': 'off' },
  },
);
