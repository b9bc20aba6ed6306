import { createServer } from 'node:http';
import type { Server } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { reservePort } from '../../../../electron/launch/port-reservation';
import type { PortReservation } from '../../../../electron/launch/port-reservation';

describe('the port npm start holds for its embedded gateway while the gateway loads', () => {
  const cleanup: Array<() => unknown> = [];
  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) await step();
  });
  const reserve = async (port = 0): Promise<PortReservation> => {
    const reservation = await reservePort('127.0.0.1', port);
    cleanup.push(() => {
      reservation.dropHeld();
      return reservation.release();
    });
    return reservation;
  };
  const listen = (server: Server, port: number): Promise<void> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });

  it('refuses a busy port at once, with the listen error', async () => {
    const first = await reserve();
    await expect(reservePort('127.0.0.1', first.port)).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });

  it('holds a request made before the gateway listens, and the gateway answers it', async () => {
    const reservation = await reserve();
    // The page probes its gateway while the gateway is still loading.
    const early = fetch(`http://127.0.0.1:${reservation.port}/v1/health`).then(async (r) => [
      r.status,
      await r.text(),
    ]);
    await new Promise((r) => setTimeout(r, 100));
    const gateway = createServer((request, response) => response.end(`ok ${request.url}`));
    cleanup.push(() => new Promise((r) => gateway.close(r)));
    await reservation.release();
    await listen(gateway, reservation.port);
    reservation.handOver(gateway);
    expect(await early).toEqual([200, 'ok /v1/health']);
    // Later requests go straight to the gateway.
    const later = await fetch(`http://127.0.0.1:${reservation.port}/later`);
    expect(await later.text()).toBe('ok /later');
    gateway.closeAllConnections();
  });

  it('drops the held requests when the gateway does not start', async () => {
    const reservation = await reserve();
    const early = fetch(`http://127.0.0.1:${reservation.port}/v1/health`);
    await new Promise((r) => setTimeout(r, 100));
    await reservation.release();
    reservation.dropHeld();
    await expect(early).rejects.toThrow();
  });
});
