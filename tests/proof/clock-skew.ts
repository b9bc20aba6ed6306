/**
 * Clock skew on the kiosk: its clock jumps back and forward by days between commits, deliveries
 * and purges (a flat RTC battery, an operator "fixing" the date). The chain is ordered by `seq`,
 * not by time, so it must stay gapless and verified; signed requests must still get through (the
 * engine learns the gateway's clock from the reply's Date header); retention must purge only
 * delivered rows, exactly those older than the retention period by the clock it is given.
 */
import 'fake-indexeddb/auto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readPersonalFields, purgeDeliveredPersonalData } from '../../sync/client/personal-data';
import { startGatewayProcess } from '../support/gateway-process';
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import {
  checkDelivery,
  proofInput,
  readGatewayRecords,
  seededRandom,
  startNodeKiosk,
} from './node-kiosk';

const DAY_MS = 24 * 60 * 60_000;
const RETENTION_DAYS = 7;

export async function runClockSkew(scale: Scale, seed = 8): Promise<SuiteFigures> {
  const figures = emptyFigures('clock skew');
  const jumps = scale === 'full' ? 60 : 6;
  const random = seededRandom(seed);
  const kioskId = 'proof-clock-01';
  const token = 'proof-clock-token';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-proof-clock-'));
  const gateway = await startGatewayProcess({ dataDir, tokens: [{ kioskId, token }] });
  let offset = 0;
  const now = (): number => Date.now() + offset;
  const kiosk = await startNodeKiosk({ kioskId, token, gatewayUrl: gateway.url, now });
  const offsets: number[] = [];
  let purgeChecks = 0;
  try {
    for (let jump = 0; jump < jumps; jump += 1) {
      // Back or forward by up to 40 days, now and then right back to the true time.
      offset = jump % 5 === 4 ? 0 : Math.round((random() * 80 - 40) * DAY_MS);
      offsets.push(Math.round(offset / DAY_MS));
      figures.faultRuns += 1;
      const commits = 1 + Math.floor(random() * 3);
      for (let i = 0; i < commits; i += 1) await kiosk.commit(undefined, () => new Date(now()));
      // Deliver on some jumps only, so rows are delivered at many different kiosk times.
      if (random() < 0.6) {
        const rounds = await kiosk.drain(4);
        if ((await kiosk.queued()) > 0) {
          figures.problems.push(
            `jump ${jump} (${offsets.at(-1)} d): not delivered after ${rounds} rounds`,
          );
        }
      }
      // Retention at this (skewed) time: only delivered rows older than the period go.
      const before = await kiosk.store.rows();
      const cutoff = now() - RETENTION_DAYS * DAY_MS;
      await purgeDeliveredPersonalData(kiosk.store, { retentionDays: RETENTION_DAYS, now: now() });
      purgeChecks += 1;
      const after = new Map((await kiosk.store.rows()).map((r) => [r.seq, r]));
      for (const row of before) {
        const later = after.get(row.seq);
        if (!later) {
          figures.problems.push(`jump ${jump}: row ${row.seq} disappeared`);
          continue;
        }
        const due = row.state === 'delivered' && (row.deliveredAt ?? Infinity) < cutoff;
        if (due && later.state !== 'purged')
          figures.problems.push(`row ${row.seq} kept past retention`);
        if (!due && row.state !== 'purged' && later.state === 'purged') {
          figures.problems.push(`row ${row.seq} (${row.state}) purged too early`);
        }
        if (row.state === 'queued' && later.state === 'queued' && row.personalLocal) {
          const fields = await readPersonalFields(kiosk.store, kiosk.dataKey, row.txId);
          if (fields?.fullName !== proofInput.fields.fullName) {
            figures.problems.push(`queued row ${row.seq} lost its personal data`);
          }
        }
      }
    }
    offset = 0;
    await kiosk.drain(6);
  } finally {
    await kiosk.close();
    await gateway.stop().catch(() => undefined);
  }
  const atGateway = readGatewayRecords(path.join(dataDir, 'gateway.sqlite'), kioskId);
  rmSync(dataDir, { recursive: true, force: true });
  const check = checkDelivery(kiosk.committed, atGateway);
  // Ordering is by seq: the gateway's order must be the commit order, whatever createdAt says.
  const order = atGateway.records.map((r) => r.body.txId).join();
  if (order !== kiosk.committed.join())
    figures.problems.push('gateway order differs from commit order');
  const createdAtBackwards = atGateway.records.filter(
    (r, i) => i > 0 && r.createdAt < (atGateway.records[i - 1]?.createdAt ?? ''),
  ).length;
  figures.committed = kiosk.committed.length;
  figures.lost = check.lost;
  figures.duplicated = check.duplicated;
  figures.problems.push(...check.problems);
  figures.notes.push(
    `clock offsets (days): ${offsets.join(' ')}`,
    `${createdAtBackwards} records whose createdAt went backwards, chain still intact; ${purgeChecks} retention checks`,
  );
  return figures;
}
