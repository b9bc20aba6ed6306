import { execFileSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  createBundleWriter,
  resolveExportFolder,
  writeReportPdf,
} from '../../../../electron/services/operator-files';
import { createLogRing, redactLogText } from '../../../../electron/services/log-ring';
import { findReceiptFonts } from '../../../../electron/devices/printer/receipt-fonts';
import { createKioskServices } from '../../../../electron/services/kiosk-services';
import { createBridgeRouter } from '../../../../sync/bridge/router';
import { loadKioskConfig } from '../../../../electron/services/load-config';

/** The page a test speaks for (the shell's end of the bridge names every caller). */
const page = { page: 'test page', alive: () => true };

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'sp-operator-files-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const writeId = '6f1c2d3e-4b5a-4c7d-8e9f-0a1b2c3d4e5f';

describe('USB bundle writing', () => {
  it('writes a bundle sent in parts to the export folder, and only renames it when complete', () => {
    const writer = createBundleWriter({ exportDir: path.join(dir, 'exports'), removableRoots: [] });
    const base = { writeId, fileName: 'k-seq1-3-abcd.spbundle' };
    expect(writer.write({ ...base, index: 0, text: '{"a":', last: false })).toEqual({
      state: 'partial',
      bytes: 5,
    });
    expect(readdirSync(path.join(dir, 'exports'))).toEqual(['.k-seq1-3-abcd.spbundle.part']);
    const done = writer.write({ ...base, index: 1, text: '1}\n', last: true });
    expect(done).toMatchObject({ state: 'written', bytes: 8 });
    expect(readFileSync(path.join(dir, 'exports', base.fileName), 'utf8')).toBe('{"a":1}\n');
    expect(readdirSync(path.join(dir, 'exports'))).toEqual([base.fileName]);
  });

  it('drops a bundle whose parts arrive out of order instead of writing one with a hole', () => {
    const writer = createBundleWriter({ exportDir: path.join(dir, 'exports'), removableRoots: [] });
    const base = { writeId, fileName: 'k.spbundle' };
    writer.write({ ...base, index: 0, text: 'one', last: false });
    expect(() => writer.write({ ...base, index: 2, text: 'three', last: true })).toThrow(
      /out of order/,
    );
    expect(readdirSync(path.join(dir, 'exports'))).toEqual([]);
  });

  it('accepts a folder on a removable drive and refuses the kiosk disk, relative paths and symlinks out', () => {
    const media = path.join(dir, 'media');
    const stick = path.join(media, 'USBSTICK');
    mkdirSync(stick, { recursive: true });
    const options = { exportDir: path.join(dir, 'exports'), removableRoots: [media] };
    expect(resolveExportFolder(stick, options)).toBe(stick);
    expect(() => resolveExportFolder(path.join(dir, 'etc'), options)).toThrow(/does not exist/);
    mkdirSync(path.join(dir, 'home'));
    expect(() => resolveExportFolder(path.join(dir, 'home'), options)).toThrow(/removable drive/);
    expect(() => resolveExportFolder('USBSTICK', options)).toThrow(/full path/);
    // The mount root itself is not a drive.
    expect(() => resolveExportFolder(media, options)).toThrow(/removable drive/);
    symlinkSync(path.join(dir, 'home'), path.join(stick, 'escape'));
    expect(() => resolveExportFolder(path.join(stick, 'escape'), options)).toThrow(
      /removable drive/,
    );
    writeFileSync(path.join(stick, 'file.txt'), 'x');
    expect(() => resolveExportFolder(path.join(stick, 'file.txt'), options)).toThrow(
      /not a folder/,
    );
  });
});

describe('report PDF', () => {
  it('renders the report in the given words, with accents, as a text PDF', async () => {
    const written = await writeReportPdf(
      {
        fileStem: 'end-of-day-k-2025-03-04',
        language: 'es',
        title: 'Informe de cierre del día',
        subtitle: ['Kiosk demo-kiosk-01', 'Día 2025-03-04'],
        sections: [
          {
            heading: 'Por servicio',
            columns: ['Servicio', 'Número', 'Total'],
            rows: [['Renovación de licencia', '2', 'BZD 50.00']],
          },
          { heading: 'Anuladas', columns: ['Referencia'], rows: [], empty: 'Ninguna' },
        ],
      },
      { dir: path.join(dir, 'reports'), fonts: findReceiptFonts() },
    );
    expect(written.path).toBe(path.join(dir, 'reports', 'end-of-day-k-2025-03-04.pdf'));
    const text = execFileSync('pdftotext', ['-layout', written.path, '-'], { encoding: 'utf8' });
    expect(text).toContain('Informe de cierre del día');
    expect(text).toMatch(/Renovación de licencia\s+2\s+BZD 50\.00/);
    expect(text).toContain('Ninguna');
  });
});

describe('recent log lines', () => {
  it('keeps the newest lines and never keeps numbers, e-mail addresses or card tracks', () => {
    const ring = createLogRing(3);
    ring.push('info', 'one');
    ring.push('warn', 'page: sms to +501 622 1234 for ana@example.org');
    ring.push('info', 'card ;9900010001234567=2912000? read');
    ring.push('error', 'officer 00012345 locked');
    const lines = ring.tail(10);
    expect(lines.map((line) => line.text)).toEqual([
      'page: sms to [number] for [email]',
      'card [card] read',
      'officer [number] locked',
    ]);
    expect(redactLogText('printer paper-out at 10:42')).toBe('printer paper-out at 10:42');
  });

  it('serves the page its own log lines and the shell events over log:tail', async () => {
    const ring = createLogRing();
    const router = createBridgeRouter(
      createKioskServices({
        config: loadKioskConfig(),
        shell: 'browser',
        appVersion: 'test',
        gatewayUrl: 'http://127.0.0.1:9',
        simulatedDevices: [],
        logRing: ring,
        dataDir: dir,
      }),
    );
    await router.handle(
      'log:write',
      { level: 'warn', message: 'config refused: site.devices' },
      page,
    );
    const reply = await router.handle('log:tail', { limit: 5 }, page);
    expect(reply).toMatchObject({
      ok: true,
      value: { lines: [{ level: 'warn', text: 'page: config refused: site.devices' }] },
    });
    // A simulated swipe needs a simulated reader; this shell has none.
    expect(
      await router.handle(
        'card-reader:simulate-swipe',
        { kind: 'officer', officerId: '00012345' },
        page,
      ),
    ).toMatchObject({
      ok: false,
      error: { code: 'unavailable' },
    });
    expect(existsSync(path.join(dir, 'exports'))).toBe(false);
  });
});
