import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { devicesConfigSchema } from '../../../kiosk-config/devices-schema';
import { createKioskDevices } from '../../../electron/devices/kiosk-devices';
import { createCupsTransport } from '../../../electron/devices/printer/transports/cups-transport';
import { createDeviceFileTransport } from '../../../electron/devices/printer/transports/device-file-transport';
import { createSerialTransport } from '../../../electron/devices/printer/transports/serial-transport';
import { createPrinterStatusService } from '../../../electron/devices/printer/status-service';
import { createBridgeRouter } from '../../../sync/bridge/router';
import { createKioskServices } from '../../../electron/services/kiosk-services';
import { loadKioskConfig } from '../../../electron/services/load-config';
import { decodeEscPos, printedText } from '../../support/escpos-decoder';
import {
  assistedReceipt,
  createManualClock,
  createRecordingLogger,
  sampleReceipt,
} from '../../unit/electron/devices/support/device-test-kit';
import { encodeReceiptEscPos } from '../../../electron/devices/printer/escpos-receipt';
import { layoutReceipt } from '../../../electron/devices/printer/receipt-layout';

/** The page a test speaks for (the shell's end of the bridge names every caller). */
const page = { page: 'test page', alive: () => true };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sp-devices-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const job = (): Uint8Array => encodeReceiptEscPos(layoutReceipt(sampleReceipt()));

describe('printer transports', () => {
  it('writes a job to a USB printer device file as is', async () => {
    const device = path.join(dir, 'lp0');
    writeFileSync(device, '');
    await createDeviceFileTransport({ device, label: 'usb' }).write(job());
    expect(Buffer.compare(readFileSync(device), Buffer.from(job()))).toBe(0);
  });

  it('reports a missing device file as offline rather than failing', async () => {
    const transport = createDeviceFileTransport({ device: path.join(dir, 'unplugged') });
    const status = createPrinterStatusService({
      transport,
      clock: createManualClock(),
      logger: createRecordingLogger(),
      intervalMs: 5000,
      replyTimeoutMs: 20,
    });
    expect((await status.poll()).state).toBe('offline');
    await expect(transport.write(job())).rejects.toMatchObject({ code: 'transport-failed' });
  });

  it('sets the serial line up with stty before the first job and says so if it cannot', async () => {
    const device = path.join(dir, 'ttyS0');
    writeFileSync(device, '');
    const calls = path.join(dir, 'stty-calls');
    const stty = path.join(dir, 'stty');
    writeFileSync(stty, `#!/bin/sh\necho "$@" >> ${calls}\n`);
    chmodSync(stty, 0o755);
    const transport = createSerialTransport({ device, baudRate: 19200, sttyCommand: stty });
    await transport.write(job());
    await transport.write(job());
    expect(readFileSync(calls, 'utf8').trim().split('\n')).toEqual([
      `-F ${device} 19200 cs8 -cstopb -parenb raw -echo`,
    ]);
    const failing = createSerialTransport({ device, baudRate: 9600, sttyCommand: 'false' });
    await expect(failing.write(job())).rejects.toMatchObject({ code: 'serial-setup-failed' });
  });

  it('sends a raw job to a CUPS queue with lp -d <queue> -o raw', async () => {
    // Stands in for cups-client's lp: no CUPS server can run here.
    const lp = path.join(dir, 'lp');
    writeFileSync(lp, `#!/bin/sh\necho "$@" > ${dir}/lp-args\ncat > ${dir}/lp-job\n`);
    chmodSync(lp, 0o755);
    const transport = createCupsTransport({ queue: 'receipts', lpCommand: lp });
    await transport.write(job());
    expect(readFileSync(path.join(dir, 'lp-args'), 'utf8').trim()).toBe(
      '-d receipts -o raw -t receipt -',
    );
    expect(printedText(decodeEscPos(readFileSync(path.join(dir, 'lp-job'))))).toContain(
      '7K3M-Q9XD-N',
    );
    expect(transport.converse).toBeUndefined();
  });

  it('passes on lp failures with their message', async () => {
    const lp = path.join(dir, 'lp');
    writeFileSync(
      lp,
      `#!/bin/sh\ncat >/dev/null\necho "lp: The printer or class does not exist." >&2\nexit 1\n`,
    );
    chmodSync(lp, 0o755);
    await expect(
      createCupsTransport({ queue: 'nope', lpCommand: lp }).write(job()),
    ).rejects.toThrow(/cups nope: lp exited 1: lp: The printer or class does not exist\./);
  });
});

