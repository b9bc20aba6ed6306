import { execFileSync } from 'node:child_process';
import net from 'node:net';
import type { AddressInfo, Socket } from 'node:net';

/** The emulated government link the drain benchmark runs over. */
export interface LinkSettings {
  rateKbit: number;
  rttMs: number;
  /** Share of HTTP exchanges whose connection is reset part-way through the request. */
  resetRate: number;
}

/** A named link the bench drains over; `id` prefixes its figures in bench.json. */
export interface LinkProfile extends LinkSettings {
  id: string;
  label: string;
}

/** The government WAN to an urban or district site. */
export const governmentLink: LinkProfile = {
  id: 'wan',
  label: 'government WAN',
  rateKbit: 256,
  rttMs: 300,
  resetRate: 0.02,
};

/** A rural site on GPRS/EDGE or VSAT: thinner, longer and less reliable. */
export const thinLink: LinkProfile = {
  id: 'thin',
  label: 'rural GPRS/EDGE or VSAT',
  rateKbit: 64,
  rttMs: 800,
  resetRate: 0.05,
};

/** Where the bandwidth limit lives: the kernel (tbf on a veth pair) or the proxy's token bucket. */
export type Shaper = 'tbf' | 'proxy-token-bucket';

export interface Namespace {
  name: string;
  /** The gateway listens here, inside the namespace; traffic to it crosses the shaped veth. */
  address: string;
  /** Prefix for commands run inside the namespace. */
  exec: string[];
  /**
   * Bytes the shaped link has carried towards the gateway (the kernel's count on the host end:
   * IP and TCP headers and retransmitted segments included).
   */
  carriedUp(): number;
  teardown(): void;
}

function run(args: string[]): void {
  execFileSync(args[0] ?? 'true', args.slice(1), { stdio: 'pipe' });
}

/**
 * A network namespace joined to this one by a veth pair, with a `tbf` qdisc on both ends, so each
 * direction is limited to `rateKbit` by the kernel. Needs root and iproute2; returns undefined
 * (and the proxy's token bucket is used instead) when either is missing or tbf is refused.
 */
export function createShapedNamespace(settings: LinkSettings): Namespace | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const tag = String(process.pid % 10_000);
  const name = `spbench${tag}`;
  const hostIf = `spb${tag}a`;
  const nsIf = `spb${tag}b`;
  const octet = process.pid % 250;
  const hostAddr = `10.231.${octet}.1`;
  const nsAddr = `10.231.${octet}.2`;
  // A bucket of one full packet: a serial line sends nothing faster than its rate, so even a
  // small request after an idle spell takes its bytes/rate (a deeper bucket would let a 3 KB
  // request through free). The queue holds half a second of traffic, and at least eight full
  // packets on a thin link, before it drops.
  const queueMs = Math.max(500, Math.ceil((8 * 1600 * 8) / settings.rateKbit));
  const tbf = [
    'tbf',
    'rate',
    `${settings.rateKbit}kbit`,
    'burst',
    '1600',
    'latency',
    `${queueMs}ms`,
  ];
  const teardown = (): void => {
    try {
      run(['ip', 'netns', 'del', name]);
    } catch {
      // already gone
    }
    try {
      run(['ip', 'link', 'del', hostIf]);
    } catch {
      // removed with the namespace
    }
  };
  try {
    teardown();
    run(['ip', 'netns', 'add', name]);
    run(['ip', 'link', 'add', hostIf, 'type', 'veth', 'peer', 'name', nsIf]);
    run(['ip', 'link', 'set', nsIf, 'netns', name]);
    run(['ip', 'addr', 'add', `${hostAddr}/30`, 'dev', hostIf]);
    run(['ip', 'link', 'set', hostIf, 'up']);
    run(['ip', 'netns', 'exec', name, 'ip', 'addr', 'add', `${nsAddr}/30`, 'dev', nsIf]);
    run(['ip', 'netns', 'exec', name, 'ip', 'link', 'set', nsIf, 'up']);
    run(['ip', 'netns', 'exec', name, 'ip', 'link', 'set', 'lo', 'up']);
    run(['tc', 'qdisc', 'add', 'dev', hostIf, 'root', ...tbf]);
    run(['ip', 'netns', 'exec', name, 'tc', 'qdisc', 'add', 'dev', nsIf, 'root', ...tbf]);
  } catch {
    teardown();
    return undefined;
  }
  const carriedUp = (): number => {
    const stats = execFileSync('tc', ['-s', 'qdisc', 'show', 'dev', hostIf], { encoding: 'utf8' });
    const sent = /Sent (\d+) bytes/.exec(stats)?.[1];
    if (sent === undefined) throw new Error(`no byte count for ${hostIf} in: ${stats}`);
    return Number(sent);
  };
  return { name, address: nsAddr, exec: ['ip', 'netns', 'exec', name], carriedUp, teardown };
}

export interface LinkCounters {
  /** Bytes the client sent (requests), as TCP payload. */
  up: number;
  /** Bytes the client received (replies). */
  down: number;
  connections: number;
  requests: number;
  resets: number;
  /** Request bytes lost to resets (sent, then thrown away with the connection). */
  wasted: number;
}

export interface LinkProxy {
  url: string;
  counters(): LinkCounters;
  close(): Promise<void>;
}

export interface LinkProxyOptions {
  upstreamHost: string;
  upstreamPort: number;
  settings: LinkSettings;
  /** Limit bandwidth here (when the kernel cannot); otherwise only delay and resets. */
  tokenBucket: boolean;
  random: () => number;
}

