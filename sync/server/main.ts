import path from 'node:path';
import { parseArgs } from 'node:util';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { enrolmentFileSchema } from '../protocol/enrolment-file';
import { buildGateway, closeGateway, hashToken } from './app';
import { agencyAdminCommand, agencyHelp, agencyToolCommand } from './agency/cli';
import { describeImport, importBundle } from './bundle-import';
import { setAdminPassword } from './dashboard/admin-auth';
import { registerDashboard } from './dashboard/routes';
import { shippedCatalogues } from './dashboard/dashboard-data';
import { addOfficer, deactivateOfficer, readRosterFile, rosterStartWarning } from './roster';
import { loadOrCreateSealingKey } from './sealing-key';
import { openGatewayStore } from './db/gateway-store';
import type { GatewayStore } from './store';
import { registerSmsAlerts } from './sms/sms-service';
import { smsHelp, smscConfigFrom, startDemoSmsc } from './sms/sms-settings';
import type { LocalSmsc } from './sms/local-smsc';
import type { SmscConfig } from './sms/smpp-link';

const gatewayHelp = `Service Point reference gateway (sync protocol v1)

Usage: npm run gateway -- [options]

Options:
  --port <n>                 TCP port to listen on (default 8787; 0 picks a free port)
  --host <addr>              address to bind (default 127.0.0.1)
  --data <dir>               data directory; the SQLite file is <dir>/gateway.sqlite
                             (default ./.kiosk-data/gateway; not used with PostgreSQL)
  --database-url <url>       use PostgreSQL at this URL instead of SQLite
                             (default: the DATABASE_URL environment variable, if set)
  --enrol-token <kiosk:tok>  register a one-time enrolment token for a kiosk id (repeatable;
                             it shows in \`ps\`: prefer the enrol command below)
  --log                      log every request as JSON lines (refused requests are logged
                             as warnings with their reason)
  --request-timeout <s>      longest a client may take to send one request (default 60);
                             bounds slow-loris clients
  --exit-after-commit <n>    testing only: kill this process (SIGKILL) right after the n-th
                             batch is committed and before its reply is sent
  --roster <file>            officer roster (JSON, see below) served to kiosks in their config
  --admin-password-file <f>  set the fleet dashboard's administrator password from this file
                             (first line; kept only as an scrypt hash in the gateway's settings)
  --country <BZ|BW>          the country this gateway serves: its catalogue names the services
                             and their decision targets on the dashboard (default: both,
                             Belize's first where a service is in both)
  --webhook-retry-base <s>   first retry of a failed agency webhook after about this many
                             seconds (default 5; doubles per attempt, at most 6 hours)
${smsHelp}  --help                     show this help

Commands:
  npm run gateway -- import <file> [--data <dir> | --database-url <url>]
                             import a USB bundle (.spbundle) made by a kiosk; importing the same
                             bundle twice, or after its records arrived by sync, adds nothing
  npm run gateway -- enrol --kiosk <kioskId> --url <gateway URL> --out <file>
                             [--data <dir> | --database-url <url>]
                             register a new one-time enrolment token for a kiosk and write the
                             enrolment file (mode 0600) that the kiosk's site profile names in
                             "enrolmentFile"; --url is the address kiosks reach this gateway at
  npm run gateway -- officer add --roster <file> --id <8 digits> --name <name> --pin <digits>
                             [--card <card number>] [--site <kioskId>]...
                             add an officer (or replace their PIN); the PIN is stored as a
                             PBKDF2-SHA-256 hash; kiosks receive it at their next config check
  npm run gateway -- officer remove --roster <file> --id <8 digits>
                             mark an officer inactive (kiosks refuse their sign-in)
${agencyHelp}
The fleet dashboard is at /admin (see the README, Roles). The agency interface is under
/agency/v1 (described at /agency/v1/openapi.json; see the README, Agencies).

Environment:
  DATABASE_URL               PostgreSQL connection string (postgres://user:pass@host/db)

On start it prints one line: "gateway listening on <url> (<store>)".
`;

