import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build as esbuild } from 'esbuild';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';

const here = fileURLToPath(new URL('.', import.meta.url));
const defaultOutDir = fileURLToPath(new URL('../dist/renderer', import.meta.url));

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? listFiles(full) : [full];
  });
}

/**
 * Builds the service worker after the app (Workbox's injectManifest, done here with esbuild):
 * every file of the build goes into the precache manifest with a hash of its content, so a
 * changed file is fetched again and an unchanged one never is.
 */
function serviceWorker(): Plugin {
  // The build's own output folder (`--outDir` may move it, as the demo build's test does).
  let outDir = defaultOutDir;
  return {
    name: 'service-point-service-worker',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    async closeBundle() {
      const manifest = listFiles(outDir)
        .filter((file) => !file.endsWith(`${path.sep}sw.js`))
        .map((file) => ({
          url: path.relative(outDir, file).split(path.sep).join('/'),
          revision: createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 16),
        }));
      await esbuild({
        entryPoints: [path.join(here, 'sw', 'service-worker.ts')],
        outfile: path.join(outDir, 'sw.js'),
        bundle: true,
        format: 'iife',
        target: 'chrome120',
        minify: true,
        define: {
          'self.__WB_MANIFEST': JSON.stringify(manifest),
          'process.env.NODE_ENV': '"production"',
        },
        logLevel: 'warning',
      });
    },
  };
}

export default defineConfig(({ mode }) => ({
  root: here,
  base: './',
  plugins: [react(), serviceWorker()],
  // The demo build (`--mode demo`, npm run demo) may run on the simulated bridge; every other
  // build fails closed without a shell. See build-flags.d.ts.
  define: { __SERVICE_POINT_DEMO__: JSON.stringify(mode === 'demo') },
  resolve: {
    // simple-keyboard's `main` is a UMD bundle whose default export Rollup cannot see; its ES
    // module build is the same code.
    alias: [
      {
        find: /^simple-keyboard$/,
        replacement: fileURLToPath(
          new URL('../node_modules/simple-keyboard/build/index.modern.esm.js', import.meta.url),
        ),
      },
    ],
  },
  build: {
    outDir: defaultOutDir,
    emptyOutDir: true,
    target: 'chrome120',
    sourcemap: false,
  },
}));
