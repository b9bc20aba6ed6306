import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bundlePreload } from '../../../../build/scripts/bundle-electron';
import * as electronFake from '../../../support/electron-fake';

const dir = mkdtempSync(path.join(tmpdir(), 'sp-preload-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Runs a preload bundle the way Electron runs a sandboxed preload: as the body of a function
 * whose only parameters are `require` (here: electron alone), `process`, `Buffer`, `global`,
 * the two timers, `exports` and `module` (Electron's lib/sandboxed_renderer). There is no
 * `__filename`, no `__dirname` and no Node module to require.
 */
function runAsSandboxedPreload(source: string): void {
  const preloadRequire = (name: string): unknown => {
    if (name === 'electron') return electronFake;
    throw new Error(`module not found: ${name}`);
  };
  const wrapper = new Function(
    'require',
    'process',
    'Buffer',
    'global',
    'setImmediate',
    'clearImmediate',
    'exports',
    'module',
    `"use strict";\n${source}`,
  );
  const exports = {};
  wrapper(preloadRequire, {}, undefined, globalThis, setImmediate, clearImmediate, exports, {
    exports,
  });
}

describe('the built preload', () => {
  it('runs in a sandboxed renderer: it requires only electron and exposes window.kiosk', async () => {
    const file = path.join(dir, 'preload.cjs');
    await bundlePreload(file);
    const source = readFileSync(file, 'utf8');
    electronFake.resetElectronFake();
    runAsSandboxedPreload(source);
    const api = electronFake.recorder.exposed.get('kiosk') as {
      invoke(channel: string, request?: unknown): Promise<unknown>;
    };
    expect(Object.keys(api).sort()).toEqual(['invoke', 'on']);
    electronFake.ipcRenderer.reply = () => ({ ok: true, value: { active: true } });
    await expect(api.invoke('session:state', { active: true })).rejects.toMatchObject({
      code: 'bad-response',
    });
    electronFake.ipcRenderer.reply = () => ({ ok: true });
    await expect(api.invoke('session:state', { active: true })).resolves.toBeUndefined();
  });
});
