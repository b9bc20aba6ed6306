// `npm start`: runs the launcher (electron/launch/start.ts) from one bundle, dist/launch/start.mjs,
// built with esbuild (packages stay in node_modules) and rebuilt only when one of its sources,
// the lockfile or the TypeScript config changed (a content-hash stamp beside it). Loading one
// bundle with plain Node takes about half the time of compiling every launcher module with tsx
// on each start. Plain JavaScript: nothing here needs TypeScript before the check.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { inputsHash } from './build-stamp.mjs';

// SERVICE_POINT_TRACE=1: the start-up timeline for build/scripts/measure-startup.ts
// (the same line format as electron/launch/startup-trace.ts).
const trace = (step, at = Date.now()) => {
  if (process.env.SERVICE_POINT_TRACE === '1') {
    console.log(`[service-point] trace ${Math.round(at)} ${step}`);
  }
};
trace('node started', performance.timeOrigin);

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
// Two folders deep, like electron/launch/: modules find repository files from import.meta.url.
const bundle = path.join(repoRoot, 'dist', 'launch', 'start.mjs');
const stampFile = path.join(repoRoot, 'dist', 'launch', 'start.build.json');
const fixedInputs = [
  'package-lock.json',
  'tsconfig.json',
  'build/scripts/start.mjs',
  'build/scripts/build-stamp.mjs',
];

/** Whether the bundle on disk was made from the sources as they are now. */
function bundleIsCurrent() {
  if (!existsSync(bundle)) return false;
  try {
    const stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
    return (
      Array.isArray(stamp.inputs) &&
      stamp.inputs.every((input) => typeof input === 'string') &&
      stamp.hash === inputsHash(repoRoot, [...stamp.inputs, ...fixedInputs])
    );
  } catch {
    return false;
  }
}

if (!bundleIsCurrent()) {
  rmSync(stampFile, { force: true });
  mkdirSync(path.dirname(bundle), { recursive: true });
  const { build } = await import('esbuild');
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: ['electron/launch/start.ts'],
    outfile: bundle,
    bundle: true,
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
  writeFileSync(
    stampFile,
    `${JSON.stringify({ inputs, hash: inputsHash(repoRoot, [...inputs, ...fixedInputs]) }, null, 1)}\n`,
  );
}

trace('launcher bundle checked');
await import(pathToFileURL(bundle).href);
