import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DrainWindow } from '../../../sync/client/drain-window';
import type { DrainWindowDeps } from '../../../sync/client/drain-window';
import { encryptLocal } from '../../../sync/client/data-key';
import type { BatchSendOptions } from '../../../sync/client/gateway-client';
import type { OutboxRow } from '../../../sync/client/store/outbox-store';
import { canonicalJson } from '../../../sync/protocol/canonical-json';
import type { ChainRecord } from '../../../sync/protocol/records';

/**
 * The drain pass's pacing, on a fake clock: a fake client whose replies (and whose "request is
 * signed and handed to fetch" moment) the test releases, and a link whose estimates it sets.
 */

function rows(count: number): OutboxRow[] {
  return Array.from({ length: count }, (_, i) => ({
    seq: i + 1,
    txId: `tx-${i + 1}`,
    state: 'queued' as const,
    record: { kind: 'officer', body: { txId: `tx-${i + 1}` } } as unknown as ChainRecord,
    queuedAt: 0,
    attempts: 0,
  }));
}

interface Sent {
  at: number;
  seqs: number[];
  /** Resolves its reply (linkMs as given). */
  answer: (linkMs?: number) => void;
  /** Calls the sender's `onSending` (when the fake was told to wait for it). */
  signed: () => void;
}

function harness(options: {
  queue: number | OutboxRow[];
  batchBytes?: number;
  dataKey?: CryptoKey;
  /** A batch's estimated time on the link (ms), or a function of its bytes. */
  transferMs?: number | ((bytes: number) => number);
  /** The launch lead (ms), or a function of the transfer ahead and the batch's own. */
  leadMs?: number | ((aheadMs: number, ownMs?: number) => number);
  /** The fake client calls `onSending` only when the test says so (default: at once). */
  holdSigning?: boolean;
  depth?: number;
}) {
  const queue = typeof options.queue === 'number' ? rows(options.queue) : options.queue;
  const settled: number[][] = [];
  const sent: Sent[] = [];
  const reads: number[] = [];
  const answered: Array<{ bytes?: number } | undefined> = [];
  const link = {
    // One row per batch by default (a batch holds at least one row).
    batchBytes: options.batchBytes ?? 1,
    batchAnswered: (_ms: number, _limit?: number, full?: { bytes?: number }) => {
      answered.push(full);
    },
    batchTransferMs: (bytes: number) =>
      typeof options.transferMs === 'function' ? options.transferMs(bytes) : options.transferMs,
    launchLeadMs: (aheadMs: number, ownMs?: number) =>
      typeof options.leadMs === 'function'
        ? options.leadMs(aheadMs, ownMs)
        : (options.leadMs ?? 50),
  };
  const deps: DrainWindowDeps = {
    store: {
      queued: async (limit: number, afterSeq = 0) => {
        reads.push(Date.now());
        return queue.filter((row) => row.seq > afterSeq).slice(0, limit);
      },
      settle: async (outcomes) => {
        settled.push(outcomes.map((outcome) => outcome.seq));
        return outcomes.length;
      },
    },
    client: {
      protocol: 1,
      postBatch: (batch: { items: Array<{ record: ChainRecord }> }, send: BatchSendOptions = {}) =>
        new Promise((resolve) => {
          const entry: Sent = {
            at: Date.now(),
            seqs: batch.items.map((item) => Number(item.record.body.txId.slice(3))),
            answer: (linkMs = 100) =>
              resolve({ results: [], head: { seq: 0, hash: '' }, wireBytes: 100, linkMs }),
            signed: () => send.onSending?.(),
          };
          sent.push(entry);
          if (!options.holdSigning) send.onSending?.();
        }),
      postBatchV2: () => Promise.reject(new Error('v1 only')),
    } as unknown as DrainWindowDeps['client'],
    link,
    now: () => Date.now(),
    kioskId: 'k-1',
    batchesInFlight: options.depth ?? 2,
    dataKey: options.dataKey,
    gatewayKey: () => Promise.reject(new Error('no personal fields here')),
    writeResults: async (batchRows) => batchRows.length,
  };
  return { window: new DrainWindow(deps), sent, reads, answered, settled, link };
}

