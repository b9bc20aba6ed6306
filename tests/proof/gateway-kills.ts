/**
 * The gateway as a real child process, SIGKILLed at a random point of batch ingest (before the
 * request reaches it, a few ms into ingest, after its commit and before the reply, halfway
 * through the reply, or by itself right after a commit) and restarted, while the kiosk keeps
 * committing. Then the link heals and every committed transaction must be at the gateway once.
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

export const killPoints = [
  'before-commit',
  'during-ingest',
  'after-commit',
  'mid-reply',
  'self-after-commit',
] as const;
export type KillPoint = (typeof killPoints)[number];

export async function runGatewayKills(scale: Scale, seed = 8): Promise<SuiteFigures> {
  const figures = emptyFigures('gateway kills');
  const runs = scale === 'full' ? 60 : killPoints.length;
  const random = seededRandom(seed);
  const kioskId = 'proof-kill-01';
  const token = 'proof-kill-token';
  const dataDir = mkdtempSync(path.join(tmpdir(), 'sp-proof-kill-'));
  const gateway = await startGatewayProcess({ dataDir, tokens: [{ kioskId, token }] });
  let kills = 0;
  const isDead = (): boolean =>
    gateway.child.exitCode !== null || gateway.child.signalCode !== null;
  let armed: Fault | undefined;
  const proxy = await startFaultProxy({
    upstream: gateway.url,
    onKill: async () => {
      if (isDead()) return;
      kills += 1;
      await gateway.kill();
    },
    decide: (request) => {
      if (request.method !== 'POST' || !request.url.endsWith('/batches') || !armed) {
        return { kind: 'pass' };
      }
      const fault = armed;
      armed = undefined;
      return fault;
    },
  });
  const kiosk = await startNodeKiosk({ kioskId, token, gatewayUrl: proxy.url });
  const perPoint = new Map<KillPoint, number>();
  let committedWhileDown = 0;
  try {
    // Enrol and deliver one first, so every kill below lands on a batch.
    await kiosk.commit();
    await kiosk.drain();
    for (let run = 0; run < runs; run += 1) {
      const point = killPoints[run % killPoints.length] ?? 'after-commit';
      const commits = 1 + Math.floor(random() * 3);
      for (let i = 0; i < commits; i += 1) await kiosk.commit();
      if (point === 'self-after-commit') {
        // The real process kills itself (SIGKILL) right after its next commit.
        await gateway.restart(['--exit-after-commit', '1']);
      } else if (point === 'before-commit') armed = { kind: 'kill-before-commit' };
      else if (point === 'during-ingest')
        armed = { kind: 'kill-during', ms: Math.floor(random() * 25) };
      else if (point === 'after-commit') armed = { kind: 'kill-after-commit' };
      else armed = { kind: 'kill-mid-reply' };
      await kiosk.engine.trigger();
      if (point === 'self-after-commit') {
        await Promise.race([gateway.exited(), new Promise((r) => setTimeout(r, 3_000))]);
        if (isDead()) kills += 1;
      } else if (point === 'during-ingest' && !isDead()) {
        await new Promise((r) => setTimeout(r, 40));
      }
      armed = undefined;
      if (!isDead()) {
        figures.notes.push(`run ${run} (${point}): the gateway was not killed`);
      } else {
        perPoint.set(point, (perPoint.get(point) ?? 0) + 1);
        figures.faultRuns += 1;
      }
      // The kiosk keeps going while the gateway is down: commits never wait for the link.
      const extra = 1 + Math.floor(random() * 2);
      for (let i = 0; i < extra; i += 1) await kiosk.commit();
      committedWhileDown += extra;
      await kiosk.engine.trigger();
      await gateway.restart([]);
      if (run % 5 === 4) await kiosk.drain();
    }
    const rounds = await kiosk.drain(20);
    if ((await kiosk.queued()) > 0)
      figures.problems.push(`queue not drained after ${rounds} rounds`);
  } finally {
    await kiosk.close();
    await proxy.close();
    await gateway.stop().catch(() => undefined);
  }
  const check = checkDelivery(
    kiosk.committed,
    readGatewayRecords(path.join(dataDir, 'gateway.sqlite'), kioskId),
  );
  rmSync(dataDir, { recursive: true, force: true });
  figures.kills = kills;
  figures.committed = kiosk.committed.length;
  figures.lost = check.lost;
  figures.duplicated = check.duplicated;
  figures.problems.push(...check.problems);
  figures.notes.push(
    `kills by point: ${[...perPoint].map(([p, n]) => `${p}=${n}`).join(' ')}`,
    `${committedWhileDown} commits made while the gateway was down`,
  );
  return figures;
}
