/**
 * The kiosk as it runs in the browser shell, for the browser proof suites: the real gateway (in
 * this process, stoppable on the same port: the link going down and up), the browser-shell host
 * serving the built renderer, and the system Chromium launched by hand with a persistent profile
 * and a DevTools port, so a suite can crash its page (`Page.crash`), SIGKILL the whole browser,
 * and start it again on the same profile.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright';
import type { Browser, BrowserContext, Page } from 'playwright';
import { createBridgeRouter } from '../../sync/bridge/router';
import { startBrowserShellHost } from '../../electron/browser-shell/host';
import type { BrowserShellHost } from '../../electron/browser-shell/host';
import { createFileKeyCustody } from '../../electron/services/key-custody';
import { createKioskServices } from '../../electron/services/kiosk-services';
import { loadKioskConfig } from '../../electron/services/load-config';
import type { Catalogue } from '../../kiosk-config/schema';
import { startInProcessGateway } from '../support/gateway-harness';
import type { InProcessGateway } from '../support/gateway-harness';
import { chromiumPath, testChromiumArgs } from '../support/chromium-args';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const rendererDir = path.join(root, 'dist', 'renderer');

export const chromiumArgs = [
  ...testChromiumArgs,
  '--no-default-browser-check',
  // The soak runs a thousand sessions in one page; a hidden headless page must not be throttled.
  '--disable-background-timer-throttling',
  '--disable-renderer-backgrounding',
];

export interface OutboxSnapshot {
  rows: Array<{
    /** The chain record's kind: `transaction`, or an officer, void or config record. */
    kind: string;
    seq: number;
    txId: string;
    ref: string;
    state: string;
    hash: string;
    prevHash: string;
  }>;
  head: { seq: number; hash: string } | undefined;
}

export interface BrowserKiosk {
  gateway: InProcessGateway;
  host: BrowserShellHost;
  kioskId: string;
  pageUrl: string;
  origin: string;
  profileDir: string;
  page: Page;
  context: BrowserContext;
  /** Set by a suite: runs after the gateway commits a batch and before it replies. */
  afterCommit: (() => Promise<void>) | undefined;
  launch(): Promise<void>;
  /** Opens (or reopens) the kiosk page and waits until it has started. */
  open(): Promise<void>;
  /** SIGKILLs the browser and every process it started. */
  killBrowser(): Promise<void>;
  /** Crashes the page's renderer through the DevTools protocol; resolves when it is gone. */
  crashPage(): Promise<void>;
  /** Sends a DevTools command to the browser target (Storage.* needs it, not the page's). */
  browserCommand(method: string, params: Record<string, unknown>): Promise<unknown>;
  linkDown(): Promise<void>;
  linkUp(): Promise<void>;
  linkIsUp(): boolean;
  outbox(): Promise<OutboxSnapshot>;
  close(): Promise<void>;
}

