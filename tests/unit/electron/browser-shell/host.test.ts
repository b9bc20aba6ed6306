import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createBridgeRouter } from '../../../../sync/bridge/router';
import type { BridgeHandlers } from '../../../../sync/bridge/router';
import { startBrowserShellHost } from '../../../../electron/browser-shell/host';
import type { BrowserShellHost } from '../../../../electron/browser-shell/host';

// Only the channels these tests call; others (devices, sync) belong to other suites.
const handlers = {
  'kiosk:info': async () => ({
    kioskId: 'k-1',
    shell: 'browser',
    appVersion: '1',
    gatewayUrl: 'http://127.0.0.1:8787',
    simulatedDevices: [],
  }),
  'config:get': async () => ({ site: {}, catalogue: {} }),
  'log:write': async () => undefined,
  'keys:data-key': async () => ({ key: 'A'.repeat(43) }),
  'operator:exit': async () => ({ result: 'disabled' }),
  'session:state': async () => undefined,
  'printer:print': async () => ({ jobId: 'job-1', state: 'printed' }),
  'printer:status': async () => ({
    state: 'online',
    checkedAt: null,
    simulated: true,
    heldJobs: 0,
    uncertainJobs: 0,
  }),
} satisfies Partial<BridgeHandlers> as unknown as BridgeHandlers;

/** Opens the bridge socket; resolves 'open' or the HTTP status of the refusal. */
function connect(
  url: string,
  origin: string | undefined,
): Promise<{ result: string; ws?: WebSocket }> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, origin ? { origin } : {});
    ws.on('open', () => resolve({ result: 'open', ws }));
    ws.on('unexpected-response', (_request, response) => {
      resolve({ result: String(response.statusCode) });
      ws.terminate();
    });
    ws.on('error', () => resolve({ result: 'error' }));
  });
}

describe('the browser shell host', () => {
  let dir: string;
  let host: BrowserShellHost;
  let port: number;
  let origin: string;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'sp-host-'));
    writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>kiosk</title>');
    host = await startBrowserShellHost({
      rendererDir: dir,
      router: createBridgeRouter(handlers),
      connectSources: ['http://127.0.0.1:8787'],
    });
    port = new URL(host.url).port ? Number(new URL(host.url).port) : 80;
    origin = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bridgeUrl = (token?: string) =>
    `ws://127.0.0.1:${port}/bridge${token === undefined ? '' : `?token=${encodeURIComponent(token)}`}`;

  it('listens on 127.0.0.1 only', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
    expect((host.server.address() as { address: string }).address).toBe('127.0.0.1');
  });

  it('uses a fresh unguessable token for each launch', async () => {
    const other = await startBrowserShellHost({
      rendererDir: dir,
      router: createBridgeRouter(handlers),
    });
    expect(other.token).not.toBe(host.token);
    expect(host.token.length).toBeGreaterThanOrEqual(32);
    await other.close();
  });

  it('closes at once, ending a connection a browser opened ahead of a request it never sent', async () => {
    const other = await startBrowserShellHost({
      rendererDir: dir,
      router: createBridgeRouter(handlers),
    });
    const socket = createConnection({ host: '127.0.0.1', port: Number(new URL(other.url).port) });
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const ended = new Promise<boolean>((resolve) => socket.once('close', () => resolve(true)));
    // Without closing every connection, close() waits for Node's headersTimeout (60 s).
    await other.close();
    expect(await ended).toBe(true);
  });

  it('accepts the page with this launch token from its own origin, and answers calls', async () => {
    const { result, ws } = await connect(bridgeUrl(host.token), origin);
    expect(result).toBe('open');
    const reply = await new Promise<unknown>((resolve) => {
      ws?.once('message', (data) => resolve(JSON.parse(String(data))));
      ws?.send(JSON.stringify({ id: 7, channel: 'kiosk:info' }));
    });
    expect(reply).toMatchObject({ id: 7, reply: { ok: true, value: { kioskId: 'k-1' } } });
    ws?.close();
  });

  const refusals: Array<[string, () => [string, string | undefined]]> = [
    ['no token', () => [bridgeUrl(), origin]],
    ['an empty token', () => [bridgeUrl(''), origin]],
    ['a wrong token', () => [bridgeUrl('x'.repeat(32)), origin]],
    [
      'the token with one character changed',
      () => [bridgeUrl(host.token.slice(0, -1) + (host.token.endsWith('A') ? 'B' : 'A')), origin],
    ],
    ['a foreign Origin', () => [bridgeUrl(host.token), 'https://evil.example']],
    [
      'a look-alike Origin on another port',
      () => [bridgeUrl(host.token), `http://127.0.0.1:${port + 1}`],
    ],
    ['no Origin at all (not a browser page)', () => [bridgeUrl(host.token), undefined]],
    ['a null Origin (sandboxed frame, file: page)', () => [bridgeUrl(host.token), 'null']],
    ['another path', () => [`ws://127.0.0.1:${port}/other?token=${host.token}`, origin]],
  ];
  it.each(refusals)('refuses a bridge connection with %s (401)', async (_name, make) => {
    const [url, from] = make();
    expect((await connect(url, from)).result).toBe('401');
  });

  it('answers a malformed call with bad-request and keeps the connection', async () => {
    const { ws } = await connect(bridgeUrl(host.token), origin);
    const replies: unknown[] = [];
    await new Promise<void>((resolve) => {
      ws?.on('message', (data) => {
        replies.push(JSON.parse(String(data)));
        if (replies.length === 3) resolve();
      });
      ws?.send('not json');
      ws?.send(JSON.stringify({ id: 1, channel: 'operator:exit', request: { pin: 12 } }));
      ws?.send(JSON.stringify({ id: 2, channel: 'shell:open-external', request: 'https://x' }));
    });
    expect(replies).toEqual([
      { id: -1, reply: { ok: false, error: { code: 'bad-request', message: 'malformed call' } } },
      { id: 1, reply: { ok: false, error: expect.objectContaining({ code: 'bad-request' }) } },
      { id: 2, reply: { ok: false, error: expect.objectContaining({ code: 'unknown-channel' }) } },
    ]);
    ws?.close();
  });

  it('serves the page with the strict CSP and refuses anything but GET', async () => {
    const page = await fetch(host.url);
    const csp = page.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/unsafe-inline|unsafe-eval/);
    expect((await fetch(host.url, { method: 'POST' })).status).toBe(405);
  });

  it('never serves files outside the renderer directory', async () => {
    const response = await fetch(`${origin}/..%2f..%2f..%2fetc%2fpasswd`);
    expect(await response.text()).not.toContain('root:');
  });

  it('answers malformed paths and vanished files with an error and keeps serving', async () => {
    expect((await fetch(`${origin}/%E0%A4%A`)).status).toBe(400);
    writeFileSync(path.join(dir, 'gone.js'), 'x');
    rmSync(path.join(dir, 'gone.js'));
    expect((await fetch(`${origin}/gone.js`)).status).toBe(404);
    expect((await fetch(host.url)).status).toBe(200);
  });
});
