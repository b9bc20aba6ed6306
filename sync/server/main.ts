import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildGateway, hashToken } from './app';
import { openSqliteStore } from './sqlite-store';

const help = `Service Point reference gateway (sync protocol v1)

Usage: npm run gateway -- [options]

Options:
  --port <n>                 TCP port to listen on (default 8787; 0 picks a free port)
  --host <addr>              address to bind (default 127.0.0.1)
  --data <dir>               data directory; the SQLite file is <dir>/gateway.sqlite
                             (default ./.kiosk-data/gateway)
  --enrol-token <kiosk:tok>  register a one-time enrolment token for a kiosk id (repeatable)
  --log                      log every request as JSON lines
  --help                     show this help
`;

export async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      port: { type: 'string', default: '8787' },
      host: { type: 'string', default: '127.0.0.1' },
      data: { type: 'string', default: path.join('.kiosk-data', 'gateway') },
      'enrol-token': { type: 'string', multiple: true, default: [] },
      log: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(help);
    return;
  }
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`--port must be a number from 0 to 65535, got "${values.port}"`);
  }
  mkdirSync(values.data, { recursive: true });
  const file = path.join(values.data, 'gateway.sqlite');
  const store = openSqliteStore(file);
  for (const pair of values['enrol-token']) {
    const split = pair.indexOf(':');
    if (split < 1) throw new Error(`--enrol-token must look like kioskId:token, got "${pair}"`);
    await store.addEnrolmentToken(pair.slice(0, split), hashToken(pair.slice(split + 1)));
  }
  const app = await buildGateway({ store, logger: values.log });
  const address = await app.listen({ port, host: values.host });
  console.log(`gateway listening on ${address} (sqlite: ${file})`);
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