describe('the drain pass paces its batches by the link', () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('sends the first batches side by side while the link is not measured', async () => {
    const { window, sent } = harness({ queue: 3, transferMs: undefined });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.at)).toEqual([0, 0]);
    sent[0]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.at)).toEqual([0, 0, 0]);
    for (const s of sent.slice(1)) s.answer();
    await expect(pass).resolves.toBe(false);
  });

  it('holds a ready batch until the lead before the link is free of the one ahead', async () => {
    // Each batch is estimated to take 300 ms on the link; the next may go 100 ms before.
    const { window, sent } = harness({ queue: 3, transferMs: 300, leadMs: 100 });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(150);
    expect(sent.map((s) => s.at)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(100);
    // Not side by side (0), not after the first's answer (none yet): at 300 - 100 ms.
    expect(sent.map((s) => s.at)).toEqual([0, 200]);
    // The window is full until an answer frees a place; the link is then still estimated busy
    // with the second batch (sent at 200, until 500 at the earliest: 600), so the third waits.
    sent[0]?.answer();
    await vi.advanceTimersByTimeAsync(100);
    expect(sent).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(200);
    expect(sent.map((s) => s.at)).toEqual([0, 200, 500]);
    sent[1]?.answer();
    sent[2]?.answer();
    await expect(pass).resolves.toBe(false);
    expect(sent.map((s) => s.seqs)).toEqual([[1], [2], [3]]);
  });

  it("launches a batch smaller than the one ahead by its own lead, so the queue's last finishes last", async () => {
    const rowBytes = canonicalJson(rows(1)[0]!.record).length;
    // Two rows, then the queue's last row alone; a row takes 1 s on the link. The lead the link
    // policy gives is two fifths of the transfer ahead, at most half the batch's own.
    const { window, sent } = harness({
      queue: 3,
      batchBytes: 2 * rowBytes,
      transferMs: (bytes) => (bytes / rowBytes) * 1_000,
      leadMs: (aheadMs, ownMs) => Math.min(0.4 * aheadMs, (ownMs ?? Infinity) / 2),
    });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(1_400);
    // Two fifths of 2 s ahead would be 1,200 ms; half its own 1 s is 1,500.
    expect(sent.map((s) => s.at)).toEqual([0]);
    await vi.advanceTimersByTimeAsync(100);
    expect(sent.map((s) => s.at)).toEqual([0, 1_500]);
    expect(sent.map((s) => s.seqs)).toEqual([[1, 2], [3]]);
    sent[0]?.answer();
    sent[1]?.answer();
    await expect(pass).resolves.toBe(false);
  });

  it('sends a held batch at once when the last batch sent is answered before the estimate', async () => {
    const { window, sent } = harness({ queue: 3, transferMs: 2_000, leadMs: 100 });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(1_950);
    expect(sent.map((s) => s.at)).toEqual([0, 1_900]);
    // The third would go at 3,900 (the second estimated through at 4,000), but the second's
    // answer at 2,000 says every byte sent before it is through, though the first is unanswered.
    await vi.advanceTimersByTimeAsync(50);
    sent[1]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.at)).toEqual([0, 1_900, 2_000]);
    sent[0]?.answer();
    sent[2]?.answer();
    await expect(pass).resolves.toBe(false);
  });

  it('reads the next batch only once the last one sent is signed and handed to fetch', async () => {
    const { window, sent, reads } = harness({ queue: 3, holdSigning: true });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(0);
    // The first batch was read and sent; its request is still being signed and compressed.
    expect(sent).toHaveLength(1);
    expect(reads).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(500);
    expect(reads).toHaveLength(1);
    sent[0]?.signed();
    await vi.advanceTimersByTimeAsync(0);
    expect(reads).toEqual([0, 500]);
    expect(sent).toHaveLength(2);
    sent[1]?.signed();
    await vi.advanceTimersByTimeAsync(0);
    // The third is read (and waits for a place in the window).
    expect(reads).toHaveLength(3);
    expect(sent).toHaveLength(2);
    sent[0]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    sent[2]?.signed();
    sent[1]?.answer();
    sent[2]?.answer();
    await expect(pass).resolves.toBe(false);
  });

  it('takes a ready batch again at a size an answer raised by half or more, while another keeps the link busy', async () => {
    // Rows are about 40 bytes: at a limit of 2 bytes each batch holds one.
    const { window, sent, reads, link } = harness({ queue: 6, batchBytes: 2 });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(0);
    // Two sent, the third read and sealed at the same size, waiting for a place.
    expect(sent.map((s) => s.seqs)).toEqual([[1], [2]]);
    expect(reads).toHaveLength(3);
    // The first answer raised the size to 1.5 times the third's limit: the third is read again
    // (the second still keeps the link busy). One row still exceeds 3 bytes: it goes alone.
    link.batchBytes = 3;
    sent[0]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.seqs)).toEqual([[1], [2], [3]]);
    // Reads: the first three, the third again, and the fourth made ready behind it.
    expect(reads).toHaveLength(5);
    // Raised far enough for the rest: the fourth (ready at 3 bytes, one row) is taken again.
    link.batchBytes = 1_000;
    sent[1]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent[3]?.seqs).toEqual([4, 5, 6]);
    for (const s of sent.slice(2)) s.answer();
    await expect(pass).resolves.toBe(false);
  });

  it('sends a ready batch as it is when nothing else is on the wire, whatever the new size', async () => {
    const { window, sent, link } = harness({ queue: 5, batchBytes: 2, depth: 1 });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent.map((s) => s.seqs)).toEqual([[1]]);
    link.batchBytes = 1_000;
    sent[0]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    // The link is idle: the second goes as it was made ready, the third at the new size.
    expect(sent.map((s) => s.seqs)).toEqual([[1], [2]]);
    sent[1]?.answer();
    await vi.advanceTimersByTimeAsync(0);
    expect(sent[2]?.seqs).toEqual([3, 4, 5]);
    sent[2]?.answer();
    await expect(pass).resolves.toBe(false);
  });

  it("tells the link each full batch's own size, its sample of the transfer estimate", async () => {
    const { window, sent, answered } = harness({ queue: 2 });
    const pass = window.pass();
    await vi.advanceTimersByTimeAsync(0);
    for (const s of sent) s.answer();
    await expect(pass).resolves.toBe(false);
    // A one-row batch's bytes: the canonical JSON of its record.
    const size = JSON.stringify({ body: { txId: 'tx-1' }, kind: 'officer' }).length;
    expect(answered.map((full) => full?.bytes)).toEqual([size, size]);
  });
});

