import { gzipSync } from 'node:zlib';
import { startInProcessGateway } from '../support/gateway-harness';
import { benchSubmissions, commitDataset } from './dataset';
import type { BenchDataset } from './dataset';
import { drainWithEngine } from './drain';
import type { LinkSettings } from './link';
import { startLinkProxy } from './link';
import type { Figure } from './report';

/** One drain of the side-by-side wire comparison. */
export interface WireRun {
  dataset: BenchDataset;
  protocol: 1 | 2;
  transactions: number;
  /** Everything on the wire both ways (headers, replies, probes, config, heartbeat), per tx. */
  bytesPerTx: number;
  /** The transactions' answers (every field value, personal ones included), gzip'd as one stream. */
  answersGzipPerTx: number;
  /** bytesPerTx − answersGzipPerTx: what proving, sealing and addressing the answers cost. */
  proofOverheadPerTx: number;
  requests: number;
  seconds: number;
}

/** gzip of the answers of transactions 0..count-1, one JSON object per line, per transaction. */
export function answersGzipPerTx(dataset: WireRun['dataset'], count: number): number {
  const lines: string[] = [];
  for (let i = 0; i < count; i += 1)
    lines.push(JSON.stringify(benchSubmissions[dataset](i).fields));
  return gzipSync(lines.join('\n'), { level: 9 }).length / count;
}

/**
 * Bytes on the wire per transaction, protocol v1 against v2, on the random and the realistic
 * data, side by side in one run: four fresh kiosks commit the same `count` transactions per data
 * set through the real commit path and drain them with this engine through the link proxy at the
 * link's rate and round trip (no resets, so the four runs differ only in what they send) into one
 * in-process gateway.
 */
export async function measureWireBytes(input: {
  count: number;
  link: LinkSettings;
  log: (message: string) => void;
}): Promise<WireRun[]> {
  const suffix = Math.random().toString(36).slice(2, 8);
  const plan = (['random', 'realistic'] as const).flatMap((dataset) =>
    ([1, 2] as const).map((protocol) => ({
      dataset,
      protocol,
      kioskId: `wire-${dataset.slice(0, 4)}-v${protocol}-${suffix}`,
      token: `wire-token-${dataset}-${protocol}-${suffix}`,
    })),
  );
  const gateway = await startInProcessGateway(plan);
  const link = { ...input.link, resetRate: 0 };
  const proxy = await startLinkProxy({
    upstreamHost: '127.0.0.1',
    upstreamPort: Number(new URL(gateway.url).port),
    settings: link,
    tokenBucket: true,
    random: () => 0.5,
  });
  const runs: WireRun[] = [];
  try {
    for (const run of plan) {
      const kiosk = await commitDataset(run.kioskId, input.count, {
        submission: benchSubmissions[run.dataset],
      });
      input.log(`wire: ${run.dataset} data, protocol v${run.protocol}, ${input.count} tx`);
      const drained = await drainWithEngine({
        kiosk,
        token: run.token,
        link: proxy,
        total: input.count,
        maxProtocol: run.protocol,
      });
      kiosk.db.close();
      const bytesPerTx = (drained.up + drained.down) / input.count;
      const answers = answersGzipPerTx(run.dataset, input.count);
      runs.push({
        dataset: run.dataset,
        protocol: run.protocol,
        transactions: input.count,
        bytesPerTx,
        answersGzipPerTx: answers,
        proofOverheadPerTx: bytesPerTx - answers,
        requests: drained.requests,
        seconds: drained.ms / 1000,
      });
    }
  } finally {
    await proxy.close();
    await gateway.close();
  }
  return runs;
}

/** The comparison as report figures: bytes and proof overhead per tx, and v1/v2 ratios. */
export function wireFigures(runs: readonly WireRun[], link: LinkSettings): Figure[] {
  const find = (dataset: WireRun['dataset'], protocol: 1 | 2): WireRun | undefined =>
    runs.find((r) => r.dataset === dataset && r.protocol === protocol);
  const figures: Figure[] = [];
  for (const dataset of ['random', 'realistic'] as const) {
    const v1 = find(dataset, 1);
    const v2 = find(dataset, 2);
    if (!v1 || !v2) continue;
    const realistic = dataset === 'realistic';
    for (const run of [v1, v2]) {
      const latest = run.protocol === 2;
      figures.push({
        id: `wire.${dataset}.v${run.protocol}.bytes-per-tx`,
        label: `wire: ${dataset} data, protocol v${run.protocol}, bytes per tx (up+down)`,
        value: run.bytesPerTx,
        unit: 'B',
        ...(realistic && latest ? { target: '≤ 500', met: run.bytesPerTx <= 500 } : {}),
        transactions: run.transactions,
        requests: run.requests,
        notes: `${link.rateKbit} kbit/s, ${link.rttMs} ms RTT, no resets; everything on the wire`,
      });
      figures.push({
        id: `wire.${dataset}.v${run.protocol}.proof-overhead`,
        label: `wire: ${dataset} data, protocol v${run.protocol}, bytes per tx beyond the gzip'd answers`,
        value: run.proofOverheadPerTx,
        unit: 'B',
        ...(realistic && latest ? { target: '≤ 200', met: run.proofOverheadPerTx <= 200 } : {}),
        answersGzipPerTx: run.answersGzipPerTx,
      });
    }
    figures.push({
      id: `wire.${dataset}.v1-over-v2`,
      label: `wire: ${dataset} data, v1 bytes / v2 bytes`,
      value: v1.bytesPerTx / v2.bytesPerTx,
      unit: '×',
    });
  }
  return figures;
}

/** One line for the log and CI: the four bytes-per-tx figures and v2's proof overhead. */
export function wireSummary(runs: readonly WireRun[]): string {
  const get = (dataset: WireRun['dataset'], protocol: 1 | 2): string => {
    const run = runs.find((r) => r.dataset === dataset && r.protocol === protocol);
    return run ? run.bytesPerTx.toFixed(0) : 'NaN';
  };
  const overhead = runs.find((r) => r.dataset === 'realistic' && r.protocol === 2);
  return (
    `wire_bytes_per_tx v1_random=${get('random', 1)} v2_random=${get('random', 2)} ` +
    `v1_realistic=${get('realistic', 1)} v2_realistic=${get('realistic', 2)} ` +
    `proof_overhead_v2_realistic=${overhead ? overhead.proofOverheadPerTx.toFixed(0) : 'NaN'}`
  );
}
