import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LaunchError, listenError } from '../../../../electron/launch/launch-error';
import { findPortHolder } from '../../../../electron/launch/port-holder';

const servers: Server[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((done) => server.close(done));
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function listen(host: string): Promise<number> {
  const server = createServer();
  servers.push(server);
  return new Promise((resolve) =>
    server.listen(0, host, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    }),
  );
}

/** A /proc with one process (pid 4242, the given command line) listening on one IPv6 socket. */
function fakeProc(port: number, cmdline: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'sp-proc-'));
  folders.push(root);
  mkdirSync(path.join(root, 'net'));
  const header =
    '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n';
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  writeFileSync(path.join(root, 'net', 'tcp'), header);
  writeFileSync(
    path.join(root, 'net', 'tcp6'),
    header +
      // An established connection from the port (state 01) must not count, only the listener.
      `   0: 00000000000000000000000001000000:${hexPort} 00000000000000000000000001000000:D431 01 00000000:00000000 00:00000000 00000000  1000        0 777 1 0000000000000000 20 4 30 10 -1\n` +
      `   1: 00000000000000000000000000000000:${hexPort} 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 98765 1 0000000000000000 100 0 0 10 0\n`,
  );
  for (const [pid, inode] of [
    ['17', '777'],
    ['4242', '98765'],
  ] as const) {
    mkdirSync(path.join(root, pid, 'fd'), { recursive: true });
    symlinkSync(`socket:[${inode}]`, path.join(root, pid, 'fd', '3'));
    symlinkSync('/dev/null', path.join(root, pid, 'fd', '0'));
  }
  writeFileSync(path.join(root, '17', 'cmdline'), 'curl\0http://127.0.0.1\0');
  writeFileSync(path.join(root, '4242', 'cmdline'), `${cmdline.join('\0')}\0`);
  return root;
}

describe('the process holding a port (/proc)', () => {
  it('finds this process as the holder of a port it listens on, IPv4 or IPv6', async () => {
    for (const host of ['127.0.0.1', '::1']) {
      const port = await listen(host);
      const holder = findPortHolder(port);
      expect(holder?.pid).toBe(process.pid);
      expect(holder?.command).toMatch(/node/);
      expect(holder?.servicePoint).toBe(false);
    }
  });

  it('finds nobody on a free port', async () => {
    const port = await listen('127.0.0.1');
    await new Promise((done) => servers.pop()?.close(done));
    expect(findPortHolder(port)).toBeUndefined();
  });

  it('reads the listening socket only, and knows an earlier Service Point by its command line', () => {
    const start = fakeProc(8787, ['node', '/srv/service-point/build/scripts/start.mjs']);
    expect(findPortHolder(8787, start)).toEqual({
      pid: 4242,
      command: 'node /srv/service-point/build/scripts/start.mjs',
      servicePoint: true,
    });
    expect(findPortHolder(8788, start)).toBeUndefined();
    const gateway = fakeProc(8787, ['node', '/opt/sp/dist/gateway/main.mjs', '--port', '8787']);
    expect(findPortHolder(8787, gateway)?.servicePoint).toBe(true);
    const packaged = fakeProc(8787, ['/opt/Service Point/service-point', '--no-sandbox']);
    expect(findPortHolder(8787, packaged)?.servicePoint).toBe(true);
    const other = fakeProc(8787, ['python3', '-m', 'http.server', 'x'.repeat(300)]);
    const holder = findPortHolder(8787, other);
    expect(holder?.servicePoint).toBe(false);
    expect(holder?.command).toHaveLength(160);
    expect(findPortHolder(8787, path.join(other, 'missing'))).toBeUndefined();
  });
});

describe('a busy port, in words', () => {
  const busy = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
  const hint = 'Or choose another port: SERVICE_POINT_PORT=<port> npm start';

  it('tells the operator to stop an earlier Service Point, by its process number', () => {
    const error = listenError(busy, 'the kiosk page', 4780, hint, () => ({
      pid: 4242,
      command: 'node /srv/sp/build/scripts/start.mjs',
      servicePoint: true,
    }));
    expect(error).toBeInstanceOf(LaunchError);
    expect(error.message).toBe(
      'port 4780 (the kiosk page) is busy: an earlier Service Point is still running there ' +
        '(process 4242: node /srv/sp/build/scripts/start.mjs). Stop it first: kill 4242',
    );
  });

  it('names any other holder, or none, and keeps the hint', () => {
    const other = listenError(busy, 'the kiosk page', 4780, hint, () => ({
      pid: 99,
      command: 'python3 -m http.server 4780',
      servicePoint: false,
    }));
    expect(other.message).toBe(
      `port 4780 (the kiosk page) is busy: process 99 listens there (python3 -m http.server 4780). ${hint}`,
    );
    const unknown = listenError(busy, 'the kiosk page', 4780, hint, () => undefined);
    expect(unknown.message).toBe(
      `port 4780 (the kiosk page) is busy: another program listens there. ${hint}`,
    );
    const denied = Object.assign(new Error('listen EACCES'), { code: 'EACCES' });
    expect(listenError(denied, 'the kiosk page', 80, hint, () => undefined).message).toBe(
      `port 80 (the kiosk page) may not be used by this user. ${hint}`,
    );
  });
});