describe('a held batch with rows whose personal copy cannot be opened', () => {
  it('rejects those rows once, however long the batch is held', async () => {
    const dataKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const otherKey = await crypto.subtle.generateKey({ name: 'AES-GCM', length: 256 }, false, [
      'encrypt',
      'decrypt',
    ]);
    const [first, , third] = rows(3);
    // A large first row goes alone; the second (sealed with another key) and third go together.
    const big = {
      ...first!,
      record: { kind: 'officer', body: { txId: 'tx-1', note: 'x'.repeat(2_000) } },
    } as unknown as OutboxRow;
    const unreadable = {
      seq: 2,
      txId: 'tx-2',
      state: 'queued',
      record: { kind: 'transaction', body: { txId: 'tx-2', personal: { digest: 'd' } } },
      personalLocal: await encryptLocal(otherKey, '{}', 'tx-2'),
      queuedAt: 0,
      attempts: 0,
    } as unknown as OutboxRow;
    const { window, sent, settled } = harness({
      queue: [big, unreadable, third!],
      batchBytes: 1_000,
      dataKey,
      // The second batch is held 200 ms (real time) behind the first.
      transferMs: 300,
      leadMs: 100,
    });
    const pass = window.pass();
    await vi.waitFor(() => expect(sent).toHaveLength(2), { timeout: 5_000 });
    expect(sent.map((s) => s.seqs)).toEqual([[1], [3]]);
    expect(sent[1]!.at - sent[0]!.at).toBeGreaterThanOrEqual(150);
    for (const s of sent) s.answer();
    await expect(pass).resolves.toBe(false);
    expect(settled).toEqual([[2]]);
  });
});

