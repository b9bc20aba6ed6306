import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants as zlib, gzipSync } from 'node:zlib';
import { build as esbuild } from 'esbuild';
import { defineConfig } from 'vite';
import type { Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { clearStamp, sourceInputs, writeStamp } from '../build/scripts/renderer-stamp';
import { precompiledMessages } from '../build/scripts/precompiled-messages';

const here = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('..', import.meta.url));
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
        .filter((file) => !file.endsWith(`${path.sep}sw.js`) && !precompressed.test(file))
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

/** Files served compressed, and the precompressed copies' suffixes (never precached). */
const compressible = /\.(js|css|html|svg|json|webmanifest|txt)$/;
const precompressed = /\.(gz|br)$/;

/**
 * Precompresses every text file of the build (gzip level 9 and brotli quality 11, the best each
 * offers, paid once here instead of on each request): `x.js.gz` and `x.js.br` beside `x.js`,
 * kept only when smaller. The browser shell's host serves them with Content-Encoding and Vary.
 */
function precompress(): Plugin {
  let outDir = defaultOutDir;
  return {
    name: 'service-point-precompress',
    apply: 'build',
    // After the service worker is written, so sw.js is compressed too.
    enforce: 'post',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      // Closing hooks may run in parallel: wait for the service worker's build to finish.
      sequential: true,
      handler() {
        for (const file of listFiles(outDir)) {
          if (!compressible.test(file)) continue;
          const raw = readFileSync(file);
          const gzip = gzipSync(raw, { level: 9 });
          if (gzip.length < raw.length) writeFileSync(`${file}.gz`, gzip);
          const brotli = brotliCompressSync(raw, {
            params: {
              [zlib.BROTLI_PARAM_QUALITY]: zlib.BROTLI_MAX_QUALITY,
              [zlib.BROTLI_PARAM_SIZE_HINT]: raw.length,
            },
          });
          if (brotli.length < raw.length) writeFileSync(`${file}.br`, brotli);
        }
      },
    },
  };
}

/**
 * The build's stamp (build/scripts/renderer-stamp.ts): removed when a build starts and written
 * when it has completed, with a hash of every source file in the bundle's module graph and the
 * fixed inputs (lockfile, this config, the service worker), so `npm start` can tell whether the
 * build on disk is current.
 */
function buildStamp(mode: string): Plugin {
  let outDir = defaultOutDir;
  let sources: string[] = [];
  return {
    name: 'service-point-build-stamp',
    apply: 'build',
    enforce: 'post',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    buildStart() {
      clearStamp(outDir);
    },
    generateBundle() {
      sources = sourceInputs(repoRoot, this.getModuleIds());
    },
    closeBundle: {
      order: 'post',
      // Closing hooks may run in parallel: wait for the service worker's build to finish.
      sequential: true,
      handler() {
        writeStamp(outDir, repoRoot, mode, sources);
      },
    },
  };
}

export default defineConfig(({ mode }) => ({
  root: here,
  base: './',
  plugins: [precompiledMessages(), react(), serviceWorker(), precompress(), buildStamp(mode)],
  // The demo build (`--mode demo`, npm run demo) may run on the simulated bridge; every other
  // build fails closed without a shell. See build-flags.d.ts.
  define: { __SERVICE_POINT_DEMO__: JSON.stringify(mode === 'demo') },
  resolve: {
    // simple-keyboard's `main` is a UMD bundle whose default export Rollup cannot see; its ES
    // module build is the same code.
    alias: [
      // Every message reaches the page parsed (precompiledMessages): IntlMessageFormat's parser
      // stays out of the bundle.
      {
        find: /^@formatjs\/icu-messageformat-parser$/,
        replacement: fileURLToPath(
          new URL(
            '../node_modules/@formatjs/icu-messageformat-parser/lib/no-parser.js',
            import.meta.url,
          ),
        ),
      },
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
