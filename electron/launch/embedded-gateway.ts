import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildGateway, closeGateway, hashToken } from '../../sync/server/app';
import { ADMIN_PASSWORD_SETTING, setAdminPassword } from '../../sync/server/dashboard/admin-auth';
import { registerDashboard } from '../../sync/server/dashboard/routes';
import { readRosterFile } from '../../sync/server/roster';
import { openGatewayStore } from '../../sync/server/db/gateway-store';
import { registerSmsAlerts } from '../../sync/server/sms/sms-service';
import { startDemoSmsc } from '../../sync/server/sms/sms-settings';
import type { LocalSmsc } from '../../sync/server/sms/local-smsc';
import { prepareEmbeddedGateway } from './gateway-setup';
import { listenError } from './launch-error';
import type { PortReservation } from './port-reservation';

export interface EmbeddedGateway {
  url: string;
  /** The gateway's data folder (SQLite file, roster). */
  dir: string;
  /** The roster file it serves; `npm run gateway -- officer add --roster <this>` changes it. */
  rosterFile: string;
  /** The kiosk's one-time enrolment token (kept in the kiosk's data folder). */
  enrolmentToken: string;
  /** Where the demo's local SMS centre writes each SMS alert it gets (one JSON line each). */
  smsOutbox: string;
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

/**
 * The demo's reference gateway, in the launcher's process: SQLite under `<dataDir>/gateway`, the
 * site's demo roster (copied there on first start, so changes made with `officer add` stay out
 * of the repository; gateway-setup.ts), the fleet dashboard with an administrator password
 * generated at first start, and this kiosk's enrolment token. A busy port is an error, never a
 * silent move. `npm start` loads this module (its own chunk: Fastify, Kysely, SQLite, SMPP…)
 * while Chromium starts, holding the port from the start (`portReservation`, released right
 * before the gateway listens).
 */
export async function startEmbeddedGateway(options: {
  dataDir: string;
  kioskId: string;
  host: string;
  port: number;
  rosterTemplate?: string;
  /** Make and print a new administrator password even if one is set. */
  resetAdminPassword?: boolean;
  /** The port, held since the launcher started (port-reservation.ts); freed just before listen. */
  portReservation?: PortReservation;
}): Promise<EmbeddedGateway> {
  const { dir, rosterFile, enrolmentToken } = prepareEmbeddedGateway(options);

  const store = await openGatewayStore({ sqliteFile: path.join(dir, 'gateway.sqlite') });
  let app: FastifyInstance | undefined;
  let smsc: LocalSmsc | undefined;
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
    // SMS alerts go to a local SMS centre in this process: no phone gets them (sync/server/sms).
    const demoSms = await startDemoSmsc(dir, { sourceAddr: 'ServicePt', ratePerSecond: 10 });
    smsc = demoSms.smsc;
    await registerSmsAlerts(app, { store, smsc: demoSms.config });
    await registerDashboard(app, { store });
    try {
      await options.portReservation?.release();
      await app.listen({ port: options.port, host: options.host });
      // Kiosk pages that connected while the gateway loaded get their answers now.
      options.portReservation?.handOver(app.server);
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
    const runningSmsc = smsc;
    const address = running.server.address();
    const port = address && typeof address === 'object' ? address.port : options.port;
    return {
      url: `http://${options.host}:${port}`,
      dir,
      rosterFile,
      enrolmentToken,
      smsOutbox: demoSms.logFile,
      ...(newAdminPassword ? { newAdminPassword } : {}),
      async close() {
        // The kiosk is stopping: a batch in flight gets two seconds, then its page's open
        // connections (preconnected sockets among them) are cut rather than waited for.
        await closeGateway(running, { graceMs: 2_000 });
        await runningSmsc.close();
        await store.close();
      },
    };
  } catch (error) {
    await options.portReservation?.release();
    options.portReservation?.dropHeld();
    await app?.close().catch(() => undefined);
    await smsc?.close().catch(() => undefined);
    await store.close().catch(() => undefined);
    throw error;
  }
}
