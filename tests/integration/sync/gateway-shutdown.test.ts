import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { closeGateway } from '../../../sync/server/app';
import { startInProcessGateway } from '../../support/gateway-harness';
import type { InProcessGateway } from '../../support/gateway-harness';

/**
 * Stopping a gateway (`closeGateway`, what `npm run gateway` does on SIGTERM and the kiosk's
 * embedded gateway on quit): requests in flight get their grace, connections that hold the close
 * open are cut after it. A plain `app.close()` waits for a socket that never sends a request
 * (a browser's preconnect) until Node's headersTimeout, a minute: these tests would time out.
 */
describe('stopping a gateway', () => {
  let gateway: InProcessGateway | undefined;
  afterEach(async () => {
    await gateway?.store.close().catch(() => undefined);
    gateway = undefined;
  });

  /** A gateway with one extra route that answers after `?ms=` milliseconds. */
  async function gatewayWithSlowRoute(): Promise<InProcessGateway> {
    return startInProcessGateway([], {
      setup: async (app) => {
        app.get('/test/slow', async (request) => {
          const ms = Number((request.query as { ms?: string }).ms ?? 0);
          await new Promise((resolve) => setTimeout(resolve, ms));
          return { waited: ms };
        });
      },
    });
  }

  function openSocket(url: string): Promise<net.Socket> {
    const { hostname, port } = new URL(url);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => resolve(socket));
      socket.on('error', reject);
    });
  }

  it('cuts a connection that never sent a request (a preconnect) once the grace is over', async () => {
    gateway = await gatewayWithSlowRoute();
    const socket = await openSocket(gateway.url);
    const socketClosed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    await closeGateway(gateway.app, { graceMs: 50 });
    await socketClosed;
    expect(socket.destroyed).toBe(true);
    // Closed for good: nothing listens on its port any more.
    await expect(fetch(`${gateway.url}/v1/health`)).rejects.toThrow();
  });

  it('lets a request in flight finish within the grace', async () => {
    gateway = await gatewayWithSlowRoute();
    const reply = fetch(`${gateway.url}/test/slow?ms=150`);
    // The request reaches its handler before the gateway starts to stop.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = closeGateway(gateway.app, { graceMs: 5_000 });
    const response = await reply;
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ waited: 150 });
    await closing;
  });

  it('cuts a request still running when the grace is over; the client sees its connection drop', async () => {
    gateway = await gatewayWithSlowRoute();
    const reply = fetch(`${gateway.url}/test/slow?ms=3000`).then(
      (response) => `status ${response.status}`,
      (error: unknown) => `failed: ${String((error as { cause?: unknown }).cause ?? error)}`,
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    await closeGateway(gateway.app, { graceMs: 50 });
    expect(await reply).toMatch(/^failed: .*(socket|closed|ECONNRESET)/i);
  });
});
