import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  decodeIdTechReport,
  decodeMagTekReport,
  recogniseReport,
} from '../../../../electron/devices/card-reader/magstripe-hid-report';

const fixture = (name: string): Uint8Array => {
  const json = JSON.parse(
    readFileSync(
      path.resolve(__dirname, `../../../fixtures/devices/hid-reports/${name}.json`),
      'utf8',
    ),
  ) as { reports: string[] };
  return Uint8Array.from(Buffer.from(json.reports[0] ?? '', 'hex'));
};

describe('magstripe HID-mode reports', () => {
  it('reads the three tracks of a MagTek report by their decode status and length', () => {
    const decoded = decodeMagTekReport(fixture('magtek-hid-track1-error-officer-card'));
    expect(decoded).toMatchObject({
      ok: true,
      format: 'magtek',
      encodeType: 4,
      tracks: [
        { track: 1, status: 'error', text: '' },
        { track: 2, status: 'ok', text: ';990001000123455=2712000?' },
        { track: 3, status: 'empty', text: '' },
      ],
    });
  });

  it('accepts a MagTek report with a leading report id and refuses other lengths', () => {
    const report = fixture('magtek-hid-officer-card');
    expect(decodeMagTekReport(Uint8Array.from([0, ...report])).ok).toBe(true);
    expect(decodeMagTekReport(report.subarray(0, 300))).toEqual({ ok: false, reason: 'length' });
    const bad = Uint8Array.from(report);
    bad[4] = 200;
    expect(decodeMagTekReport(bad)).toEqual({ ok: false, reason: 'track-length' });
    bad[4] = 25;
    bad[120] = 0x07;
    expect(decodeMagTekReport(bad)).toEqual({ ok: false, reason: 'not-ascii' });
  });

  it('reads the ID TECH output data whichever byte order the length has', () => {
    const report = fixture('idtech-hid-track1-error-officer-card');
    const swapped = Uint8Array.from(report);
    swapped[7] = report[8] ?? 0;
    swapped[8] = report[7] ?? 0;
    for (const candidate of [report, swapped]) {
      expect(decodeIdTechReport(candidate)).toMatchObject({
        ok: true,
        format: 'idtech',
        text: '%E?;990001000123455=2712000?+E?',
      });
    }
  });

  it('tells keyboard, MagTek and ID TECH reports apart by their length', () => {
    expect(recogniseReport(new Uint8Array(8))).toBe('keyboard');
    expect(recogniseReport(fixture('magtek-hid-officer-card'))).toBe('magtek');
    expect(recogniseReport(fixture('idtech-hid-track1-error-officer-card'))).toBe('idtech');
  });
});