export async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string', default: path.join('.kiosk-data', 'gateway') },
      'database-url': { type: 'string' },
      'enrol-token': { type: 'string', multiple: true, default: [] },
      log: { type: 'boolean', default: false },
      'exit-after-commit': { type: 'string' },
      'request-timeout': { type: 'string', default: '60' },
      help: { type: 'boolean', default: false },
      roster: { type: 'string' },
      'admin-password-file': { type: 'string' },
      id: { type: 'string' },
      name: { type: 'string' },
      pin: { type: 'string' },
      card: { type: 'string' },
      site: { type: 'string', multiple: true, default: [] },
      kiosk: { type: 'string' },
      url: { type: 'string' },
      out: { type: 'string' },
      service: { type: 'string', multiple: true, default: [] },
      'public-key': { type: 'string' },
      webhook: { type: 'string' },
      key: { type: 'string' },
      'webhook-retry-base': { type: 'string', default: '5' },
      smsc: { type: 'string' },
      'smsc-system-id': { type: 'string' },
      'smsc-password-file': { type: 'string' },
      'smsc-ca': { type: 'string' },
      'sms-source': { type: 'string' },
      'sms-rate': { type: 'string' },
      'sms-off': { type: 'boolean', default: false },
      country: { type: 'string' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    process.stdout.write(gatewayHelp);
    return;
  }
  if (positionals[0] === 'officer') {
    await officerCommand(positionals[1], values);
    return;
  }
  if (
    positionals[0] === 'agency' &&
    (await agencyToolCommand(positionals[1], values, () => readStdin(), console.log))
  ) {
    return;
  }
  if (positionals.length > 0 && !['import', 'enrol', 'agency'].includes(positionals[0] ?? '')) {
    throw new Error(`unknown command "${positionals[0]}" (see --help)`);
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, got "${values.port}"`);
  }
  let exitAfter: number | undefined;
  if (values['exit-after-commit'] !== undefined) {
    exitAfter = Number(values['exit-after-commit']);
    if (!Number.isInteger(exitAfter) || exitAfter < 1) {
      throw new Error('--exit-after-commit must be a whole number from 1');
    }
  }
  const requestTimeoutSeconds = Number(values['request-timeout']);
  if (!Number.isFinite(requestTimeoutSeconds) || requestTimeoutSeconds <= 0) {
    throw new Error('--request-timeout must be a number of seconds above 0');
  }
  const rosterFile = values.roster;
  // Fail at start, not at a kiosk's first config request, when the roster file is broken.
  if (rosterFile) readRosterFile(rosterFile);
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  let store: GatewayStore;
  let where: string;
  if (databaseUrl) {
    store = await openGatewayStore({ databaseUrl });
    where = `postgres: ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}`;
  } else {
    mkdirSync(values.data, { recursive: true });
    const file = path.join(values.data, 'gateway.sqlite');
    store = await openGatewayStore({ sqliteFile: file });
    where = `sqlite: ${file}`;
  }
  if (positionals[0] === 'enrol') {
    try {
      await enrolCommand(store, values);
    } finally {
      await store.close();
    }
    return;
  }
  if (positionals[0] === 'import') {
    const file = positionals[1];
    if (!file) throw new Error('usage: npm run gateway -- import <file>');
    try {
      const result = await importBundle(
        store,
        await loadOrCreateSealingKey(store),
        readFileSync(file, 'utf8'),
      );
      console.log(describeImport(result));
      process.exitCode = result.ok ? 0 : 2;
    } finally {
      await store.close();
    }
    return;
  }
  if (positionals[0] === 'agency') {
    try {
      await agencyAdminCommand(store, positionals[1], values, console.log);
    } finally {
      await store.close();
    }
    return;
  }
  const webhookRetryBase = Number(values['webhook-retry-base']);
  if (!Number.isFinite(webhookRetryBase) || webhookRetryBase <= 0) {
    throw new Error('--webhook-retry-base must be a number of seconds above 0');
  }
  if (values['admin-password-file']) {
    const password = readFileSync(values['admin-password-file'], 'utf8').split(/\r?\n/)[0] ?? '';
    await setAdminPassword(store, password);
  }
  for (const pair of values['enrol-token']) {
    const split = pair.indexOf(':');
    if (split < 1) throw new Error(`--enrol-token must look like kioskId:token, got "${pair}"`);
    await store.addEnrolmentToken(pair.slice(0, split), hashToken(pair.slice(split + 1)));
  }
  let commits = 0;
  const app = await buildGateway({
    store,
    logger: values.log,
    kioskConfig: async () => ({ roster: rosterFile ? readRosterFile(rosterFile) : [] }),
    requestTimeoutMs: requestTimeoutSeconds * 1000,
    jobs: { webhookRetry: { baseMs: webhookRetryBase * 1000 } },
    afterCommit:
      exitAfter === undefined
        ? undefined
        : () => {
            commits += 1;
            // The batch is durable; dying here is the crash a retry must not duplicate.
            if (commits >= (exitAfter ?? Infinity)) process.kill(process.pid, 'SIGKILL');
            return 'reply';
          },
  });
  let catalogues = shippedCatalogues();
  if (values.country !== undefined) {
    catalogues = catalogues.filter((catalogue) => catalogue.country === values.country);
    if (catalogues.length === 0) throw new Error('--country must be BZ or BW');
  }
  // SMS alerts (README, Sync → SMS alerts): an SMSC over SMPP, or the demo's local one.
  const sms = smscConfigFrom(values);
  let demoSmsc: LocalSmsc | undefined;
  if (sms) {
    let smsc: SmscConfig;
    if (sms.mode === 'demo') {
      mkdirSync(values.data, { recursive: true });
      const demo = await startDemoSmsc(values.data, sms.settings);
      demoSmsc = demo.smsc;
      smsc = demo.config;
      console.log(
        `SMS alerts: local SMS centre (demo, no phone gets them) at ${smsc.url}; ` +
          `messages in ${demo.logFile} (--smsc for a real one, --sms-off for none)`,
      );
    } else {
      smsc = sms.config;
      console.log(`SMS alerts: ${smsc.url} as ${smsc.systemId}, ${smsc.ratePerSecond}/s`);
    }
    await registerSmsAlerts(app, { store, smsc, catalogues });
  }
  await registerDashboard(app, { store, catalogues });
  const address = await app.listen({ port, host: values.host });
  console.log(`gateway listening on ${address} (${where})`);
  // The roster is re-read on every config request, so adding an officer needs no restart.
  const rosterWarning = rosterStartWarning(rosterFile);
  if (rosterWarning) console.warn(`gateway: warning: ${rosterWarning}`);
  // Batches in flight get five seconds to finish; then open connections are cut (a kiosk
  // resends what it did not hear answered: closeGateway).
  const shutdown = (): void => {
    void closeGateway(app, { graceMs: 5_000 })
      .then(() => demoSmsc?.close())
      .then(() => store.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          console.error(`gateway: stopping failed: ${String(error)}`);
          process.exit(1);
        },
      );
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

/** Issues an enrolment file: a new one-time token registered for the kiosk, and where to use it. */
async function enrolCommand(
  store: GatewayStore,
  values: { kiosk?: string; url?: string; out?: string },
): Promise<void> {
  if (!values.kiosk || !values.url || !values.out) {
    throw new Error(
      'usage: npm run gateway -- enrol --kiosk <kioskId> --url <gateway URL> --out <file>',
    );
  }
  const file = enrolmentFileSchema.safeParse({
    kioskId: values.kiosk,
    gatewayUrl: values.url,
    token: randomBytes(24).toString('base64url'),
  });
  if (!file.success) {
    const issue = file.error.issues[0];
    throw new Error(`enrol: ${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
  }
  await store.addEnrolmentToken(file.data.kioskId, hashToken(file.data.token));
  writeFileSync(values.out, `${JSON.stringify(file.data, null, 2)}\n`, { mode: 0o600 });
  console.log(
    `enrolment file for ${file.data.kioskId} at ${file.data.gatewayUrl} written to ${values.out} ` +
      '(one use; keep it private, copy it to the kiosk and name it in its site profile)',
  );
}

