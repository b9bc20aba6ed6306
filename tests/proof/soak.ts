/**
 * Soak: consecutive citizen sessions in one kiosk page (real Chromium, real renderer, browser
 * shell) while the link flaps (the gateway stopped and started every few sessions). After a
 * forced GC (`HeapProfiler.collectGarbage`) the JS heap and DOM node count (`Performance.getMetrics`)
 * are sampled; they must not grow beyond noise. Every session must reach its receipt (no error
 * screen), and at the end the queue must drain: every transaction at the gateway exactly once.
 */
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import { chainProblems, citizenSession, numberedName, startBrowserKiosk } from './browser-kiosk';

export interface SoakSample {
  session: number;
  heapMb: number;
  nodes: number;
}

export async function runSoak(
  scale: Scale,
  options: { sessions?: number; onProgress?: (line: string) => void } = {},
): Promise<SuiteFigures & { samples: SoakSample[] }> {
  const figures = { ...emptyFigures('soak'), samples: [] as SoakSample[] };
  const sessions = options.sessions ?? (scale === 'full' ? 1000 : 30);
  const flapEvery = scale === 'full' ? 25 : 5;
  const sampleEvery = Math.max(5, Math.floor(sessions / 20));
  const kiosk = await startBrowserKiosk();
  const started = Date.now();
  try {
    await kiosk.launch();
    await kiosk.open();
    const cdp = await kiosk.context.newCDPSession(kiosk.page);
    await cdp.send('Performance.enable');
    const sample = async (session: number): Promise<void> => {
      await cdp.send('HeapProfiler.collectGarbage');
      const { metrics } = await cdp.send('Performance.getMetrics');
      const get = (name: string): number => metrics.find((m) => m.name === name)?.value ?? 0;
      figures.samples.push({
        session,
        heapMb: Math.round((get('JSHeapUsedSize') / 1024 / 1024) * 100) / 100,
        nodes: get('Nodes'),
      });
    };
    let failed = 0;
    for (let i = 0; i < sessions; i += 1) {
      if (i > 0 && i % flapEvery === 0) {
        if (kiosk.linkIsUp()) await kiosk.linkDown();
        else await kiosk.linkUp();
        figures.faultRuns += 1;
      }
      const ref = await citizenSession(kiosk.page, numberedName('Soak Citizen', i)).catch(
        () => undefined,
      );
      if (!ref) {
        failed += 1;
        figures.problems.push(`session ${i} did not reach its receipt`);
        await kiosk.page.goto('about:blank');
        await kiosk.open();
        if (failed > 5) break;
      }
      if (i % sampleEvery === 0 || i === sessions - 1) await sample(i + 1);
      if (options.onProgress && (i + 1) % 100 === 0) {
        options.onProgress(
          `… soak ${i + 1} sessions, ${Math.round((Date.now() - started) / 1000)} s, heap ${figures.samples.at(-1)?.heapMb} MB`,
        );
      }
    }
    figures.crashes += failed;
    await kiosk.linkUp();
    const until = Date.now() + 120_000;
    let outbox = await kiosk.outbox();
    while (outbox.rows.some((r) => r.state === 'queued') && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1_000));
      outbox = await kiosk.outbox();
    }
    const errorScreens = await kiosk.page.locator('[role=alert], [data-out-of-service]').count();
    if (errorScreens > 0) figures.problems.push('an error is on screen at the end of the soak');
    const records = await kiosk.gateway.store.listRecords(kiosk.kioskId);
    const delivered = new Map<string, number>();
    for (const r of records) delivered.set(r.body.txId, (delivered.get(r.body.txId) ?? 0) + 1);
    figures.committed = outbox.rows.filter((r) => r.kind === 'transaction').length;
    figures.lost = outbox.rows.filter((r) => !delivered.has(r.txId)).length;
    figures.duplicated = [...delivered.values()].reduce((a, n) => a + n - 1, 0);
    figures.problems.push(...chainProblems(outbox));
    // The kiosk also chains its own records (a config change at start-up): count transactions.
    const transactions = outbox.rows.filter((r) => r.kind === 'transaction').length;
    if (transactions !== sessions - failed) {
      figures.problems.push(
        `${transactions} transactions committed for ${sessions - failed} sessions`,
      );
    }
    // Growth: the last quarter's median against the first quarter's, after warm-up.
    const warm = figures.samples.slice(1);
    const quarter = Math.max(1, Math.floor(warm.length / 4));
    const median = (values: number[]): number => {
      const sorted = [...values].sort((x, y) => x - y);
      return sorted[Math.floor(sorted.length / 2)] ?? 0;
    };
    const heapEarly = median(warm.slice(0, quarter).map((s) => s.heapMb));
    const heapLate = median(warm.slice(-quarter).map((s) => s.heapMb));
    const nodesEarly = median(warm.slice(0, quarter).map((s) => s.nodes));
    const nodesLate = median(warm.slice(-quarter).map((s) => s.nodes));
    // Noise: 2 MB or 15 % of the heap, 15 % or 200 DOM nodes, whichever is larger.
    if (heapLate - heapEarly > Math.max(2, heapEarly * 0.15)) {
      figures.problems.push(`JS heap grew from ${heapEarly} MB to ${heapLate} MB`);
    }
    if (nodesLate - nodesEarly > Math.max(200, nodesEarly * 0.15)) {
      figures.problems.push(`DOM nodes grew from ${nodesEarly} to ${nodesLate}`);
    }
    const seconds = (Date.now() - started) / 1000;
    figures.notes.push(
      `${sessions} sessions in ${Math.round(seconds)} s (${Math.round((seconds / sessions) * 1000)} ms each), link flapped ${figures.faultRuns} times`,
      `JS heap after GC: ${heapEarly} MB early → ${heapLate} MB late; DOM nodes ${nodesEarly} → ${nodesLate}`,
      `queue drained: ${outbox.rows.filter((r) => r.state === 'queued').length} left, ${records.length} at the gateway`,
    );
  } finally {
    await kiosk.close();
  }
  return figures;
}
