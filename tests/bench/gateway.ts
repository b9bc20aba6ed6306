import type { ChildProcess } from 'node:child_process';
import { launchGatewayChild } from '../support/gateway-process';

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
  return launchGatewayChild(
    [
      '--port',
      '0',
      '--host',
      options.host,
      '--data',
      options.dataDir,
      ...options.tokens.flatMap((t) => ['--enrol-token', `${t.kioskId}:${t.token}`]),
    ],
    { prefix: options.prefix, databaseUrl: options.databaseUrl, timeoutMs: 30_000 },
  ).then(({ child, url: address }) => {
    const url = new URL(address);
    return {
      url: address,
      host: url.hostname,
      port: Number(url.port),
      child,
      stop: () =>
        new Promise<void>((done) => {
          if (child.exitCode !== null || child.signalCode !== null) return done();
          child.once('exit', () => done());
          child.kill('SIGTERM');
        }),
    };
  });
}