describe("the queue's last batch goes small", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 0 });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  /** Rows of `pad` bytes and a little more of canonical JSON each (the read assumes ≥ 500). */
  function largeRows(count: number, pad = 20_000): OutboxRow[] {
    return rows(count).map((row) => ({
      ...row,
      record: {
        ...row.record,
        // Ids of one length: every row the same size.
        body: { txId: `tx-${String(row.seq).padStart(4, '0')}`, note: 'x'.repeat(pad) },
      } as unknown as ChainRecord,
    }));
  }
  /** Drains `count` rows with a limit of `perBatch` rows a batch; the batches' sizes in rows. */
  async function batchSizes(count: number, pad?: number, perBatch = 10): Promise<number[]> {
    const queue = largeRows(count, pad);
    const rowBytes = JSON.stringify(queue[0]!.record).length;
    const { window, sent } = harness({ queue, batchBytes: perBatch * rowBytes });
    const pass = window.pass();
    let answered = 0;
    for (let round = 0; round < 20 && answered < count; round += 1) {
      await vi.advanceTimersByTimeAsync(0);
      for (const s of sent.slice(answered)) s.answer();
      answered = sent.length;
    }
    await expect(pass).resolves.toBe(false);
    expect(sent.flatMap((s) => s.seqs)).toEqual(Array.from({ length: count }, (_, i) => i + 1));
    return sent.map((s) => s.seqs.length);
  }

  it('splits a last batch that would leave less than a fifth of the limit after it', async () => {
    // Ten rows fill a batch and one would be left: nine go, then the last two on their own.
    await expect(batchSizes(11)).resolves.toEqual([9, 2]);
    // The queue's end within a full batch: its last fifth goes on its own.
    await expect(batchSizes(30)).resolves.toEqual([10, 10, 8, 2]);
  });

  it("tells the link the split batch's own size, and never splits a batch down to no rows", async () => {
    const queue = largeRows(11);
    const rowBytes = JSON.stringify(queue[0]!.record).length;
    const split = harness({ queue, batchBytes: 10 * rowBytes });
    const pass = split.window.pass();
    await vi.advanceTimersByTimeAsync(0);
    for (const s of split.sent) s.answer();
    await vi.advanceTimersByTimeAsync(0);
    for (const s of split.sent.slice(1)) s.answer();
    await expect(pass).resolves.toBe(false);
    // The nine rows that went, not the eleven read.
    expect(split.answered.filter(Boolean).map((full) => full?.bytes)).toEqual([9 * rowBytes]);

    // One row of 72 KB and one of 16 KB, a limit of 170 KB: the large row goes alone, first.
    const uneven = [...largeRows(1, 72_000), ...largeRows(2, 16_000).slice(1)];
    const { window, sent } = harness({ queue: uneven, batchBytes: 170_000 });
    const second = window.pass();
    await vi.advanceTimersByTimeAsync(0);
    for (const s of sent) s.answer();
    await vi.advanceTimersByTimeAsync(0);
    for (const s of sent.slice(1)) s.answer();
    await expect(second).resolves.toBe(false);
    expect(sent.map((s) => s.seqs)).toEqual([[1], [2]]);
  });

  it('leaves the batches as they are when the end is far or the last batch is small', async () => {
    // Two rows would be left, a fifth of the limit: already small enough.
    await expect(batchSizes(12)).resolves.toEqual([10, 2]);
    // Under half the limit in all: one batch.
    await expect(batchSizes(4)).resolves.toEqual([4]);
    await expect(batchSizes(25)).resolves.toEqual([10, 10, 5]);
  });

  it('splits nothing while the read has not reached the queue end', async () => {
    // Rows of about 520 bytes, 320 to a batch (166 KB): the read takes 334 rows, so 14 are left
    // after the batch in what was read, under a fifth of the limit, but the queue goes on.
    await expect(batchSizes(1_000, 470, 320)).resolves.toEqual([320, 320, 320, 40]);
  });

  it('leaves small batches as they are: their round trip and work are short already', async () => {
    // Rows of about 650 bytes: a fifth of the limit is 1.3 KB, under 32 KB.
    await expect(batchSizes(11, 600)).resolves.toEqual([10, 1]);
  });
});
