import { existsSync } from 'node:fs';
import path from 'node:path';
import { checkStamp } from '../../build/scripts/renderer-stamp';

export interface RendererBuildResult {
  outDir: string;
  /** `reused`: the build on disk is current; `built`: it was (re)built now. */
  action: 'reused' | 'built';
  /** Why it was built (no build, sources changed…), or why it was reused. */
  reason: string;
}

/**
 * Makes sure `dist/renderer` holds a production build of the current sources: the build's stamp
 * (build/scripts/renderer-stamp.ts) is checked, and vite runs only when an input changed or no
 * complete build is there. `SERVICE_POINT_SKIP_BUILD=1` uses any complete build unchecked (the
 * field tests, which have just built it).
 */
export async function ensureRendererBuild(options: {
  repoRoot: string;
  env?: NodeJS.ProcessEnv;
  log?: (message: string) => void;
}): Promise<RendererBuildResult> {
  const { repoRoot, env = process.env, log = () => undefined } = options;
  const outDir = path.join(repoRoot, 'dist', 'renderer');
  if (env.SERVICE_POINT_SKIP_BUILD === '1' && existsSync(path.join(outDir, 'index.html'))) {
    return { outDir, action: 'reused', reason: 'SERVICE_POINT_SKIP_BUILD=1' };
  }
  const check = checkStamp(outDir, repoRoot, 'production');
  if (check.current) {
    log('renderer build is current (same sources, config and lockfile): reusing it');
    return { outDir, action: 'reused', reason: 'current' };
  }
  log(`building the renderer (${check.reason})…`);
  const { build } = await import('vite');
  await build({
    configFile: path.join(repoRoot, 'renderer', 'vite.config.ts'),
    mode: 'production',
    logLevel: 'warn',
  });
  return { outDir, action: 'built', reason: check.reason };
}