export async function startBrowserKiosk(
  options: { catalogue?: (catalogue: Catalogue) => Catalogue } = {},
): Promise<BrowserKiosk> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-proof-browser-'));
  const profileDir = path.join(dataDir, 'profile');
  const loaded = loadKioskConfig();
  const config = {
    ...loaded,
    catalogue: options.catalogue ? options.catalogue(loaded.catalogue) : loaded.catalogue,
  };
  const kioskId = config.site.kioskId;
  const token = 'proof-browser-token';
  let up = true;
  const kiosk = {} as BrowserKiosk;
  const gateway = await startInProcessGateway([{ kioskId, token }], {
    dataDir: path.join(dataDir),
    afterCommit: async () => {
      await kiosk.afterCommit?.();
      return 'reply' as const;
    },
  });
  const services = createKioskServices({
    config,
    shell: 'browser',
    appVersion: 'proof',
    gatewayUrl: gateway.url,
    enrolmentToken: token,
    simulatedDevices: ['printer', 'card-reader'],
    keyCustody: createFileKeyCustody(path.join(dataDir, 'data-key')),
  });
  const host = await startBrowserShellHost({
    rendererDir,
    router: createBridgeRouter(services),
    connectSources: [gateway.url],
  });
  let child: ChildProcess | undefined;
  let browser: Browser | undefined;
  Object.assign(kiosk, {
    gateway,
    host,
    kioskId,
    pageUrl: `${host.url}#bridge-token=${host.token}`,
    origin: new URL(host.url).origin,
    profileDir,
    afterCommit: undefined,
    async launch() {
      const proc = spawn(
        chromiumPath,
        [
          '--headless',
          `--user-data-dir=${profileDir}`,
          '--remote-debugging-port=0',
          ...chromiumArgs,
          'about:blank',
        ],
        { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
      );
      child = proc;
      const wsUrl = await new Promise<string>((resolve, reject) => {
        let err = '';
        const timer = setTimeout(() => reject(new Error(`chromium did not start: ${err}`)), 30_000);
        proc.stderr?.on('data', (chunk: Buffer) => {
          err += chunk.toString();
          const match = /DevTools listening on (ws:\/\/\S+)/.exec(err);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        proc.on('exit', () => reject(new Error(`chromium exited: ${err}`)));
      });
      browser = await chromium.connectOverCDP(wsUrl);
      const context = browser.contexts()[0];
      if (!context) throw new Error('chromium has no default context');
      kiosk.context = context;
      kiosk.page = context.pages()[0] ?? (await context.newPage());
    },
    async open() {
      if (kiosk.page.isClosed()) kiosk.page = await kiosk.context.newPage();
      await kiosk.page.goto(kiosk.pageUrl);
      // The first screen (data-ready), then the runtime (data-runtime): the store is read and a
      // receipt a crash left open is on the screen before a suite looks at it.
      await kiosk.page.waitForFunction(
        () => document.body.dataset.ready === 'true' && document.body.dataset.runtime === 'ready',
        undefined,
        { timeout: 30_000 },
      );
    },
    async killBrowser() {
      const proc = child;
      if (!proc?.pid || proc.exitCode !== null || proc.signalCode !== null) return;
      const gone = new Promise((resolve) => proc.once('exit', resolve));
      // The group: Chromium's renderer, GPU and utility processes die with it, as at a power cut.
      process.kill(-proc.pid, 'SIGKILL');
      await gone;
      await browser?.close().catch(() => undefined);
      browser = undefined;
    },
    async crashPage() {
      const page = kiosk.page;
      const session = await kiosk.context.newCDPSession(page);
      const crashed = new Promise<void>((resolve) => page.once('crash', () => resolve()));
      void session.send('Page.crash').catch(() => undefined);
      await Promise.race([crashed, new Promise((r) => setTimeout(r, 5_000))]);
      await page.close().catch(() => undefined);
    },
    async browserCommand(method: string, params: Record<string, unknown>) {
      if (!browser) throw new Error('the browser is not running');
      const session = await browser.newBrowserCDPSession();
      try {
        return await session.send(method as 'Storage.overrideQuotaForOrigin', params as never);
      } finally {
        await session.detach().catch(() => undefined);
      }
    },
    async linkDown() {
      if (!up) return;
      up = false;
      await gateway.stop();
    },
    async linkUp() {
      if (up) return;
      await gateway.restart();
      up = true;
    },
    linkIsUp: () => up,
    outbox: () => readOutbox(kiosk.page, kioskId),
    async close() {
      await kiosk.killBrowser().catch(() => undefined);
      await host.close();
      await gateway.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  } satisfies Partial<BrowserKiosk>);
  return kiosk;
}

/**
 * Runs in the page. Kept as plain source text: tsx would otherwise wrap inner functions with a
 * `__name` helper that does not exist in the page.
 */
const dumpDatabaseSource = `async (name) => {
  const db = await new Promise((resolve, reject) => {
    const request = indexedDB.open(name);
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const out = {};
  for (const store of Array.from(db.objectStoreNames)) {
    out[store] = await new Promise((resolve, reject) => {
      const request = db.transaction(store).objectStore(store).getAll();
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  db.close();
  return out;
}`;

/** Every object store of the kiosk's IndexedDB database, read with the IndexedDB API in the page. */
export async function dumpDatabase(
  page: Page,
  kioskId: string,
): Promise<Record<string, unknown[]>> {
  return (await page.evaluate(
    `(${dumpDatabaseSource})(${JSON.stringify(`service-point:${kioskId}`)})`,
  )) as Record<string, unknown[]>;
}

/** The outbox and chain head, read with the IndexedDB API inside the page. */
export async function readOutbox(page: Page, kioskId: string): Promise<OutboxSnapshot> {
  const dump = await dumpDatabase(page, kioskId);
  type Row = {
    seq: number;
    txId: string;
    ref: string;
    state: string;
    record: { hash: string; prevHash: string; kind?: string };
  };
  const rows = ((dump.outbox ?? []) as Row[]).map((r) => ({
    kind: r.record.kind ?? 'transaction',
    seq: r.seq,
    txId: r.txId,
    ref: r.ref,
    state: r.state,
    hash: r.record.hash,
    prevHash: r.record.prevHash,
  }));
  const meta = (dump.meta ?? []) as Array<{ key: string; value: unknown }>;
  const head = meta.find((m) => m.key === 'chain-head')?.value as
    { seq: number; hash: string } | undefined;
  return { rows, head };
}

/** Problems with a kiosk's local chain: gaps, broken links, a head that is not the last row. */
export function chainProblems(snapshot: OutboxSnapshot): string[] {
  const problems: string[] = [];
  const rows = [...snapshot.rows].sort((x, y) => x.seq - y.seq);
  let prev = '0'.repeat(64);
  rows.forEach((row, i) => {
    if (row.seq !== i + 1) problems.push(`gap at seq ${i + 1}`);
    if (row.prevHash !== prev) problems.push(`seq ${row.seq} does not link to its predecessor`);
    prev = row.hash;
  });
  const last = rows.at(-1);
  if (last && (snapshot.head?.seq !== last.seq || snapshot.head.hash !== last.hash)) {
    problems.push(`head ${JSON.stringify(snapshot.head)} is not the last row ${last.seq}`);
  }
  if (!last && snapshot.head && snapshot.head.seq !== 0) problems.push('head without rows');
  return problems;
}

/**
 * After a page crash or a browser kill, a session committed just before it comes back as its
 * receipt, before anything else (the open-receipt marker): the citizen sees the reference and
 * finishes. Returns that reference, or undefined when the kiosk opened on the start screen.
 */
export async function finishOpenReceipt(page: Page): Promise<string | undefined> {
  const start = page.getByRole('button', { name: 'Touch to start' });
  const receipt = page.locator('[data-screen=receipt]');
  await start.or(receipt).first().waitFor({ timeout: 15_000 });
  if (!(await receipt.isVisible())) return undefined;
  const ref = (await page.getByTestId('reference').textContent()) ?? undefined;
  await page.getByRole('button', { name: /^(Finish|Done)$/ }).click();
  await start.waitFor();
  return ref;
}

/**
 * A citizen's name for session `n` (0, 1, …): `label` and the number in letters (A, B, …, Z, AA,
 * AB, …), since a name in the shipped catalogues takes letters only.
 */
export function numberedName(label: string, n: number): string {
  let letters = '';
  for (let rest = n + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) {
    letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  }
  return `${label} ${letters}`;
}

/** One citizen session, as fast as the UI allows: a birth certificate, paid at the counter. */
export async function citizenSession(
  page: Page,
  name: string,
  options: { finish?: boolean; beforeSubmit?: () => Promise<void> } = {},
): Promise<string | undefined> {
  await page.getByRole('button', { name: 'Touch to start' }).click();
  await page.getByRole('button', { name: 'English' }).click();
  await page.getByRole('button', { name: /Replacement birth certificate/ }).click();
  await page.getByRole('textbox').fill(name);
  const next = page.getByRole('button', { name: 'Next', exact: true });
  await next.click();
  await page.locator('input[data-type=date]').fill('1990-04-01');
  await next.click();
  await page.getByText('Cayo').click();
  await next.click();
  await page.getByLabel('Your Social Security card').check();
  await next.click();
  await page.getByText('Pay at the counter').click();
  await next.click();
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('checkbox').check();
  await options.beforeSubmit?.();
  await page.getByRole('button', { name: 'Send my request' }).click();
  if (options.finish === false) return undefined;
  const reference = page.getByTestId('reference');
  await reference.waitFor({ timeout: 15_000 });
  const ref = (await reference.textContent()) ?? undefined;
  await page.getByRole('button', { name: /^(Finish|Done)$/ }).click();
  await page.getByRole('button', { name: 'Touch to start' }).waitFor();
  return ref;
}