async function officerCommand(
  verb: string | undefined,
  values: {
    roster?: string;
    id?: string;
    name?: string;
    pin?: string;
    card?: string;
    site?: string[];
  },
): Promise<void> {
  if (!values.roster) throw new Error('officer commands need --roster <file>');
  if (!values.id) throw new Error('officer commands need --id <8 digits>');
  if (verb === 'add') {
    if (!values.name || !values.pin) throw new Error('officer add needs --name and --pin');
    const entry = await addOfficer(values.roster, {
      officerId: values.id,
      name: values.name,
      pin: values.pin,
      ...(values.card ? { cardId: values.card } : {}),
      sites: values.site ?? [],
    });
    console.log(`officer ${entry.officerId} (${entry.name}) saved in ${values.roster}`);
    return;
  }
  if (verb === 'remove') {
    if (!deactivateOfficer(values.roster, values.id)) {
      throw new Error(`officer ${values.id} is not in ${values.roster}`);
    }
    console.log(`officer ${values.id} marked inactive in ${values.roster}`);
    return;
  }
  throw new Error('usage: npm run gateway -- officer add|remove --roster <file> --id <id> ...');
}

function readStdin(): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    process.stdin.setEncoding('utf8');
    process.stdin.on('data', (chunk: string) => (text += chunk));
    process.stdin.on('end', () => resolve(text));
    process.stdin.on('error', reject);
  });
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`gateway: ${(error as Error).message}`);
  process.exit(1);
});
