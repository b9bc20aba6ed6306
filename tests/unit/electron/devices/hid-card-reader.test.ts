import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import type { CardRead } from '../../../../sync/bridge/device-payloads';
import { createHidCardReader } from '../../../../electron/devices/card-reader/hid-card-reader';
import type {
  HidApi,
  HidDeviceInfo,
} from '../../../../electron/devices/card-reader/hid-card-reader';
import { createManualClock, createRecordingLogger } from './support/device-test-kit';

const fixtureDir = path.resolve(__dirname, '../../../fixtures/devices/hid-reports');

interface HidFixture {
  description: string;
  vendorId: number;
  productId: number;
  reports: string[];
  expected: Record<string, unknown>;
}

function loadFixture(name: string): HidFixture {
  return JSON.parse(readFileSync(path.join(fixtureDir, `${name}.json`), 'utf8')) as HidFixture;
}

/** node-hid's surface, replaying recorded reports; the real USB device cannot exist here. */
function createRecordedHid() {
  const fake = {
    plugged: [] as HidDeviceInfo[],
    opened: [] as Array<EventEmitter & { closed: boolean; path: string }>,
    api: undefined as unknown as HidApi,
  };
  class FakeHandle extends EventEmitter {
    closed = false;
    constructor(readonly path: string) {
      super();
      fake.opened.push(this);
    }
    close(): void {
      this.closed = true;
    }
  }
  fake.api = { devices: () => [...fake.plugged], HID: FakeHandle };
  const current = () => fake.opened[fake.opened.length - 1];
  const replay = (reports: string[]) => {
    for (const hex of reports) current()?.emit('data', Buffer.from(hex, 'hex'));
  };
  return { fake, replay, current };
}

function startReader(extra: { readTimeoutMs?: number } = {}) {
  const hid = createRecordedHid();
  hid.fake.plugged = [{ vendorId: 0x0801, productId: 0x0002, path: '/dev/hidraw3' }];
  const clock = createManualClock(Date.parse('2026-11-14T12:00:00Z'));
  const logger = createRecordingLogger();
  const reads: CardRead[] = [];
  const connections: boolean[] = [];
  const reader = createHidCardReader({
    hid: hid.fake.api,
    vendorId: 0x0801,
    productId: 0x0002,
    officerIssuer: '0001',
    clock,
    logger,
    onRead: (read) => reads.push(read),
    onConnectionChange: (connected) => connections.push(connected),
    pollMs: 1000,
    ...extra,
  });
  reader.start();
  return { hid, clock, logger, reads, connections, reader };
}

describe('HID card reader (recorded reports)', () => {
  const fixtures = readdirSync(fixtureDir).map((file) => file.replace(/\.json$/, ''));

  it.each(fixtures)('reads %s as recorded', (name) => {
    const fixture = loadFixture(name);
    const { hid, clock, reads } = startReader();
    hid.replay(fixture.reports);
    clock.advance(2000);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toMatchObject(fixture.expected);
  });

  it('never writes card data to the log', () => {
    const { hid, clock, logger, reads } = startReader();
    for (const name of fixtures) {
      hid.replay(loadFixture(name).reports);
      clock.advance(2000);
    }
    expect(reads.length).toBe(fixtures.length);
    const logged = logger.text();
    expect(logged).toContain('card-reader.read');
    for (const secret of [
      '4111',
      '1111',
      '00012345',
      '9900',
      'DOE',
      'JANE',
      '7K3M',
      '2812',
      '2712',
    ]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('reconnects when the reader is unplugged and plugged back in', () => {
    const { hid, clock, reads, connections } = startReader();
    expect(connections).toEqual([true]);

    hid.current()?.emit('error', new Error('could not read from HID device'));
    expect(connections).toEqual([true, false]);
    expect(hid.fake.opened[0]?.closed).toBe(true);

    hid.fake.plugged = [];
    clock.advance(1000);
    expect(hid.fake.opened).toHaveLength(1);

    hid.fake.plugged = [{ vendorId: 0x0801, productId: 0x0002, path: '/dev/hidraw4' }];
    clock.advance(1000);
    expect(connections).toEqual([true, false, true]);
    expect(hid.current()?.path).toBe('/dev/hidraw4');

    hid.replay(loadFixture('officer-card').reports);
    expect(reads).toEqual([expect.objectContaining({ kind: 'officer', officerId: '00012345' })]);
  });

  it('notices a reader that vanished from the device list without an error event', () => {
    const { hid, clock, connections } = startReader();
    hid.fake.plugged = [];
    clock.advance(1000);
    expect(connections).toEqual([true, false]);
  });

  it('drops a half-finished read when the reader is unplugged mid-swipe', () => {
    const { hid, clock, reads } = startReader();
    hid.replay(loadFixture('officer-card').reports.slice(0, 10));
    hid.current()?.emit('error', new Error('gone'));
    hid.fake.plugged = [{ vendorId: 0x0801, productId: 0x0002, path: '/dev/hidraw5' }];
    clock.advance(5000);
    expect(reads).toEqual([]);
  });

  it('rejects reports that are not keyboard reports as a garbled read', () => {
    const { hid, reads } = startReader();
    hid.replay(['0000260000', '0000280000000000']);
    expect(reads).toEqual([expect.objectContaining({ kind: 'rejected', code: 'garbled-read' })]);
  });

  it('stops cleanly: the device is closed and no timer is left', () => {
    const { hid, clock, reader } = startReader();
    reader.stop();
    expect(hid.current()?.closed).toBe(true);
    expect(clock.pending()).toBe(0);
  });
});
