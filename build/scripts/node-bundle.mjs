// A TypeScript entry point bundled for plain Node by esbuild, rebuilt only when one of its
// sources changed: the one implementation behind `npm start` (start.mjs, the launcher) and
// `npm run gateway` (gateway.mjs, the reference gateway). Loading a bundle with plain Node takes a
// fraction of the time of compiling every module with tsx on each start. Packages stay in
// node_modules; code behind a dynamic `import()` becomes its own chunk, loaded only when that
// import runs (the launcher starts Chromium before it loads the gateway's packages). The bundle is
// a build output under dist/, never committed. Plain JavaScript: nothing here needs TypeScript
// before the check.
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { inputsHash } from './build-stamp.mjs';

/** Bumped when the bundle's shape changes: an older stamp then never matches. */
const STAMP_VERSION = 2;

/**
 * Files that shape every bundle without being in its module graph, relative to the repository:
 * the lockfile (every package's version), the TypeScript config, and this builder.
 */
const fixedInputs = [
  'package-lock.json',
  'tsconfig.json',
  'build/scripts/node-bundle.mjs',
  'build/scripts/build-stamp.mjs',
];

/**
 * Whether the bundle in `outDir` was made from the sources as they are now: its stamp parses,
 * every output file it lists is there, and every input (its sources and the fixed ones) hashes
 * the same. Anything unreadable means "rebuild", never an error.
 * @param {string} repoRoot
 * @param {string} outDir
 * @param {string} entryFile the entry's output file name, e.g. `start.mjs`
 * @param {readonly string[]} extraInputs more files every build depends on (the caller itself)
 * @returns {{ current: true } | { current: false, reason: string }}
 */
export function checkBundle(repoRoot, outDir, entryFile, extraInputs = []) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(path.join(outDir, 'bundle.build.json'), 'utf8'));
  } catch {
    return { current: false, reason: 'no bundle stamp' };
  }
  const strings = (value) =>
    Array.isArray(value) && value.every((item) => typeof item === 'string');
  if (
    stamp?.version !== STAMP_VERSION ||
    stamp.entry !== entryFile ||
    !strings(stamp.inputs) ||
    !strings(stamp.outputs) ||
    typeof stamp.hash !== 'string'
  ) {
    return { current: false, reason: 'unreadable bundle stamp' };
  }
  if (!stamp.outputs.every((file) => existsSync(path.join(outDir, file)))) {
    return { current: false, reason: 'a bundle file is missing' };
  }
  if (stamp.hash !== inputsHash(repoRoot, [...stamp.inputs, ...fixedInputs, ...extraInputs])) {
    return { current: false, reason: 'sources changed since the last bundle' };
  }
  return { current: true };
}

/**
 * Makes sure `outDir` holds a current bundle of `entry` (a path relative to `repoRoot`) and
 * returns its entry file. A build removes the stamp first (a half-made bundle is never trusted),
 * writes the stamp last, and then removes the files of older bundles. The folder itself is never
 * emptied: another `npm start` may be running from it and load a chunk later; chunks are named
 * by their content, so two starts that bundle the same sources at once write the same files.
 * @param {{ repoRoot: string, entry: string, outDir: string, extraInputs?: readonly string[] }} options
 * @returns {Promise<{ file: string, action: 'reused' | 'built', reason: string }>}
 */
export async function ensureNodeBundle({ repoRoot, entry, outDir, extraInputs = [] }) {
  const entryFile = `${path.basename(entry).replace(/\.[cm]?tsx?$/, '')}.mjs`;
  const file = path.join(outDir, entryFile);
  const check = checkBundle(repoRoot, outDir, entryFile, extraInputs);
  if (check.current) return { file, action: 'reused', reason: 'current' };
  const stampFile = path.join(outDir, 'bundle.build.json');
  rmSync(stampFile, { force: true });
  mkdirSync(outDir, { recursive: true });
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [entry],
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    bundle: true,
    splitting: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    packages: 'external',
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs).filter(
    (input) => !input.includes('node_modules/'),
  );
  const outputs = Object.keys(result.metafile.outputs).map((output) =>
    path.relative(outDir, path.resolve(repoRoot, output)).split(path.sep).join('/'),
  );
  const stamp = {
    version: STAMP_VERSION,
    entry: entryFile,
    hash: inputsHash(repoRoot, [...inputs, ...fixedInputs, ...extraInputs]),
    inputs,
    outputs,
  };
  writeFileSync(stampFile, `${JSON.stringify(stamp, null, 1)}\n`);
  for (const name of readdirSync(outDir)) {
    if (name !== 'bundle.build.json' && !outputs.includes(name)) {
      rmSync(path.join(outDir, name), { recursive: true, force: true });
    }
  }
  return { file, action: 'built', reason: check.reason };
}
