import { describe, expect, it } from 'vitest';
import {
  escPosProtocol,
  starProtocol,
} from '../../../../electron/devices/printer/printer-protocol';
import {
  parseStarAsb,
  starSpreadNumber,
  starStatusRequest,
} from '../../../../electron/devices/printer/star-status';
import { createPrinterStatusService } from '../../../../electron/devices/printer/status-service';
import {
  createManualClock,
  createRecordingLogger,
  scriptedTransport,
} from './support/device-test-kit';

/**
 * Automatic status blocks as Star documents them ("STAR Line Mode Command Specifications" and
 * "StarPRNT Command Specifications", Appendix "Automatic Status"): header 1 carries the block's
 * length in bits 1-3 and 5-6 with bit 0 set (9 bytes → 0x23, 7 bytes → 0x0F); header 2 the ASB
 * version (version 3 → 0x06, with bit 7 = expansion → 0x86); then printer status 1..7.
 */
const asb = (status: number[] = [], header = [0x23, 0x86]): Uint8Array => {
  const block = [...header, 0, 0, 0, 0, 0, 0, 0].slice(0, starSpreadNumber(header[0] ?? 0));
  status.forEach((value, index) => {
    block[index + 2] = value;
  });
  return Uint8Array.from(block);
};

describe('Star automatic status (ASB)', () => {
  it('reads the documented length from header 1', () => {
    expect(starSpreadNumber(0x23)).toBe(9);
    expect(starSpreadNumber(0x0f)).toBe(7);
    expect(starSpreadNumber(0x6e)).toBe(31);
  });

  it.each([
    ['online', asb(), 'online', undefined],
    ['cover open (status 1 bit 5, offline bit 3)', asb([0x28]), 'cover-open', undefined],
    ['paper end (status 4 bits 2 and 3)', asb([0x08, 0, 0, 0x0c]), 'paper-out', undefined],
    ['paper near end (status 4 bit 2)', asb([0, 0, 0, 0x04]), 'paper-low', undefined],
    ['cutter error (status 2 bit 3)', asb([0x08, 0x08]), 'offline', 'autocutter-error'],
    ['mechanical error (status 2 bit 2)', asb([0x08, 0x04]), 'offline', 'unrecoverable-error'],
    ['head too hot (status 2 bit 6)', asb([0x08, 0x40]), 'offline', 'head-temperature'],
    ['head up (status 3 bit 1)', asb([0x08, 0, 0x02]), 'cover-open', undefined],
    ['offline (status 1 bit 3)', asb([0x08]), 'offline', 'printer-offline'],
    ['a version 1 block of 7 bytes', asb([0, 0, 0, 0x04], [0x0f, 0x02]), 'paper-low', undefined],
  ])('reads %s', (_name, bytes, state, detail) => {
    const result = parseStarAsb(bytes);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.asb.status.state).toBe(state);
    expect(result.asb.status.detail).toBe(detail);
  });

  it('reads the ETB counter from status 6 and takes the last of two blocks', () => {
    const pushed = asb();
    const asked = asb([0x02, 0, 0, 0, 0, 0x0e]);
    const result = parseStarAsb(Uint8Array.from([...pushed, ...asked]));
    expect(result.ok && result.asb.etbCounter).toBe(7);
    expect(result.ok && result.asb.etbExecuted).toBe(true);
  });

  it('refuses bytes that are not an automatic status block', () => {
    // An Epson DLE EOT reply is not a Star header: bit 0 is clear.
    expect(parseStarAsb(Uint8Array.of(0x12))).toEqual({ ok: false, reason: 'bad-header', at: 0 });
    expect(parseStarAsb(Uint8Array.of(0x23, 0x86, 0x00))).toEqual({
      ok: false,
      reason: 'incomplete',
    });
    expect(parseStarAsb(Uint8Array.of(0x23, 0x86, 0x00, 0xff, 0, 0, 0, 0, 0))).toMatchObject({
      ok: false,
      reason: 'bad-byte',
    });
  });
});

describe('each printer family is polled its own way', () => {
  it('asks a Star printer with ESC ACK SOH and never sends it DLE EOT', async () => {
    const { transport, sent } = scriptedTransport((request) =>
      request[0] === 0x1b && request[1] === 0x06 ? [...asb([0x08, 0, 0, 0x0c])] : null,
    );
    const service = createPrinterStatusService({
      transport,
      protocol: starProtocol,
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
    });
    expect(await service.poll()).toMatchObject({ state: 'paper-out' });
    expect(sent).toEqual([starStatusRequest]);
    expect(sent.some((bytes) => bytes[0] === 0x10)).toBe(false);
  });

  it('reads a Star printer that answers Epson-style bytes as offline with the reason', async () => {
    const { transport } = scriptedTransport(() => [0x12]);
    const service = createPrinterStatusService({
      transport,
      protocol: starProtocol,
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
    });
    expect(await service.poll()).toMatchObject({
      state: 'offline',
      detail: 'bad-status-bytes:asb-bad-header',
    });
  });

  it('asks an Epson printer with DLE EOT 1 to 4', async () => {
    const { transport, sent } = scriptedTransport(() => [0x12]);
    const service = createPrinterStatusService({
      transport,
      protocol: escPosProtocol,
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
    });
    expect(await service.poll()).toMatchObject({ state: 'online' });
    expect(sent.map((bytes) => [...bytes])).toEqual([
      [0x10, 0x04, 1],
      [0x10, 0x04, 2],
      [0x10, 0x04, 3],
      [0x10, 0x04, 4],
    ]);
  });

  it('confirms a Star job when the ETB counter moves, and not before', async () => {
    let counter = 3;
    const spread = (n: number): number => ((n & 0x07) << 1) | ((n & 0x18) << 2);
    const { transport, sent } = scriptedTransport((request) => {
      if (request.length === 1 && request[0] === 0x17) counter += 1;
      if (request[0] === 0x1b && request[1] === 0x06)
        return [...asb([0, 0, 0, 0, 0, spread(counter)])];
      return null;
    });
    const job = Uint8Array.of(0x1b, 0x40, 0x41, 0x0a);
    await transport.converse?.((link) => starProtocol.sendJob(link, job, 1000));
    // Status, the job, ETB, then status until the counter moved.
    expect(sent[1]).toEqual(job);
    expect(sent[2]).toEqual(Uint8Array.of(0x17));
    expect(counter).toBe(4);

    const silent = scriptedTransport((request) =>
      request[0] === 0x1b && request[1] === 0x06 ? [...asb([0, 0, 0, 0, 0, spread(9)])] : null,
    );
    await expect(
      silent.transport.converse?.((link) => starProtocol.sendJob(link, job, 300)),
    ).rejects.toMatchObject({ code: 'job-unconfirmed' });
  });
});
