import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  checkStamp,
  clearStamp,
  sourceInputs,
  stampFile,
  writeStamp,
} from '../../../build/scripts/renderer-stamp';

/** A tiny repository: a lockfile, the renderer's fixed inputs, one source and a build. */
function fakeRepo(): { root: string; outDir: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'sp-stamp-'));
  const write = (file: string, text: string): void => {
    mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    writeFileSync(path.join(root, file), text);
  };
  write('package-lock.json', '{"lockfileVersion":3}');
  write('renderer/vite.config.ts', 'export default {}');
  write('renderer/index.html', '<!doctype html>');
  write('renderer/sw/service-worker.ts', '// sw');
  write('renderer/public/favicon.svg', '<svg/>');
  write('build/scripts/renderer-stamp.ts', '// stamp');
  write('build/scripts/build-stamp.mjs', '// hash');
  write('renderer/main.tsx', 'console.log(1)');
  write('kiosk-config/translations/en.json', '{}');
  write('dist/renderer/index.html', '<!doctype html><script src="x.js"></script>');
  return { root, outDir: path.join(root, 'dist', 'renderer') };
}

describe('the renderer build stamp npm start trusts', () => {
  let repo: { root: string; outDir: string };
  const sources = ['renderer/main.tsx', 'kiosk-config/translations/en.json'];
  beforeEach(() => {
    repo = fakeRepo();
  });
  afterEach(() => rmSync(repo.root, { recursive: true, force: true }));

  it('finds a build current when nothing it was made from has changed', () => {
    writeStamp(repo.outDir, repo.root, 'production', sources);
    expect(stampFile(repo.outDir)).toBe(path.join(repo.root, 'dist', 'renderer.build.json'));
    expect(checkStamp(repo.outDir, repo.root, 'production')).toMatchObject({ current: true });
  });

  it('rebuilds when a source, the lockfile, the config or a public file changes, or one is added', () => {
    const changes: Array<[string, string]> = [
      ['renderer/main.tsx', 'console.log(2)'],
      ['kiosk-config/translations/en.json', '{"a":1}'],
      ['package-lock.json', '{"lockfileVersion":3,"x":1}'],
      ['renderer/vite.config.ts', 'export default { base: "/" }'],
      ['renderer/sw/service-worker.ts', '// sw 2'],
      ['renderer/public/robots.txt', 'new'],
    ];
    for (const [file, text] of changes) {
      const fresh = fakeRepo();
      writeStamp(fresh.outDir, fresh.root, 'production', sources);
      writeFileSync(path.join(fresh.root, file), text);
      expect(checkStamp(fresh.outDir, fresh.root, 'production'), file).toEqual({
        current: false,
        reason: 'sources changed since the last build',
      });
      rmSync(fresh.root, { recursive: true, force: true });
    }
  });

  it('rebuilds when a source was deleted', () => {
    writeStamp(repo.outDir, repo.root, 'production', sources);
    rmSync(path.join(repo.root, 'renderer/main.tsx'));
    expect(checkStamp(repo.outDir, repo.root, 'production').current).toBe(false);
  });

  it('never trusts a build with no stamp, a cleared or unreadable stamp, another mode, or no page', () => {
    expect(checkStamp(repo.outDir, repo.root, 'production')).toEqual({
      current: false,
      reason: 'no build stamp',
    });
    writeStamp(repo.outDir, repo.root, 'demo', sources);
    expect(checkStamp(repo.outDir, repo.root, 'production')).toEqual({
      current: false,
      reason: 'built in demo mode',
    });
    writeStamp(repo.outDir, repo.root, 'production', sources);
    // A build that started and never finished clears the stamp first.
    clearStamp(repo.outDir);
    expect(checkStamp(repo.outDir, repo.root, 'production').current).toBe(false);
    writeFileSync(stampFile(repo.outDir), '{"version":1,"hash":"nope"}');
    expect(checkStamp(repo.outDir, repo.root, 'production')).toEqual({
      current: false,
      reason: 'unreadable build stamp',
    });
    writeStamp(repo.outDir, repo.root, 'production', sources);
    rmSync(path.join(repo.outDir, 'index.html'));
    expect(checkStamp(repo.outDir, repo.root, 'production')).toEqual({
      current: false,
      reason: 'no build',
    });
  });

  it('takes the build’s own sources from its module ids, leaving out packages and virtual modules', () => {
    const ids = [
      path.join(repo.root, 'renderer/main.tsx'),
      `${path.join(repo.root, 'kiosk-config/translations/en.json')}?import`,
      path.join(repo.root, 'node_modules/react/index.js'),
      '\0vite/preload-helper.js',
      '/elsewhere/file.ts',
    ];
    expect(sourceInputs(repo.root, ids).sort()).toEqual(sources.slice().sort());
  });
});
