import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildGateway, hashToken } from '../../sync/server/app';
import { openSqliteStore } from '../../sync/server/sqlite-store';
import type { GatewayStore } from '../../sync/server/store';

export interface InProcessGateway {
  url: string;
  app: FastifyInstance;
  store: GatewayStore;
  dataDir: string;
  close(): Promise<void>;
}

/** A real gateway (Fastify + SQLite in a temp dir) listening on 127.0.0.1 in this process. */
export async function startInProcessGateway(
  tokens: Array<{ kioskId: string; token: string }> = [],
): Promise<InProcessGateway> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-gateway-'));
  const store = openSqliteStore(path.join(dataDir, 'gateway.sqlite'));
  for (const { kioskId, token } of tokens) await store.addEnrolmentToken(kioskId, hashToken(token));
  const app = await buildGateway({ store });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    app,
    store,
    dataDir,
    async close() {
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
