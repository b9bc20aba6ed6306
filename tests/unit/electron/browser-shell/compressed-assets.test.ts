import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { brotliCompressSync, brotliDecompressSync, gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBridgeRouter } from '../../../../sync/bridge/router';
import type { BridgeHandlers } from '../../../../sync/bridge/router';
import { chooseEncoding, startBrowserShellHost } from '../../../../electron/browser-shell/host';
import type { BrowserShellHost } from '../../../../electron/browser-shell/host';

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

/** A raw GET (node:http never decodes), so the bytes on the wire are what is checked. */
function get(url: string, acceptEncoding?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { headers: acceptEncoding === undefined ? {} : { 'accept-encoding': acceptEncoding } },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks),
          }),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('the browser shell host serves the build compressed', () => {
  let dir: string;
  let host: BrowserShellHost;
  const script = `export const words = ${JSON.stringify('kiosk '.repeat(2000))};\n`;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-host-gz-'));
    mkdirSync(path.join(dir, 'assets'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>kiosk</title>');
    writeFileSync(path.join(dir, 'assets', 'app.js'), script);
    writeFileSync(path.join(dir, 'assets', 'app.js.gz'), gzipSync(script));
    writeFileSync(path.join(dir, 'assets', 'app.js.br'), brotliCompressSync(script));
    // A text file the build left uncompressed (too small to gain): served as it is.
    writeFileSync(path.join(dir, 'assets', 'tiny.css'), 'a{}');
    writeFileSync(path.join(dir, 'favicon.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47]));
    host = await startBrowserShellHost({
      rendererDir: dir,
      router: createBridgeRouter({} as BridgeHandlers),
    });
  });
  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('answers a browser that takes brotli with the brotli copy, marked and varying by encoding', async () => {
    const answer = await get(`${host.url}assets/app.js`, 'gzip, deflate, br, zstd');
    expect(answer.status).toBe(200);
    expect(answer.headers['content-encoding']).toBe('br');
    expect(answer.headers.vary).toBe('Accept-Encoding');
    expect(answer.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(answer.body.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(answer.body).toString()).toBe(script);
  });

  it('answers a gzip-only client with the gzip copy', async () => {
    const answer = await get(`${host.url}assets/app.js`, 'gzip');
    expect(answer.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(answer.body).toString()).toBe(script);
  });

  it('answers a client that accepts no encoding with the file itself', async () => {
    for (const accept of [undefined, 'identity', 'br;q=0, gzip;q=0']) {
      const answer = await get(`${host.url}assets/app.js`, accept);
      expect(answer.headers['content-encoding'], String(accept)).toBeUndefined();
      expect(answer.headers.vary).toBe('Accept-Encoding');
      expect(answer.body.toString()).toBe(script);
    }
  });

  it('serves a text file with no compressed copy, and a binary file, as they are', async () => {
    const css = await get(`${host.url}assets/tiny.css`, 'br, gzip');
    expect(css.headers['content-encoding']).toBeUndefined();
    expect(css.body.toString()).toBe('a{}');
    const png = await get(`${host.url}favicon.png`, 'br, gzip');
    expect(png.headers['content-encoding']).toBeUndefined();
    expect(png.headers.vary).toBeUndefined();
    expect([...png.body]).toEqual([0x89, 0x50, 0x4e, 0x47]);
  });

  it('chooses the encoding by the weights the client gives', () => {
    expect(chooseEncoding('gzip, deflate, br')).toBe('br');
    expect(chooseEncoding('br;q=0.5, gzip')).toBe('gzip');
    expect(chooseEncoding('br;q=0, gzip;q=0.1')).toBe('gzip');
    expect(chooseEncoding('*')).toBe('br');
    expect(chooseEncoding('*, br;q=0')).toBe('gzip');
    expect(chooseEncoding('deflate')).toBeUndefined();
    expect(chooseEncoding('')).toBeUndefined();
    expect(chooseEncoding('br;q=nonsense, gzip')).toBe('gzip');
  });
});
