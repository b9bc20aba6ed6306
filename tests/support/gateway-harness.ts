import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildGateway, closeGateway, hashToken } from '../../sync/server/app';
import type { GatewayOptions } from '../../sync/server/app';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import type { GatewayStore } from '../../sync/server/store';

export interface InProcessGateway {
  url: string;
  app: FastifyInstance;
  store: GatewayStore;
  dataDir: string;
  /**
   * Closes the server and the store, keeping the data: the next `restart` reopens it. Requests
   * in flight get 250 ms, then every connection is cut (`closeGateway`), as the e2e fixture
   * does: a client's idle keep-alive socket would otherwise hold the close for seconds.
   */
  stop(): Promise<void>;
  /** A crash-and-restart: closes, then reopens the same SQLite file on the same port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

export type HarnessOptions = Omit<GatewayOptions, 'store'> & {
  dataDir?: string;
  /** Runs after the gateway is built and before it listens (register SMS alerts, say). */
  setup?: (app: FastifyInstance, store: GatewayStore) => Promise<void>;
  /** The store's clock (when queued jobs fall due); default the real one. */
  storeNow?: () => Date;
};

/** A real gateway (Fastify + SQLite in a temp dir) listening on 127.0.0.1 in this process. */
export async function startInProcessGateway(
  tokens: Array<{ kioskId: string; token: string }> = [],
  options: HarnessOptions = {},
): Promise<InProcessGateway> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(tmpdir(), 'sp-gateway-'));
  const file = path.join(dataDir, 'gateway.sqlite');
  const storeClock = options.storeNow ? { now: options.storeNow } : {};
  let store = await openGatewayStore({ sqliteFile: file }, storeClock);
  for (const { kioskId, token } of tokens) await store.addEnrolmentToken(kioskId, hashToken(token));
  let app = await buildGateway({ ...options, store });
  await options.setup?.(app, store);
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const port = Number(new URL(url).port);
  let running = true;
  const harness: InProcessGateway = {
    url,
    get app() {
      return app;
    },
    get store() {
      return store;
    },
    dataDir,
    async stop() {
      if (!running) return;
      running = false;
      await closeGateway(app, { graceMs: 250 });
      await store.close();
    },
    async restart() {
      await harness.stop();
      store = await openGatewayStore({ sqliteFile: file }, storeClock);
      app = await buildGateway({ ...options, store });
      await options.setup?.(app, store);
      await app.listen({ port, host: '127.0.0.1' });
      running = true;
    },
    async close() {
      await harness.stop();
      if (!options.dataDir) rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return harness;
}
