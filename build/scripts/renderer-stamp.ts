// The renderer build's stamp: a content hash of everything the build was made from, stored
// beside the build, so `npm start` (and the browser tests' set-up) reuse a build that is current
// instead of building again. Written by the build itself (renderer/vite.config.ts) and read by
// electron/launch/renderer-build.ts.
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { inputsHash } from './build-stamp.mjs';

/** Bumped when the stamp's meaning changes: an old stamp then never matches. */
const STAMP_VERSION = 1;

/**
 * Inputs of every build that the bundle's module graph does not list: the lockfile (every
 * package's exact version), the build's config, the page, the service worker (bundled
 * separately) and the static files copied as they are. Paths relative to the repository root.
 */
export function fixedRendererInputs(repoRoot: string): string[] {
  const publicDir = path.join(repoRoot, 'renderer', 'public');
  const publicFiles = existsSync(publicDir) ? listFiles(publicDir) : [];
  return [
    'package-lock.json',
    'renderer/vite.config.ts',
    'renderer/index.html',
    'renderer/sw/service-worker.ts',
    'build/scripts/renderer-stamp.ts',
    'build/scripts/build-stamp.mjs',
    // The config's own plugin that parses the page's messages.
    'build/scripts/precompiled-messages.ts',
    ...publicFiles.map((file) => toRelative(repoRoot, file)),
  ];
}

const stampSchema = z.object({
  version: z.literal(STAMP_VERSION),
  mode: z.string(),
  /** SHA-256 over every input's path and content, in path order (build-stamp.mjs). */
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The build's inputs, relative to the repository root: its own sources and the fixed ones. */
  inputs: z.array(z.string().min(1)).min(1),
});
export type RendererStamp = z.infer<typeof stampSchema>;

/** Where the stamp of a build in `outDir` lives: beside it (`dist/renderer.build.json`). */
export function stampFile(outDir: string): string {
  const resolved = path.resolve(outDir);
  return path.join(path.dirname(resolved), `${path.basename(resolved)}.build.json`);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

function toRelative(repoRoot: string, file: string): string {
  return path.relative(repoRoot, file).split(path.sep).join('/');
}

/**
 * The build's own source files from its module ids: files inside the repository and outside
 * node_modules (packages are pinned by the lockfile); virtual modules and queries are dropped.
 */
export function sourceInputs(repoRoot: string, moduleIds: Iterable<string>): string[] {
  const root = path.resolve(repoRoot);
  const inputs = new Set<string>();
  for (const id of moduleIds) {
    if (id.startsWith('\0')) continue;
    const file = path.resolve(id.split('?')[0] ?? id);
    if (!file.startsWith(root + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) {
      continue;
    }
    if (existsSync(file)) inputs.add(toRelative(root, file));
  }
  return [...inputs];
}

/** Removes the stamp (a build has started: until it completes, no build here is current). */
export function clearStamp(outDir: string): void {
  rmSync(stampFile(outDir), { force: true });
}

/** Writes the stamp of a completed build. */
export function writeStamp(
  outDir: string,
  repoRoot: string,
  mode: string,
  sources: readonly string[],
): RendererStamp {
  const inputs = [...new Set([...sources, ...fixedRendererInputs(repoRoot)])].sort();
  const stamp: RendererStamp = {
    version: STAMP_VERSION,
    mode,
    hash: inputsHash(repoRoot, inputs),
    inputs,
  };
  writeFileSync(stampFile(outDir), `${JSON.stringify(stamp, null, 1)}\n`);
  return stamp;
}

export type StampCheck =
  { current: true; stamp: RendererStamp } | { current: false; reason: string };

/**
 * Whether the build in `outDir` is current: it has its page, its stamp parses, was made in
 * `mode`, and every input still hashes the same. A stamp that cannot be read means "rebuild",
 * never an error.
 */
export function checkStamp(outDir: string, repoRoot: string, mode: string): StampCheck {
  if (!existsSync(path.join(outDir, 'index.html'))) return { current: false, reason: 'no build' };
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(stampFile(outDir), 'utf8'));
  } catch {
    return { current: false, reason: 'no build stamp' };
  }
  const parsed = stampSchema.safeParse(raw);
  if (!parsed.success) return { current: false, reason: 'unreadable build stamp' };
  const stamp = parsed.data;
  if (stamp.mode !== mode) return { current: false, reason: `built in ${stamp.mode} mode` };
  // Inputs added since (a new public file) count too.
  const inputs = [...new Set([...stamp.inputs, ...fixedRendererInputs(repoRoot)])];
  if (inputsHash(repoRoot, inputs) !== stamp.hash) {
    return { current: false, reason: 'sources changed since the last build' };
  }
  return { current: true, stamp };
}
