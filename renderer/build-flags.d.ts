/**
 * Build-time flags, replaced by renderer/vite.config.ts (`define`).
 *
 * `__SERVICE_POINT_DEMO__` is true only in the demo build (`npm run demo`, Vite's `--mode demo`):
 * only there may the page run without a shell, on the in-page simulated bridge. Every other build
 * (`npm start`, the browser tests, the packaged app) is a production page, which fails closed
 * with the out-of-service screen when it finds no shell. Because the value is a literal in the
 * bundle, a production build does not contain the simulated bridge at all.
 */
declare const __SERVICE_POINT_DEMO__: boolean;
