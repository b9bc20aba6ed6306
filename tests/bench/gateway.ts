import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

export interface BenchGateway {
  url: string;
  host: string;
  port: number;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * The real gateway (`sync/server/main.ts`) as a child process, optionally inside a network
 * namespace (`prefix` = `ip netns exec <ns>`), bound to `host`.
 */
export function startBenchGateway(options: {
  dataDir: string;
  host: string;
  tokens: Array<{ kioskId: string; token: string }>;
  prefix?: string[];
  databaseUrl?: string;
}): Promise<BenchGateway> {
  const nodeArgs = [
    '--import',
    'tsx',
    'sync/server/main.ts',
    '--port',
    '0',
    '--host',
    options.host,
    '--data',
    options.dataDir,
    ...options.tokens.flatMap((t) => ['--enrol-token', `${t.kioskId}:${t.token}`]),
  ];
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const [command, ...args] = options.prefix
    ? [...options.prefix, process.execPath, ...nodeArgs]
    : [process.execPath, ...nodeArgs];
  const child = spawn(command ?? process.execPath, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`gateway did not start: ${err}`)), 30_000);
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /gateway listening on (http:\/\/[^\s]+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        const url = new URL(match[1]);
        resolve({
          url: match[1],
          host: url.hostname,
          port: Number(url.port),
          child,
          stop: () =>
            new Promise<void>((done) => {
              if (child.exitCode !== null || child.signalCode !== null) return done();
              child.once('exit', () => done());
              child.kill('SIGTERM');
            }),
        });
      }
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`gateway exited (${String(code)}) before listening: ${err}`));
    });
  });
}
