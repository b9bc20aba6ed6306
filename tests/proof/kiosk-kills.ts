/**
 * The kiosk side killed in real Chromium: the page's renderer crashed through the DevTools
 * protocol (`Page.crash`) or the whole browser SIGKILLed, at a random moment of a commit (right
 * after "Send my request") or of a sync (while the gateway holds a committed batch's reply).
 * Chromium is then started again on the same profile: the local chain must be intact (gapless,
 * linked, head on the last row), every receipt shown must be in it, and the queue must drain to
 * the gateway exactly once.
 */
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import {
  chainProblems,
  citizenSession,
  finishOpenReceipt,
  numberedName,
  startBrowserKiosk,
} from './browser-kiosk';
import type { BrowserKiosk } from './browser-kiosk';
import { checkDelivery, seededRandom } from './node-kiosk';

export const kioskKillModes = [
  'page-crash-mid-commit',
  'browser-kill-mid-commit',
  'page-crash-mid-sync',
  'browser-kill-mid-sync',
] as const;

async function waitForDrain(kiosk: BrowserKiosk, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const { rows } = await kiosk.outbox();
    if (rows.every((r) => r.state !== 'queued')) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

export async function runKioskKills(scale: Scale, seed = 8): Promise<SuiteFigures> {
  const figures = emptyFigures('kiosk kills');
  const runs = scale === 'full' ? 40 : kioskKillModes.length;
  const random = seededRandom(seed);
  const kiosk = await startBrowserKiosk();
  const receiptsShown = new Set<string>();
  const everCommitted = new Set<string>();
  let midCommitKills = 0;
  let midCommitLanded = 0;
  try {
    await kiosk.launch();
    await kiosk.open();
    for (let run = 0; run < runs; run += 1) {
      const mode = kioskKillModes[run % kioskKillModes.length] ?? 'page-crash-mid-commit';
      const before = await kiosk.outbox();
      for (const row of before.rows) everCommitted.add(row.txId);
      // One ordinary session first, so there is always history that must survive the kill.
      const ref = await citizenSession(kiosk.page, numberedName('Before Kill', run));
      if (ref) receiptsShown.add(ref);
      const kill = (): Promise<void> =>
        mode.startsWith('page-crash') ? kiosk.crashPage() : kiosk.killBrowser();
      if (mode.endsWith('mid-commit')) {
        await citizenSession(kiosk.page, numberedName('Mid Commit', run), { finish: false });
        await new Promise((r) => setTimeout(r, Math.floor(random() * 120)));
        await kill();
        midCommitKills += 1;
      } else {
        // The gateway has committed the batch; the kiosk dies before the reply arrives.
        let killed: Promise<void> | undefined;
        kiosk.afterCommit = async () => {
          kiosk.afterCommit = undefined;
          killed = kill();
          await killed;
        };
        const shown = await citizenSession(kiosk.page, numberedName('Mid Sync', run), {
          finish: false,
        })
          .then(async () => {
            const reference = kiosk.page.getByTestId('reference');
            await reference.waitFor({ timeout: 5_000 });
            return (await reference.textContent()) ?? undefined;
          })
          .catch(() => undefined);
        if (shown) receiptsShown.add(shown);
        const until = Date.now() + 10_000;
        while (!killed && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
        if (!killed) {
          kiosk.afterCommit = undefined;
          figures.notes.push(`run ${run} (${mode}): no batch reached the gateway to kill on`);
          await kill();
        } else await killed;
      }
      figures.kills += 1;
      figures.faultRuns += 1;
      if (mode.startsWith('browser-kill')) await kiosk.launch();
      await kiosk.open();
      // A session whose commit landed before the kill comes back as its receipt first.
      const recovered = await finishOpenReceipt(kiosk.page);
      if (recovered) receiptsShown.add(recovered);
      const after = await kiosk.outbox();
      const problems = chainProblems(after);
      const present = new Set(after.rows.map((r) => r.txId));
      const presentRefs = new Set(after.rows.map((r) => r.ref));
      for (const txId of everCommitted) if (!present.has(txId)) problems.push(`lost ${txId}`);
      for (const shown of receiptsShown) {
        if (!presentRefs.has(shown)) problems.push(`receipt ${shown} was shown but is not stored`);
      }
      if (mode.endsWith('mid-commit') && after.rows.length > before.rows.length + 1) {
        midCommitLanded += 1;
      }
      for (const row of after.rows) everCommitted.add(row.txId);
      if (problems.length > 0)
        figures.problems.push(`run ${run} (${mode}): ${problems.join('; ')}`);
      if (!(await waitForDrain(kiosk, 60_000))) {
        figures.problems.push(`run ${run} (${mode}): the queue did not drain after the restart`);
      }
    }
    await waitForDrain(kiosk, 60_000);
    const final = await kiosk.outbox();
    for (const row of final.rows) everCommitted.add(row.txId);
    const records = await kiosk.gateway.store.listRecords(kiosk.kioskId);
    const counts = await kiosk.gateway.store.countRecords(kiosk.kioskId);
    const alerts = await kiosk.gateway.store.listTamperAlerts(kiosk.kioskId);
    const check = checkDelivery(
      [...final.rows].sort((x, y) => x.seq - y.seq).map((r) => r.txId),
      {
        records,
        alerts: alerts.length,
        awaiting: counts.awaiting,
      },
    );
    figures.committed = final.rows.length;
    figures.lost =
      check.lost + [...everCommitted].filter((t) => !final.rows.some((r) => r.txId === t)).length;
    figures.duplicated = check.duplicated;
    figures.problems.push(...check.problems);
    figures.notes.push(
      `mid-commit kills: the transaction was committed in ${midCommitLanded} of ${midCommitKills} (the rest died before the commit, and showed no receipt)`,
      `${final.rows.length} transactions committed in Chromium, ${receiptsShown.size} receipts shown, ${records.length} at the gateway`,
    );
  } finally {
    await kiosk.close();
  }
  return figures;
}
