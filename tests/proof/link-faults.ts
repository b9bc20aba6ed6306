/**
 * Link faults through the HTTP fault proxy in front of the real gateway process: drop, delay,
 * reorder (a request held past the kiosk's timeout lands after its retry), reset mid-request and
 * mid-reply, truncated and corrupted replies, 429 with Retry-After, 5xx storms and very slow
 * replies. After each run the link heals; nothing may be lost or duplicated, ever.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startFaultProxy } from '../support/fault-proxy';
import type { Fault } from '../support/fault-proxy';
import { startGatewayProcess } from '../support/gateway-process';
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import { checkDelivery, readGatewayRecords, seededRandom, startNodeKiosk } from './node-kiosk';

export const linkFaultKinds = [
  'drop',
  'delay',
  'reorder',
  'reset-request',
  'reset-reply',
  'truncate',
  'corrupt',
  '429',
  '5xx-storm',
  'slow',
] as const;
export type LinkFaultKind = (typeof linkFaultKinds)[number];

function faultsFor(kind: LinkFaultKind, random: () => number): Fault[] {
  switch (kind) {
    case 'drop':
      return [{ kind: 'drop' }];
    case 'delay':
      return [{ kind: 'delay', ms: 50 + Math.floor(random() * 400) }];
    case 'reorder':
      // Held past the 1 s client timeout: the retry overtakes it and the original lands second.
      return [{ kind: 'pass' }, { kind: 'delay', ms: 1_600 }];
    case 'reset-request':
      return [{ kind: 'pass' }, { kind: 'reset-request' }];
    case 'reset-reply':
      return [{ kind: 'pass' }, { kind: 'reset-reply' }];
    case 'truncate':
      return [{ kind: 'pass' }, { kind: 'truncate' }];
    case 'corrupt':
      return [{ kind: 'pass' }, { kind: 'corrupt' }];
    case '429':
      // On the batch itself (the health probe passes): a probe's Retry-After is not read.
      return [{ kind: 'pass' }, { kind: 'status', status: 429, retryAfter: '2' }];
    case '5xx-storm': {
      const statuses = [500, 502, 503, 504] as const;
      return Array.from({ length: 8 }, () => ({
        kind: 'status' as const,
        status: statuses[Math.floor(random() * statuses.length)] ?? 500,
      }));
    }
    case 'slow':
      return [{ kind: 'pass' }, { kind: 'slow', chunkBytes: 24, everyMs: 60 }];
  }
}

export async function runLinkFaults(scale: Scale, seed = 8): Promise<SuiteFigures> {
  const figures = emptyFigures('link faults');
  const runs = scale === 'full' ? 200 : linkFaultKinds.length;
  const random = seededRandom(seed);
  const kioskId = 'proof-link-01';
  const token = 'proof-link-token';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-proof-link-'));
  const file = path.join(dataDir, 'gateway.sqlite');
  const gateway = await startGatewayProcess({ dataDir, tokens: [{ kioskId, token }] });
  let pending: Fault[] = [];
  const proxy = await startFaultProxy({
    upstream: gateway.url,
    decide: () => pending.shift() ?? { kind: 'pass' },
  });
  // A short back-off, so a Retry-After the engine ignored would show (its retry timer may
  // then run a sync of its own between the suite's; the invariants do not care).
  const kiosk = await startNodeKiosk({
    kioskId,
    token,
    gatewayUrl: proxy.url,
    backoffBaseMs: 50,
    backoffCapMs: 3_000,
  });
  const byKind = new Map<LinkFaultKind, number>();
  let retryAfterHonoured = 0;
  let retryAfterSeen = 0;
  try {
    for (let run = 0; run < runs; run += 1) {
      const kind =
        run < linkFaultKinds.length
          ? (linkFaultKinds[run] ?? 'drop')
          : (linkFaultKinds[Math.floor(random() * linkFaultKinds.length)] ?? 'drop');
      const commits = 1 + Math.floor(random() * 4);
      for (let i = 0; i < commits; i += 1) await kiosk.commit();
      pending = faultsFor(kind, random);
      const injected = pending.length;
      for (let attempt = 0; attempt <= injected && pending.length > 0; attempt += 1) {
        await kiosk.engine.trigger();
        const status = kiosk.engine.status;
        if (kind === '429' && status.nextAttemptAt !== undefined && attempt === 0) {
          retryAfterSeen += 1;
          // Without Retry-After the first back-off is under 50 ms (base 50 ms, full jitter).
          if (status.nextAttemptAt - Date.now() >= 1_500) retryAfterHonoured += 1;
        }
      }
      if (kind === 'reorder') await new Promise((r) => setTimeout(r, 1_800));
      pending = [];
      byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
      figures.faultRuns += 1;
      await kiosk.drain();
      const check = checkDelivery(kiosk.committed, readGatewayRecords(file, kioskId));
      if (check.problems.length > 0) {
        figures.problems.push(`after run ${run} (${kind}): ${check.problems.join('; ')}`);
        break;
      }
    }
  } finally {
    await kiosk.close();
    await proxy.close();
    await gateway.stop().catch(() => undefined);
  }
  const check = checkDelivery(kiosk.committed, readGatewayRecords(file, kioskId));
  rmSync(dataDir, { recursive: true, force: true });
  figures.committed = kiosk.committed.length;
  figures.lost = check.lost;
  figures.duplicated = check.duplicated;
  figures.problems.push(...check.problems);
  if (retryAfterHonoured !== retryAfterSeen) {
    figures.problems.push(`Retry-After honoured ${retryAfterHonoured}/${retryAfterSeen} times`);
  }
  figures.notes.push(
    `faults: ${[...byKind].map(([k, n]) => `${k}=${n}`).join(' ')}`,
    `429 Retry-After: 2 honoured ${retryAfterHonoured}/${retryAfterSeen}`,
  );
  return figures;
}
