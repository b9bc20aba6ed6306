import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildGateway, hashToken } from '../../sync/server/app';
import { ADMIN_PASSWORD_SETTING, setAdminPassword } from '../../sync/server/dashboard/admin-auth';
import { registerDashboard } from '../../sync/server/dashboard/routes';
import { readRosterFile } from '../../sync/server/roster';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import { listenError } from './launch-error';

export interface EmbeddedGateway {
  url: string;
  /** The gateway's data folder (SQLite file, roster). */
  dir: string;
  /** The roster file it serves; `npm run gateway -- officer add --roster <this>` changes it. */
  rosterFile: string;
  /** The kiosk's one-time enrolment token (kept in the kiosk's data folder). */
  enrolmentToken: string;
  /** Set only on the start that made it: the dashboard password, to print once. */
  newAdminPassword?: string;
  close(): Promise<void>;
}

/** A 20-character password from an unambiguous alphabet, in groups of 5 so it reads aloud. */
export function generateAdminPassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  const bytes = randomBytes(20);
  const chars = [...bytes].map((byte) => alphabet[byte % alphabet.length]).join('');
  return chars.match(/.{5}/g)?.join('-') ?? chars;
}

function readOrCreateToken(file: string): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, token, { mode: 0o600 });
  return token;
}

/**
 * The demo's reference gateway, in the launcher's process: SQLite under `<dataDir>/gateway`, the
 * site's demo roster (copied there on first start, so changes made with `officer add` stay out
 * of the repository), the fleet dashboard with an administrator password generated at first
 * start, and this kiosk's enrolment token. A busy port is an error, never a silent move.
 */
export async function startEmbeddedGateway(options: {
  dataDir: string;
  kioskId: string;
  host: string;
  port: number;
  rosterTemplate?: string;
  /** Make and print a new administrator password even if one is set. */
  resetAdminPassword?: boolean;
}): Promise<EmbeddedGateway> {
  const dir = path.join(options.dataDir, 'gateway');
  mkdirSync(dir, { recursive: true });
  const rosterFile = path.join(dir, 'roster.json');
  if (!existsSync(rosterFile) && options.rosterTemplate) {
    copyFileSync(options.rosterTemplate, rosterFile);
  }
  // A broken roster stops the start with its reason, not the first kiosk's config request.
  readRosterFile(rosterFile);
  const enrolmentToken = readOrCreateToken(path.join(options.dataDir, 'enrolment-token'));

  const store = await openGatewayStore({ sqliteFile: path.join(dir, 'gateway.sqlite') });
  let app: FastifyInstance | undefined;
  try {
    await store.addEnrolmentToken(options.kioskId, hashToken(enrolmentToken));
    let newAdminPassword: string | undefined;
    if (options.resetAdminPassword || !(await store.getSetting(ADMIN_PASSWORD_SETTING))) {
      newAdminPassword = generateAdminPassword();
      await setAdminPassword(store, newAdminPassword);
    }
    app = await buildGateway({
      store,
      // Read on every config request: an officer added to the file reaches the kiosk at its
      // next config check without a restart.
      kioskConfig: async () => ({ roster: readRosterFile(rosterFile) }),
    });
    await registerDashboard(app, { store });
    try {
      await app.listen({ port: options.port, host: options.host });
    } catch (error) {
      throw listenError(
        error,
        'the embedded gateway',
        options.port,
        'Stop the other program (another `npm start`?), or give this kiosk another gateway port: ' +
          `SERVICE_POINT_GATEWAY_URL=http://127.0.0.1:<port> npm start`,
      );
    }
    const running = app;
    const address = running.server.address();
    const port = address && typeof address === 'object' ? address.port : options.port;
    return {
      url: `http://${options.host}:${port}`,
      dir,
      rosterFile,
      enrolmentToken,
      ...(newAdminPassword ? { newAdminPassword } : {}),
      async close() {
        await running.close();
        await store.close();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
