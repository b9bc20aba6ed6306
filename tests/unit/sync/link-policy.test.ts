import { describe, expect, it } from 'vitest';
import { LINK_ESTIMATE_MAX_AGE_MS, LinkPolicy } from '../../../sync/client/link-policy';

/** A full batch whose run's drain rate sets no cap (no time has passed on the drain's clock). */
const FULL = { drainedBytes: 0, drainedMs: 0 };

describe('the link policy (request timeouts and batch sizes that follow the link)', () => {
  it('waits the initial timeout before anything is measured, and 5 s for the first probe', () => {
    const policy = new LinkPolicy();
    expect(policy.timeoutFor(40_000)).toBe(20_000);
    expect(policy.timeoutFor(0, { unmeasuredMs: 5_000 })).toBe(5_000);
  });

  it('times a request by its bytes over the measured throughput plus the round trip, three times over', () => {
    const policy = new LinkPolicy();
    policy.answered({ bytes: 0, elapsedMs: 800, roundTrip: true });
    expect(policy.rttMs).toBe(800);
    // 64 kbit/s is 8,000 B/s: 16,000 bytes took 2 s beyond the round trip.
    policy.answered({ bytes: 16_000, elapsedMs: 2_800 });
    expect(policy.bytesPerSecond).toBe(8_000);
    // 80,000 B: 10 s on the wire + 0.8 s round trip, times 3.
    expect(policy.timeoutFor(80_000)).toBe(32_400);
    // Twice the bytes, (nearly) twice the time: the timeout follows the bytes in flight.
    expect(policy.timeoutFor(160_000)).toBe(62_400);
  });

  it('keeps timeouts within bounds: never under 5 s on a fast link, never over 10 minutes', () => {
    const policy = new LinkPolicy();
    policy.answered({ bytes: 0, elapsedMs: 2, roundTrip: true });
    policy.answered({ bytes: 1_000_000, elapsedMs: 102 });
    expect(policy.timeoutFor(10_000)).toBe(5_000);
    const slow = new LinkPolicy();
    slow.answered({ bytes: 0, elapsedMs: 1_000, roundTrip: true });
    slow.answered({ bytes: 10_000, elapsedMs: 11_000 });
    expect(slow.timeoutFor(100_000_000)).toBe(600_000);
  });

  it('does not let a long round trip be cut short while the throughput is still unknown', () => {
    const policy = new LinkPolicy({ requestTimeoutMs: 1_000 });
    policy.answered({ bytes: 0, elapsedMs: 2_000, roundTrip: true });
    expect(policy.timeoutFor(50_000)).toBe(6_000);
  });

  it('waits twice as long after each timeout, until a reply comes, then comes back down', () => {
    const policy = new LinkPolicy({ requestTimeoutMs: 20_000 });
    const waits: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      const timeout = policy.timeoutFor(30_000);
      waits.push(timeout);
      policy.timedOut(timeout);
    }
    expect(waits).toEqual([20_000, 40_000, 80_000, 160_000]);
    expect(policy.timeouts).toBe(4);
    // The reply that finally came took 150 s for 30 KB: the link is that slow.
    policy.answered({ bytes: 0, elapsedMs: 1_000, roundTrip: true });
    policy.answered({ bytes: 30_000, elapsedMs: 150_000 });
    expect(policy.timeoutFor(30_000)).toBe(450_000);
    // Replies on a link that has become quick: the raised floor halves away.
    for (let i = 0; i < 12; i += 1) policy.answered({ bytes: 30_000, elapsedMs: 1_300 });
    expect(policy.timeoutFor(30_000)).toBeLessThan(20_000);
  });

  it('never raises the timeout past its cap, however many requests time out', () => {
    const policy = new LinkPolicy({ requestTimeoutMs: 20_000 });
    for (let i = 0; i < 20; i += 1) policy.timedOut(policy.timeoutFor(1_000));
    expect(policy.timeoutFor(1_000)).toBe(600_000);
  });

  it('halves the batch after a failure and grows it at most fourfold after a quick batch, within bounds', () => {
    const policy = new LinkPolicy({ batchBytes: { initial: 64_000, min: 8_000, max: 256_000 } });
    const sizes: number[] = [];
    for (let i = 0; i < 4; i += 1) {
      policy.failed();
      sizes.push(policy.batchBytes);
    }
    for (let i = 0; i < 7; i += 1) {
      policy.batchAnswered(100, policy.batchBytes, FULL);
      sizes.push(policy.batchBytes);
    }
    expect(sizes).toEqual([
      32_000, 16_000, 8_000, 8_000, 32_000, 128_000, 256_000, 256_000, 256_000, 256_000, 256_000,
    ]);
  });

  it('raises the size only after a full batch: a quick answer to a few records says nothing of a full one', () => {
    const policy = new LinkPolicy({ batchBytes: { initial: 64_000, min: 8_000, max: 4_000_000 } });
    policy.answered({ bytes: 0, elapsedMs: 300, roundTrip: true });
    for (let i = 0; i < 10; i += 1) policy.batchAnswered(320);
    expect(policy.batchBytes).toBe(64_000);
    // A batch that was not full but took longer than the target still lowers it.
    policy.batchAnswered(10_300);
    expect(policy.batchBytes).toBe(32_000);
    policy.batchAnswered(320, 32_000, FULL);
    expect(policy.batchBytes).toBe(128_000);
  });

  it('judges a batch by its transfer time beyond the round trip, against 4 round trips on a long link', () => {
    const policy = new LinkPolicy({
      batchBytes: { initial: 64_000, min: 8_000, max: 1_000_000 },
      targetBatchMs: 2_000,
    });
    // The first probe paid a handshake too; the least round trip is the link's.
    policy.answered({ bytes: 0, elapsedMs: 1_600, roundTrip: true });
    policy.answered({ bytes: 0, elapsedMs: 800, roundTrip: true });
    expect(policy.minRttMs).toBe(800);
    expect(policy.targetBatchMs).toBe(3_200);
    // 0.8 s round trip + 1.2 s transfer: under half of 3.2 s, so the next should take 2.4 s.
    policy.batchAnswered(2_000, 64_000, FULL);
    expect(policy.batchBytes).toBe(128_000);
    // 0.8 + 2.4 s: between half and the target, kept.
    policy.batchAnswered(3_200, 128_000);
    expect(policy.batchBytes).toBe(128_000);
    // 0.8 + 4.8 s: over the target, scaled to take 2.4 s.
    policy.batchAnswered(5_600, 128_000);
    expect(policy.batchBytes).toBe(64_000);
    // 0.8 + 20 s: far over, but never less than half at once.
    policy.batchAnswered(20_800, 64_000);
    expect(policy.batchBytes).toBe(32_000);
  });

  it('never sizes a batch to take longer than the target at the rate the run has drained', () => {
    const policy = new LinkPolicy({
      batchBytes: { initial: 100_000, min: 8_000, max: 4_000_000 },
      targetBatchMs: 5_000,
    });
    policy.answered({ bytes: 0, elapsedMs: 300, roundTrip: true });
    // Timed while sharing the link, the batch looks four times quicker than the link: 0.5 s.
    // Alone it would grow to 400 KB; the run drained 500 KB in 10 s, 50 KB/s: 250 KB in 5 s.
    policy.batchAnswered(800, 100_000, { drainedBytes: 500_000, drainedMs: 10_000 });
    expect(policy.batchBytes).toBe(250_000);
    // A slow start does not shrink a batch by more than half at once.
    policy.batchAnswered(2_800, 250_000, { drainedBytes: 600_000, drainedMs: 60_000 });
    expect(policy.batchBytes).toBe(125_000);
    // A drain rate that allows more than the batch's own timing changes nothing.
    policy.batchAnswered(3_300, 125_000, { drainedBytes: 10_000_000, drainedMs: 1_000 });
    expect(policy.batchBytes).toBe(125_000);
  });

  it('scales from the batch that was measured, so the one prepared meanwhile does not count twice', () => {
    const policy = new LinkPolicy({
      batchBytes: { initial: 10_000, min: 1_000, max: 1_000_000 },
      targetBatchMs: 4_000,
    });
    // Both batches were taken at 10 KB before either reply came; both took 1 s of a 3 s aim.
    policy.batchAnswered(1_000, 10_000, FULL);
    policy.batchAnswered(1_000, 10_000, FULL);
    expect(policy.batchBytes).toBe(30_000);
    // A small batch (the queue ran short) that was quick does not shrink the size.
    policy.batchAnswered(100, 2_000);
    expect(policy.batchBytes).toBe(30_000);
  });

  it("estimates a batch's time on the link from the quickest of the last four full batches", () => {
    const policy = new LinkPolicy();
    expect(policy.batchTransferMs(100_000)).toBeUndefined();
    policy.answered({ bytes: 0, elapsedMs: 300, roundTrip: true });
    // A batch's answer without `full` (the queue's end cut it short) is no sample.
    policy.batchAnswered(1_300, 64_000);
    expect(policy.batchTransferMs(100_000)).toBeUndefined();
    const drained = { drainedBytes: 1, drainedMs: 1 };
    // 100 KB in 1,300 - 300 ms: 100 B/ms.
    policy.batchAnswered(1_300, 100_000, { bytes: 100_000, ...drained });
    expect(policy.batchTransferMs(50_000)).toBe(500);
    // A slower sample (it shared the link, or the gateway was busy) does not slow the estimate;
    // a quicker one (200 B/ms) speeds it up.
    policy.batchAnswered(2_300, 100_000, { bytes: 100_000, ...drained });
    expect(policy.batchTransferMs(50_000)).toBe(500);
    policy.batchAnswered(800, 100_000, { bytes: 100_000, ...drained });
    expect(policy.batchTransferMs(50_000)).toBe(250);
    // It stays among the last four for three more samples, then leaves: 100 B/ms again.
    for (let i = 0; i < 3; i += 1) {
      policy.batchAnswered(1_300, 100_000, { bytes: 100_000, ...drained });
    }
    expect(policy.batchTransferMs(50_000)).toBe(250);
    policy.batchAnswered(1_300, 100_000, { bytes: 100_000, ...drained });
    expect(policy.batchTransferMs(50_000)).toBe(500);
  });

  it('launches the next batch a round trip, two fifths of the transfer ahead, or 50 ms early, whichever is longest', () => {
    const policy = new LinkPolicy();
    expect(policy.launchLeadMs(100)).toBe(50);
    expect(policy.launchLeadMs(5_000)).toBe(2_000);
    policy.answered({ bytes: 0, elapsedMs: 800, roundTrip: true });
    expect(policy.launchLeadMs(100)).toBe(800);
    expect(policy.launchLeadMs(5_000)).toBe(2_000);
    // A batch as large as the one ahead: the same lead. A smaller one (the queue's last) at most
    // half its own transfer ahead, so it finishes after the one ahead; never under a round trip.
    expect(policy.launchLeadMs(5_000, 5_000)).toBe(2_000);
    expect(policy.launchLeadMs(5_000, 2_400)).toBe(1_200);
    expect(policy.launchLeadMs(5_000, 600)).toBe(800);
  });

  it('learns the least round trip from any small exchange, not only the probe', () => {
    const policy = new LinkPolicy();
    // The probe opened a new connection: handshake and request, two round trips.
    policy.answered({ bytes: 0, elapsedMs: 1_600, roundTrip: true });
    policy.answered({ bytes: 170, replyBytes: 90, elapsedMs: 800 });
    expect(policy.minRttMs).toBe(800);
    expect(policy.rttMs).toBe(1_600);
    // A large reply is no round-trip sample.
    policy.answered({ bytes: 0, replyBytes: 40_000, elapsedMs: 300 });
    expect(policy.minRttMs).toBe(800);
  });

  it('takes no least round trip from an exchange sent while a batch was on the wire', () => {
    const policy = new LinkPolicy();
    // A probe and a heartbeat sent while a batch was on the wire waited behind its bytes.
    policy.answered({
      bytes: 0,
      replyBytes: 40,
      elapsedMs: 3_000,
      roundTrip: true,
      queuedBehindBatch: true,
    });
    policy.answered({ bytes: 170, replyBytes: 90, elapsedMs: 2_000, queuedBehindBatch: true });
    expect(policy.minRttMs).toBeUndefined();
    // Its time still counts towards the round trip timeouts follow (a longer wait, not a shorter).
    expect(policy.rttMs).toBe(3_000);
    policy.answered({ bytes: 0, replyBytes: 40, elapsedMs: 400, roundTrip: true });
    expect(policy.minRttMs).toBe(400);
  });

  it('times requests out at the throughput of batches timed from their own send when that is lower', () => {
    const policy = new LinkPolicy();
    policy.answered({ bytes: 0, elapsedMs: 100, roundTrip: true });
    // A batch sent behind one that stalled, answered 400 ms after the other's bytes were through
    // but 8.1 s after it was sent: 100,000 B/s measured, 5,000 B/s from its own send.
    policy.answered({ bytes: 40_000, elapsedMs: 500, sentElapsedMs: 8_100 });
    expect(policy.bytesPerSecond).toBe(100_000);
    // The timeout for 40,000 B waits for them at 5,000 B/s: 3 × (100 + 8,000) ms.
    expect(policy.timeoutFor(40_000)).toBe(24_300);
    expect(policy.transferAllowanceMs(40_000)).toBe(24_000);
    // A batch timed from its own send (sentElapsedMs absent) counts the same both ways.
    const alone = new LinkPolicy();
    alone.answered({ bytes: 0, elapsedMs: 100, roundTrip: true });
    alone.answered({ bytes: 40_000, elapsedMs: 500 });
    expect(alone.timeoutFor(40_000)).toBe(5_000);
    expect(alone.transferAllowanceMs(40_000)).toBe(1_200);
  });

  it("does not raise the batches' timeout floor for a probe that timed out beside a batch", () => {
    const policy = new LinkPolicy({ requestTimeoutMs: 20_000 });
    policy.timedOut(15_000, { roundTrip: true, besideBatch: true });
    expect(policy.timeouts).toBe(1);
    expect(policy.timeoutFor(30_000)).toBe(20_000);
    // A probe alone that times out, or a batch, raises it.
    policy.timedOut(15_000, { roundTrip: true });
    expect(policy.timeoutFor(30_000)).toBe(30_000);
    policy.timedOut(20_000, { besideBatch: true });
    expect(policy.timeoutFor(30_000)).toBe(40_000);
    expect(policy.timeouts).toBe(3);
  });

  it('keeps to the configured target on a short round trip', () => {
    const policy = new LinkPolicy({ targetBatchMs: 5_000 });
    policy.answered({ bytes: 0, elapsedMs: 40, roundTrip: true });
    expect(policy.targetBatchMs).toBe(5_000);
  });

  it('refuses bounds that cannot hold', () => {
    expect(
      () => new LinkPolicy({ batchBytes: { initial: 1_000, min: 2_000, max: 3_000 } }),
    ).toThrow(/min ≤ initial ≤ max/);
    expect(() => new LinkPolicy({ requestTimeoutMs: 0 })).toThrow(/positive/);
  });

  describe('kept across a restart', () => {
    /** A policy that has drained at 256 kbit/s (32,000 B/s) over a 300 ms link. */
    const measured = (): LinkPolicy => {
      const policy = new LinkPolicy();
      policy.answered({ bytes: 0, elapsedMs: 300, roundTrip: true });
      policy.answered({ bytes: 64_000, elapsedMs: 2_300 });
      // Full batches of 600 KB of canonical JSON, 2 s beyond the round trip each.
      for (let i = 0; i < 3; i += 1)
        policy.batchAnswered(2_300, policy.batchBytes, {
          bytes: 600_000,
          drainedBytes: 1_800_000,
          drainedMs: 6_900,
        });
      return policy;
    };

    it('keeps nothing until a round trip, the throughput and a full batch are measured', () => {
      const policy = new LinkPolicy();
      expect(policy.estimate(1)).toBeUndefined();
      policy.answered({ bytes: 0, elapsedMs: 300, roundTrip: true });
      policy.answered({ bytes: 64_000, elapsedMs: 2_300 });
      expect(policy.estimate(1)).toBeUndefined();
    });

    it('starts a new policy at the pace kept: timeouts, launch pace and batch size as before', () => {
      const before = measured();
      const kept = before.estimate(1_000)!;
      expect(kept).toMatchObject({ at: 1_000, minRttMs: 300, rttMs: 300, bytesPerSecond: 32_000 });
      const after = new LinkPolicy();
      expect(after.batchBytes).toBe(64 * 1024);
      expect(after.resume(kept, 2_000)).toBe(true);
      expect(after.batchBytes).toBe(before.batchBytes);
      expect(after.batchBytes).toBeGreaterThan(64 * 1024);
      expect(after.timeoutFor(320_000)).toBe(before.timeoutFor(320_000));
      expect(after.batchTransferMs(600_000)).toBe(before.batchTransferMs(600_000));
      expect(after.launchLeadMs(2_000)).toBe(before.launchLeadMs(2_000));
      // Not twice: a policy that has measured its own link keeps what it measured.
      expect(after.resume({ ...kept, batchBytes: 8_192 }, 2_000)).toBe(false);
      expect(after.batchBytes).toBe(before.batchBytes);
    });

    it("neither raises the size in use nor the size kept after a queue's small last batches", () => {
      const policy = measured();
      const size = policy.batchBytes;
      // The queue's last batches: small (not full), answered in a round trip each.
      policy.batchAnswered(320);
      policy.batchAnswered(320);
      expect(policy.batchBytes).toBe(size);
      expect(policy.estimate(0)?.batchBytes).toBe(size);
    });

    it('keeps the resumed batch size within its own bounds', () => {
      const kept = measured().estimate(0)!;
      const small = new LinkPolicy({ batchBytes: { initial: 4_000, min: 2_000, max: 16_000 } });
      expect(small.resume(kept, 0)).toBe(true);
      expect(small.batchBytes).toBe(16_000);
    });

    it('ignores an estimate too old, from the future, or with a value out of range', () => {
      const kept = measured().estimate(0)!;
      expect(new LinkPolicy().resume(kept, LINK_ESTIMATE_MAX_AGE_MS + 1)).toBe(false);
      expect(new LinkPolicy().resume(kept, -1)).toBe(false);
      for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) {
        const policy = new LinkPolicy();
        expect(policy.resume({ ...kept, bytesPerSecond: bad }, 0)).toBe(false);
        expect(policy.batchBytes).toBe(64 * 1024);
        expect(policy.timeoutFor(40_000)).toBe(20_000);
      }
    });

    it('after a resumed estimate that was too quick, times out, halves and waits longer as usual', () => {
      const kept = measured().estimate(0)!;
      const policy = new LinkPolicy();
      policy.resume(kept, 0);
      const size = policy.batchBytes;
      const timeout = policy.timeoutFor(200_000);
      policy.timedOut(timeout);
      policy.failed();
      expect(policy.batchBytes).toBe(Math.floor(size / 2));
      expect(policy.timeoutFor(200_000)).toBe(2 * timeout);
    });
  });
});
