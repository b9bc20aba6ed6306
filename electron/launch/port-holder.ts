import { readFileSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';

/** The process that listens on a TCP port, as Linux's /proc shows it. */
export interface PortHolder {
  pid: number;
  /** Its command line, arguments joined by spaces, at most 160 characters. */
  command: string;
  /**
   * Whether it is a Service Point launcher or gateway: `npm start` or `npm run gateway` from a
   * checkout, or the packaged kiosk (`service-point`).
   */
  servicePoint: boolean;
}

/** TCP state LISTEN in /proc/net/tcp (include/net/tcp_states.h: TCP_LISTEN = 10). */
const LISTEN = '0A';

/**
 * The socket inodes listening on `port`, from /proc/net/tcp and tcp6 (proc(5): one line per
 * socket; `local_address` is `ADDR:PORT` in hex, `st` the state, the tenth column the inode).
 */
function listeningInodes(procRoot: string, port: number): Set<string> {
  const inodes = new Set<string>();
  const wanted = port.toString(16).toUpperCase().padStart(4, '0');
  for (const table of ['tcp', 'tcp6']) {
    let text: string;
    try {
      text = readFileSync(path.join(procRoot, 'net', table), 'utf8');
    } catch {
      continue;
    }
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/);
      if (columns.length < 10) continue;
      const localPort = columns[1]?.split(':')[1];
      if (localPort === wanted && columns[3] === LISTEN && columns[9] !== '0') {
        inodes.add(columns[9] as string);
      }
    }
  }
  return inodes;
}

/**
 * Which process listens on `port` (TCP, any address), for a clear "port busy" message: the first
 * process whose open files (`/proc/<pid>/fd`) include one of the port's listening sockets. Linux
 * only; `undefined` when /proc is missing, the socket belongs to another network namespace, or
 * the holder's files may not be read (another user's process, without root). Synchronous and
 * only for the error path: it reads every process's file table.
 */
export function findPortHolder(port: number, procRoot = '/proc'): PortHolder | undefined {
  const inodes = listeningInodes(procRoot, port);
  if (inodes.size === 0) return undefined;
  const targets = new Set([...inodes].map((inode) => `socket:[${inode}]`));
  let pids: string[];
  try {
    pids = readdirSync(procRoot).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(path.join(procRoot, pid, 'fd'));
    } catch {
      continue;
    }
    for (const fd of fds) {
      let target: string;
      try {
        target = readlinkSync(path.join(procRoot, pid, 'fd', fd));
      } catch {
        continue;
      }
      if (targets.has(target)) return describe(procRoot, Number(pid));
    }
  }
  return undefined;
}

function describe(procRoot: string, pid: number): PortHolder {
  let args: string[] = [];
  try {
    args = readFileSync(path.join(procRoot, String(pid), 'cmdline'), 'utf8')
      .split('\0')
      .filter(Boolean);
  } catch {
    // The process ended meanwhile, or may not be read: the pid alone still helps.
  }
  const command = args.join(' ');
  // `npm start` / `npm run gateway` from a checkout, or the packaged app (electron-builder.yml's
  // executableName), by its program's name.
  const servicePoint =
    /dist\/(launch|gateway)\/|build\/scripts\/(start|gateway)\.mjs/.test(command) ||
    path.basename(args[0] ?? '') === 'service-point';
  return {
    pid,
    command: command.length > 160 ? `${command.slice(0, 157)}...` : command,
    servicePoint,
  };
}
