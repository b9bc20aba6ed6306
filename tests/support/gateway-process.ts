import { execFileSync, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureGatewayBundle } from '../../build/scripts/gateway-bundle.mjs';

const repoRoot = fileURLToPath(new URL('../../', import.meta.url));

let commandOnce: Promise<[node: string, bundle: string]> | undefined;

/**
 * The reference gateway's command line as `npm run gateway` runs it: plain Node on its esbuild
 * bundle (dist/gateway/main.mjs, build/scripts/gateway-bundle.mjs), built when a source changed
 * (vitest's global set-up builds it once before the tests). Append the gateway's arguments.
 * Compiling every module with tsx instead took about 2 s of CPU on each start.
 */
export function gatewayCommand(): Promise<[node: string, bundle: string]> {
  // Checked once per test process: the check hashes the bundle's ~200 source files, and the
  // proof suite restarts its gateway many times. Sources do not change during a test run.
  commandOnce ??= ensureGatewayBundle(repoRoot).then(
    (bundle): [string, string] => [process.execPath, bundle.file],
    (error: unknown) => {
      commandOnce = undefined; // a failed build is tried again by the next caller
      throw error;
    },
  );
  return commandOnce;
}

/**
 * Runs one gateway command (`npm run gateway -- agency add …`) to its end on this machine's
 * SQLite files (a DATABASE_URL in the environment, as CI's, is dropped): its exit code and
 * everything it printed, stdout then stderr.
 */
export function runGatewayCli(
  command: readonly [string, string],
  args: string[],
  input?: string,
): { code: number; out: string } {
  try {
    const out = execFileSync(command[0], [command[1], ...args], {
      cwd: repoRoot,
      encoding: 'utf8',
      env: { ...process.env, DATABASE_URL: '' },
      ...(input !== undefined ? { input } : {}),
    });
    return { code: 0, out };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { code: e.status, out: `${e.stdout}${e.stderr}` };
  }
}

export interface GatewayProcess {
  url: string;
  port: number;
  readonly child: ChildProcess;
  /** SIGKILL, as a crash: no shutdown hook runs. Resolves when the process is gone. */
  kill(): Promise<void>;
  /** Starts the gateway again on the same port and data directory (`args` replaces the first). */
  restart(args?: string[]): Promise<void>;
  /** Resolves with the exit signal or code when the process ends by itself. */
  exited(): Promise<string>;
  stop(): Promise<void>;
}

export interface GatewayProcessOptions {
  dataDir: string;
  tokens?: Array<{ kioskId: string; token: string }>;
  args?: string[];
  port?: number;
}

/**
 * Spawns the gateway (gatewayCommand) with these CLI arguments and resolves once it prints the
 * address it listens on. `prefix` runs it through another command (the bench's `ip netns exec <ns>`).
 * DATABASE_URL is dropped unless given, so a test's gateway is the SQLite file it names.
 */
export async function launchGatewayChild(
  cliArgs: string[],
  options: { prefix?: string[]; databaseUrl?: string; timeoutMs?: number } = {},
): Promise<{ child: ChildProcess; url: string }> {
  const [node, bundle] = await gatewayCommand();
  const nodeArgs = [bundle, ...cliArgs];
  const env = { ...process.env };
  delete env.DATABASE_URL;
  if (options.databaseUrl) env.DATABASE_URL = options.databaseUrl;
  const [command, ...args] = options.prefix
    ? [...options.prefix, node, ...nodeArgs]
    : [node, ...nodeArgs];
  const child = spawn(command ?? node, args, {
    cwd: repoRoot,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(
      () => reject(new Error(`gateway did not start: ${err}`)),
      options.timeoutMs ?? 20_000,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /gateway listening on (http:\/\/[^\s]+)/.exec(out);
      if (match?.[1]) {
        clearTimeout(timer);
        resolve({ child, url: match[1] });
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

function spawnGateway(
  options: GatewayProcessOptions,
  port: number,
  extraArgs: string[],
): Promise<{ child: ChildProcess; url: string }> {
  return launchGatewayChild([
    '--port',
    String(port),
    '--data',
    options.dataDir,
    ...(options.tokens ?? []).flatMap((t) => ['--enrol-token', `${t.kioskId}:${t.token}`]),
    ...(options.args ?? []),
    ...extraArgs,
  ]);
}

/** The gateway as a real child process, as `npm run gateway` runs it (gatewayCommand). */
export async function startGatewayProcess(options: GatewayProcessOptions): Promise<GatewayProcess> {
  let { child, url } = await spawnGateway(options, options.port ?? 0, []);
  const port = Number(new URL(url).port);
  const gone = (proc: ChildProcess): Promise<string> =>
    proc.exitCode !== null || proc.signalCode !== null
      ? Promise.resolve(String(proc.signalCode ?? proc.exitCode))
      : new Promise((resolve) =>
          proc.once('exit', (code, signal) => resolve(String(signal ?? code))),
        );
  const handle: GatewayProcess = {
    get url() {
      return url;
    },
    port,
    get child() {
      return child;
    },
    async kill() {
      const done = gone(child);
      child.kill('SIGKILL');
      await done;
    },
    async restart(args) {
      if (child.exitCode === null && child.signalCode === null) await handle.kill();
      ({ child, url } = await spawnGateway(
        { ...options, tokens: [], args: args ?? options.args },
        port,
        [],
      ));
    },
    exited: () => gone(child),
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const done = gone(child);
      child.kill('SIGTERM');
      await done;
    },
  };
  return handle;
}
