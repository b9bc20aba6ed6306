/**
 * The gateway's data directory on a full filesystem: a tiny tmpfs (1 MB, 4 MB at full scale)
 * filled almost to the brim. The
 * gateway must answer with a clear error (and stay up), keep an intact database
 * (`PRAGMA integrity_check`), survive a SIGKILL and restart while full, and deliver everything
 * exactly once once space is freed. Needs root for `mount`; without it the suite says so.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statfsSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startFaultProxy } from '../support/fault-proxy';
import { startGatewayProcess } from '../support/gateway-process';
import type { GatewayProcess } from '../support/gateway-process';
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import { checkDelivery, proofInput, readGatewayRecords, startNodeKiosk } from './node-kiosk';

function integrity(file: string): string {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = sqlite.pragma('integrity_check') as Array<{ integrity_check: string }>;
    return rows.map((r) => r.integrity_check).join('; ');
  } finally {
    sqlite.close();
  }
}

/** Mounts a tmpfs of `size`; false when this process may not mount (not root, no tmpfs). */
export function mountTmpfs(dir: string, size: string): boolean {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

function fillUp(dir: string, leaveBytes: number): string {
  const filler = path.join(dir, 'filler.bin');
  const { bavail, bsize } = statfsSync(dir);
  const free = Number(bavail) * Number(bsize);
  writeFileSync(filler, Buffer.alloc(Math.max(0, free - leaveBytes)));
  return filler;
}

export async function runDiskFull(scale: Scale): Promise<SuiteFigures> {
  const figures = emptyFigures('disk full');
  const rounds = scale === 'full' ? 5 : 1;
  const mountPoint = mkdtempSync(path.join(tmpdir(), 'sp-proof-full-'));
  // 1 MB holds one round; the full scale's five rounds of bulky batches need a little more room.
  if (!mountTmpfs(mountPoint, scale === 'full' ? '4m' : '1m')) {
    rmSync(mountPoint, { recursive: true, force: true });
    figures.notes.push('SKIPPED: cannot mount a tmpfs here (needs root); no full-disk figures');
    return figures;
  }
  const kioskId = 'proof-full-01';
  const token = 'proof-full-token';
  const file = path.join(mountPoint, 'gateway.sqlite');
  let gateway: GatewayProcess | undefined;
  const statuses = new Map<string, number>();
  try {
    gateway = await startGatewayProcess({ dataDir: mountPoint, tokens: [{ kioskId, token }] });
    const gw = gateway;
    const proxy = await startFaultProxy({ upstream: gw.url });
    const kiosk = await startNodeKiosk({ kioskId, token, gatewayUrl: proxy.url });
    // Big but ordinary answers: a few KB of non-personal text per transaction.
    const bulky = {
      ...proofInput,
      fields: { ...proofInput.fields, district: 'x'.repeat(6_000) },
    };
    try {
      await kiosk.commit();
      await kiosk.drain();
      for (let round = 0; round < rounds; round += 1) {
        const filler = fillUp(mountPoint, 4_096);
        for (let i = 0; i < 6; i += 1) await kiosk.commit(bulky);
        await kiosk.engine.trigger();
        figures.faultRuns += 1;
        const lastError = kiosk.engine.status.lastError ?? '';
        const refused = /507 .*storage-full/.test(lastError);
        statuses.set(lastError.slice(0, 80), (statuses.get(lastError.slice(0, 80)) ?? 0) + 1);
        if (!refused)
          figures.problems.push(`round ${round}: no clear disk-full error (${lastError})`);
        if (gw.child.exitCode !== null || gw.child.signalCode !== null) {
          figures.problems.push(`round ${round}: the gateway died on a full disk`);
          await gw.restart([]);
        }
        const check = integrity(file);
        if (check !== 'ok') figures.problems.push(`round ${round}: integrity_check says ${check}`);
        // A crash while the disk is full, and a restart on the still-full disk.
        await gw.kill();
        figures.kills += 1;
        try {
          await gw.restart([]);
        } catch (error) {
          figures.notes.push(
            `restart on a full disk failed: ${(error as Error).message.slice(0, 120)}`,
          );
        }
        const after = integrity(file);
        if (after !== 'ok')
          figures.problems.push(`round ${round}: after kill, integrity_check says ${after}`);
        if ((await kiosk.queued()) === 0)
          figures.problems.push(`round ${round}: the disk never filled`);
        unlinkSync(filler);
        if (gw.child.exitCode !== null || gw.child.signalCode !== null) await gw.restart([]);
        const drained = await kiosk.drain(8);
        if ((await kiosk.queued()) > 0) {
          figures.problems.push(
            `round ${round}: not recovered after ${drained} rounds once space was freed`,
          );
        }
      }
    } finally {
      await kiosk.close();
      await proxy.close();
      await gw.stop().catch(() => undefined);
    }
    const check = checkDelivery(kiosk.committed, readGatewayRecords(file, kioskId));
    const final = integrity(file);
    if (final !== 'ok') figures.problems.push(`final integrity_check says ${final}`);
    figures.committed = kiosk.committed.length;
    figures.lost = check.lost;
    figures.duplicated = check.duplicated;
    figures.problems.push(...check.problems);
    figures.notes.push(
      `errors seen on a full disk: ${[...statuses].map(([s, n]) => `"${s}" x${n}`).join(', ')}`,
      `integrity_check: ${final}`,
    );
  } finally {
    try {
      execFileSync('umount', [mountPoint], { stdio: 'pipe' });
    } catch {
      // Already gone: nothing to undo.
    }
    rmSync(mountPoint, { recursive: true, force: true });
  }
  return figures;
}