/** Serialises chunks through one direction of the link: bandwidth (optional) then delay. */
class Direction {
  #nextFree = 0;
  #lastDue = 0;
  constructor(
    readonly delayMs: number,
    readonly bytesPerMs: number | undefined,
  ) {}
  /** When a chunk of `bytes` handed over now reaches the far end (never before an earlier one). */
  due(bytes: number, now: number): number {
    let leaves = now;
    if (this.bytesPerMs) {
      const start = Math.max(now, this.#nextFree);
      this.#nextFree = start + bytes / this.bytesPerMs;
      leaves = this.#nextFree;
    }
    this.#lastDue = Math.max(this.#lastDue, leaves + this.delayMs);
    return this.#lastDue;
  }
}

/**
 * Actions run at their due times (performance.now() ms), in the order they were queued: an
 * action never runs before one queued ahead of it, even if its own due time is earlier.
 */
function orderedQueue(): { at(due: number, action: () => void): void } {
  const queue: Array<{ due: number; action: () => void }> = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    timer = undefined;
    while (queue.length > 0 && (queue[0]?.due ?? 0) <= performance.now() + 0.5) {
      queue.shift()?.action();
    }
    const head = queue[0];
    if (head) timer = setTimeout(run, Math.max(0, head.due - performance.now()));
  };
  return {
    at(due, action) {
      const last = queue[queue.length - 1];
      queue.push({ due: Math.max(due, last?.due ?? due), action });
      if (!timer) timer = setTimeout(run, Math.max(0, (queue[0]?.due ?? due) - performance.now()));
    },
  };
}

/**
 * A TCP proxy on 127.0.0.1 that plays the long part of the link: half the round trip each way,
 * one extra round trip before a new connection carries data (the TCP handshake), and resets.
 * It sees HTTP/1.1 exchanges (a request starts when the client sends after a reply began) and
 * resets `resetRate` of them at a random byte of the request, headers and body alike.
 */
export async function startLinkProxy(options: LinkProxyOptions): Promise<LinkProxy> {
  const { settings, random } = options;
  const half = settings.rttMs / 2;
  const bytesPerMs = options.tokenBucket ? (settings.rateKbit * 1000) / 8 / 1000 : undefined;
  // One shared pipe per direction: every connection competes for the same link.
  const upLink = new Direction(half, bytesPerMs);
  const downLink = new Direction(half, bytesPerMs);
  const counters: LinkCounters = {
    up: 0,
    down: 0,
    connections: 0,
    requests: 0,
    resets: 0,
    wasted: 0,
  };
  const sockets = new Set<Socket>();

  const server = net.createServer((client) => {
    counters.connections += 1;
    sockets.add(client);
    const upstream = net.connect(options.upstreamPort, options.upstreamHost);
    sockets.add(upstream);
    upstream.setNoDelay(true);
    client.setNoDelay(true);
    let dead = false;
    let firstData = true;
    let expectingRequest = true;
    let requestBytes = 0;
    let resetAt: number | undefined;
    const kill = (): void => {
      if (dead) return;
      dead = true;
      client.resetAndDestroy();
      upstream.resetAndDestroy();
    };
    // One queue per direction of this connection, run in order: two timers with nearly the same
    // due time may fire out of order (Node keys timers by their loop-start time), and a new
    // connection's first chunk waits a handshake longer than the chunks after it, so separate
    // timers would put a request's bytes on the wire out of order.
    const upQueue = orderedQueue();
    const downQueue = orderedQueue();

    client.on('data', (chunk: Buffer) => {
      if (dead || resetAt === -1) return;
      const now = performance.now();
      if (expectingRequest) {
        expectingRequest = false;
        counters.requests += 1;
        requestBytes = 0;
        resetAt = undefined;
        if (random() < settings.resetRate) {
          const head = chunk.toString('latin1');
          const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
          const headerEnd = head.indexOf('\r\n\r\n');
          const total = (headerEnd >= 0 ? headerEnd + 4 : chunk.length) + Number(length?.[1] ?? 0);
          resetAt = Math.floor(random() * total);
        }
      }
      let piece = chunk;
      let resetHere = false;
      if (resetAt !== undefined && requestBytes + chunk.length > resetAt) {
        piece = chunk.subarray(0, resetAt - requestBytes);
        resetHere = true;
      }
      requestBytes += piece.length;
      counters.up += piece.length;
      // A new connection's first bytes wait one more round trip: the handshake.
      const extra = firstData ? settings.rttMs : 0;
      firstData = false;
      const due = upLink.due(piece.length, now) + extra;
      if (piece.length > 0) upQueue.at(due, () => !dead && upstream.write(piece));
      if (resetHere) {
        resetAt = -1;
        counters.resets += 1;
        counters.wasted += requestBytes;
        upQueue.at(due, kill);
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (dead) return;
      expectingRequest = true;
      counters.down += chunk.length;
      downQueue.at(
        downLink.due(chunk.length, performance.now()),
        () => !dead && client.write(chunk),
      );
    });
    const endBoth = (): void => {
      const due = Math.max(upLink.due(0, performance.now()), downLink.due(0, performance.now()));
      // After everything already queued either way has gone.
      let pending = 2;
      const close = (): void => {
        pending -= 1;
        if (pending > 0 || dead) return;
        dead = true;
        client.destroy();
        upstream.destroy();
      };
      upQueue.at(due, close);
      downQueue.at(due, close);
    };
    client.on('end', endBoth);
    upstream.on('end', endBoth);
    client.on('error', kill);
    upstream.on('error', kill);
    client.on('close', () => sockets.delete(client));
    upstream.on('close', () => sockets.delete(upstream));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counters: () => ({ ...counters }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
