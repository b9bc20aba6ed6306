import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildGateway, hashToken } from './app';
import { openPostgresStore } from './postgres-store';
import { openSqliteStore } from './sqlite-store';
import type { GatewayStore } from './store';

const gatewayHelp = `Service Point reference gateway (sync protocol v1)

Usage: npm run gateway -- [options]

Options:
  --port <n>                 TCP port to listen on (default 8787; 0 picks a free port)
  --host <addr>              address to bind (default 127.0.0.1)
  --data <dir>               data directory; the SQLite file is <dir>/gateway.sqlite
                             (default ./.kiosk-data/gateway; not used with PostgreSQL)
  --database-url <url>       use PostgreSQL at this URL instead of SQLite
                             (default: the DATABASE_URL environment variable, if set)
  --enrol-token <kiosk:tok>  register a one-time enrolment token for a kiosk id (repeatable)
  --log                      log every request as JSON lines (refused requests are logged
                             as warnings with their reason)
  --request-timeout <s>      longest a client may take to send one request (default 60);
                             bounds slow-loris clients
  --exit-after-commit <n>    testing only: kill this process (SIGKILL) right after the n-th
                             batch is committed and before its reply is sent
  --help                     show this help

Environment:
  DATABASE_URL               PostgreSQL connection string (postgres://user:pass@host/db)

On start it prints one line: "gateway listening on <url> (<store>)".
`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
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
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(gatewayHelp);
    return;
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
  const databaseUrl = values['database-url'] ?? process.env.DATABASE_URL;
  let store: GatewayStore;
  let where: string;
  if (databaseUrl) {
    store = await openPostgresStore(databaseUrl);
    where = `postgres: ${new URL(databaseUrl).host}${new URL(databaseUrl).pathname}`;
  } else {
    mkdirSync(values.data, { recursive: true });
    const file = path.join(values.data, 'gateway.sqlite');
    store = openSqliteStore(file);
    where = `sqlite: ${file}`;
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
    requestTimeoutMs: requestTimeoutSeconds * 1000,
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
  const address = await app.listen({ port, host: values.host });
  console.log(`gateway listening on ${address} (${where})`);
  const shutdown = (): void => {
    void app
      .close()
      .then(() => store.close())
      .then(() => process.exit(0));
  };
  process.on('SIGINT', shutdown);
  process.on('SIGTERM', shutdown);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`gateway: ${(error as Error).message}`);
  process.exit(1);
});
