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
    files: [
      'renderer/**',
      'sync/client/**',
      'sync/protocol/**',
      'sync/bridge/**',
      'kiosk-config/**',
    ],
    ignores: ['renderer/vite.config.ts'],
    rules: { 'no-restricted-imports': ['error', noNodeOrElectron] },
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