describe('simulated devices and the bridge', () => {
  async function simulatedKiosk() {
    const logger = createRecordingLogger();
    const devices = await createKioskDevices({
      config: devicesConfigSchema.parse({}),
      dataDir: dir,
      clock: createManualClock(),
      logger,
    });
    return { devices, logger };
  }

  it('prints each job to a PDF and a PNG marked as simulated', async () => {
    const { devices } = await simulatedKiosk();
    expect(devices.simulated).toEqual(['printer', 'card-reader']);
    const reply = await devices.print(sampleReceipt());
    expect(reply.state).toBe('printed');
    const [printout] = devices.simulatedPrinter?.printouts() ?? [];
    expect(printout?.pdf).toMatch(/simulated-printer\/receipt-.*\.pdf$/);
    expect(
      readFileSync(printout?.png ?? '')
        .subarray(1, 4)
        .toString('latin1'),
    ).toBe('PNG');
    const { execFileSync } = await import('node:child_process');
    expect(execFileSync('pdftotext', [printout?.pdf ?? '', '-'], { encoding: 'utf8' })).toContain(
      'SIMULATED PRINTER',
    );
  });

  it('holds assisted jobs while the simulated printer is out of paper, through the same status path', async () => {
    const { devices } = await simulatedKiosk();
    devices.simulatedPrinter?.setState('paper-out');
    expect((await devices.print(assistedReceipt())).state).toBe('held');
    expect(devices.printerStatus()).toMatchObject({
      state: 'paper-out',
      simulated: true,
      heldJobs: 1,
    });
    devices.simulatedPrinter?.setState('online');
    await devices.queue.retryHeld();
    expect(devices.printerStatus()).toMatchObject({ state: 'online', heldJobs: 0 });
    expect(devices.simulatedPrinter?.printouts()).toHaveLength(1);
  });

  it('keeps the state an operator set across a restart, as a real printer left without paper', async () => {
    const first = await simulatedKiosk();
    first.devices.simulatedPrinter?.setState('paper-out');
    first.devices.stop();
    const again = await simulatedKiosk();
    expect(await again.devices.refreshPrinterStatus()).toMatchObject({
      state: 'paper-out',
      simulated: true,
    });
    expect((await again.devices.print(sampleReceipt())).state).toBe('not-printed');
    again.devices.simulatedPrinter?.setState('online');
    again.devices.stop();
    const third = await simulatedKiosk();
    expect(await third.devices.refreshPrinterStatus()).toMatchObject({ state: 'online' });
    third.devices.stop();
  });

  it('starts online, says why and keeps the file, when its saved state cannot be read', async () => {
    const stateFile = path.join(dir, 'simulated-printer', 'state.json');
    mkdirSync(path.dirname(stateFile), { recursive: true });
    writeFileSync(stateFile, '{"state": "on fire"}');
    const { devices, logger } = await simulatedKiosk();
    expect(await devices.refreshPrinterStatus()).toMatchObject({ state: 'online' });
    expect(logger.entries).toContainEqual({
      level: 'warn',
      event: 'printer.simulated-state-unreadable',
      detail: { file: stateFile, content: '{"state": "on fire"}' },
    });
    expect(readFileSync(stateFile, 'utf8')).toBe('{"state": "on fire"}');
    devices.stop();
  });

  it("does not hold a self-service citizen's receipt while out of paper: paper back prints nothing", async () => {
    const { devices } = await simulatedKiosk();
    devices.simulatedPrinter?.setState('paper-out');
    expect((await devices.print(sampleReceipt())).state).toBe('not-printed');
    expect(devices.printerStatus()).toMatchObject({ state: 'paper-out', heldJobs: 0 });
    devices.simulatedPrinter?.setState('online');
    await devices.refreshPrinterStatus();
    await devices.queue.retryHeld();
    expect(devices.simulatedPrinter?.printouts()).toHaveLength(0);
    // The citizen, still there, taps Print again: it prints, once.
    expect((await devices.print(sampleReceipt())).state).toBe('printed');
    expect(devices.simulatedPrinter?.printouts()).toHaveLength(1);
  });

  it('delivers a simulated swipe as a parsed card to listeners', async () => {
    const { devices } = await simulatedKiosk();
    const reads: unknown[] = [];
    devices.onCardRead((read) => reads.push(read));
    devices.simulatedCardReader?.swipe({
      kind: 'officer',
      officerId: '00012345',
      expires: '2027-12',
    });
    expect(reads).toEqual([
      { kind: 'officer', officerId: '00012345', expires: '2027-12', source: 'simulated' },
    ]);
  });

  it('serves printer:print and printer:status over the bridge router', async () => {
    const { devices } = await simulatedKiosk();
    const router = createBridgeRouter(
      createKioskServices({
        config: loadKioskConfig(),
        shell: 'browser',
        appVersion: 'test',
        gatewayUrl: 'http://127.0.0.1:8787',
        simulatedDevices: devices.simulated,
        devices,
      }),
    );
    const printed = await router.handle('printer:print', sampleReceipt(), page);
    expect(printed).toEqual({
      ok: true,
      value: { jobId: '3f0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f#1', state: 'printed' },
    });
    const again = await router.handle('printer:print', sampleReceipt(), page);
    expect(again).toMatchObject({ ok: true, value: { state: 'printed' } });
    expect(devices.simulatedPrinter?.printouts()).toHaveLength(1);
    expect(await router.handle('printer:status', undefined, page)).toMatchObject({
      ok: true,
      value: { state: 'online', simulated: true, heldJobs: 0 },
    });
    expect(
      await router.handle('printer:print', { ...sampleReceipt(), ref: 'bad ref' }, page),
    ).toMatchObject({
      ok: false,
      error: { code: 'bad-request' },
    });
  });

  it('falls back to the simulated printer when the USB device file is missing', async () => {
    const logger = createRecordingLogger();
    const devices = await createKioskDevices({
      config: devicesConfigSchema.parse({
        printer: { transport: { kind: 'usb', device: '/dev/usb/lp-absent' } },
        cardReader: { kind: 'hid', vendorId: '0x0801', productId: '0x0002' },
      }),
      dataDir: dir,
      clock: createManualClock(),
      logger,
      hid: {
        devices: () => [],
        HID: class {
          on() {
            return this;
          }
          close() {}
        },
      },
    });
    expect(devices.simulated).toEqual(['printer', 'card-reader']);
    expect(logger.entries.map((e) => e.event)).toEqual(
      expect.arrayContaining([
        'printer.missing-using-simulated',
        'card-reader.missing-using-simulated',
      ]),
    );
  });

  it('logs a warning when a site overrides the printer model’s columns', async () => {
    const logger = createRecordingLogger();
    const devices = await createKioskDevices({
      config: devicesConfigSchema.parse({
        printer: {
          transport: { kind: 'tcp', host: '127.0.0.1', port: 9 },
          model: 'epson-tm-t88vi',
          columns: 48,
        },
        cardReader: { kind: 'none' },
      }),
      dataDir: dir,
      clock: createManualClock(),
      logger,
    });
    devices.stop();
    expect(logger.entries).toContainEqual({
      level: 'warn',
      event: 'printer.columns-override',
      detail: { model: 'epson-tm-t88vi', configured: 48, modelColumns: 42 },
    });
  });
});
