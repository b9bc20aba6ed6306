/**
 * Attacks on the kiosk's own side, in Node: hostile catalogue and citizen strings printed on the
 * PDF receipt (pdftotext must show the literal text) and on ESC/POS (no ESC, GS or DLE byte from
 * the text may reach the printer: the job decodes to exactly the commands of a clean receipt);
 * operator-exit PIN brute force (stops at the lock-out); and a dump of the kiosk database
 * (fake-indexeddb here; real Chromium in the browser suite) holds no plaintext personal data.
 */
import 'fake-indexeddb/auto';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildReceiptContent } from '../../sync/bridge/receipt-content';
import { encodeReceiptEscPos } from '../../electron/devices/printer/escpos-receipt';
import { renderReceiptPdf } from '../../electron/devices/printer/pdf-receipt';
import { findReceiptFonts } from '../../electron/devices/printer/receipt-fonts';
import { layoutReceipt } from '../../electron/devices/printer/receipt-layout';
import { createMemoryLogger } from '../../electron/main/logger';
import { OperatorExitService } from '../../electron/main/operator-exit';
import { hashOperatorPin } from '../../electron/main/operator-pin';
import { decodeEscPos, printedText } from '../support/escpos-decoder';
import { emptyFigures } from './figures';
import type { Scale, SuiteFigures } from './figures';
import { proofInput } from './node-kiosk';
import { openTestStore } from '../support/chain-fixture';
import { loadOrCreateDeviceKey } from '../../sync/client/device-key';
import { importDataKey } from '../../sync/client/data-key';
import { commitTransaction } from '../../sync/client/commit';

const hostile = [
  '<script>alert(1)</script>',
  '<b>bold</b> &amp; &lt;',
  'ESC\u001b@init GS\u001dV\u0000cut DLE\u0010\u0014\u0001\u0000\u0005pulse',
  '\u001b!\u0030BIG \u001dB\u0001INVERT \u001b-\u0001UNDER',
  'Ñuñez \u202eLATOT\u202c O\u2066Brien\u2069',
  '%PDF-1.4 /JavaScript (app.alert(1)) BT ET',
];

function receiptFor(text: string) {
  return buildReceiptContent({
    site: {
      agency: text.slice(0, 200) || 'x',
      siteName: text.slice(0, 200) || 'x',
      kioskId: 'demo-kiosk-01',
    },
    service: {
      id: 'birth-certificate-replacement',
      title: { en: text.slice(0, 200) || 'x' },
      receiptText: { en: `Next: ${text}` },
    },
    transaction: {
      txId: '3f0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f',
      ref: '7K3M-Q9XD-N',
      channel: 'self-service',
      fee: { amountMinor: 1000, currency: 'BZD' },
      language: 'en',
    },
    issuedAt: '2026-11-14T16:30:00.000Z',
    delivery: 'queued',
    payment: { method: 'mobile-money', reference: text.slice(0, 64) || 'x' },
  });
}

/** What a decoded job does, apart from its text: the commands a printer would act on. */
function commandShape(bytes: Uint8Array): string {
  const job = decodeEscPos(bytes);
  return JSON.stringify({
    cuts: job.cuts,
    qr: job.qrCodes.length,
    initialized: job.initialized,
    lines: job.lines.length,
    styles: job.lines.map((l) =>
      l.spans.map((s) => `${s.bold}${s.invert}${s.underline}${s.width}${s.height}`).join(),
    ),
  });
}

export async function runKioskAttacks(scale: Scale): Promise<SuiteFigures> {
  const figures = emptyFigures('kiosk attacks');
  const dir = mkdtempSync(path.join(tmpdir(), 'sp-proof-print-'));
  const fonts = findReceiptFonts();
  try {
    for (const text of hostile) {
      // ESC/POS: the job's commands are those of the same receipt with the text made harmless.
      figures.attacks += 1;
      // eslint-disable-next-line no-control-regex -- control bytes are what is checked
      const clean = text.replace(/[\u0000-\u001f\u007f]/g, '');
      try {
        const bytes = encodeReceiptEscPos(layoutReceipt(receiptFor(text)));
        const reference = encodeReceiptEscPos(layoutReceipt(receiptFor(clean)));
        const printed = printedText(decodeEscPos(bytes));
        const sameCommands = commandShape(bytes) === commandShape(reference);
        // eslint-disable-next-line no-control-regex -- control bytes are what is checked
        const noControl = !/[\u0000-\u0009\u000b-\u001f]/.test(printed);
        if (sameCommands && noControl) figures.attacksRefused += 1;
        else
          figures.problems.push(`ESC/POS: "${JSON.stringify(text)}" changed the printer commands`);
      } catch (error) {
        figures.problems.push(
          `ESC/POS: "${JSON.stringify(text)}" broke the job: ${(error as Error).message}`,
        );
      }
      // PDF: pdftotext shows the text literally (markup is not interpreted, nothing is executed).
      figures.attacks += 1;
      const content = receiptFor(text);
      const pdf = await renderReceiptPdf(layoutReceipt(content), {
        paper: 'a4',
        fonts,
        createdAt: new Date(content.issuedAt),
      });
      const file = path.join(dir, 'receipt.pdf');
      writeFileSync(file, pdf);
      const extracted = execFileSync('pdftotext', ['-enc', 'UTF-8', file, '-'], {
        encoding: 'utf8',
      }).replace(/\s+/g, ' ');
      const visible = clean
        .replace(/[\u202e\u202c]/g, '')
        .split(/\s+/)
        .filter((w) => /^[\x21-\x7e]+$/.test(w));
      const hasScript = pdf.includes('/JavaScript') && !text.includes('/JavaScript');
      const missing = visible.filter((w) => !extracted.includes(w));
      if (missing.length === 0 && !hasScript) figures.attacksRefused += 1;
      else
        figures.problems.push(`PDF: "${text}" not shown literally (missing ${missing.join(' ')})`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }

  // Operator exit PIN brute force: every 6-digit PIN in order, as fast as the kiosk answers,
  // over a simulated hour. Only 5 guesses per 15-minute lock-out are ever checked.
  const correct = '739164';
  let now = Date.UTC(2026, 0, 15);
  const logger = createMemoryLogger();
  let exits = 0;
  const service = new OperatorExitService({
    pinHash: await hashOperatorPin(correct),
    clock: { now: () => now, setTimeout: () => 0, clearTimeout: () => undefined },
    logger,
    exit: () => {
      exits += 1;
    },
  });
  service.initialize();
  const guesses = scale === 'full' ? 3_600 : 600;
  let checked = 0;
  let correctWhileLocked = 0;
  for (let i = 0; i < guesses; i += 1) {
    figures.attacks += 1;
    const guess = String(100_000 + i);
    const result = await service.attempt(guess);
    if (
      result.result === 'wrong-pin' ||
      (result.result === 'locked' && result.retryAfterSeconds === 900)
    ) {
      checked += 1;
    }
    if (result.result !== 'exiting') figures.attacksRefused += 1;
    if (result.result === 'locked' && i % 7 === 0) {
      // The right PIN during a lock-out (same instant) must not open the kiosk either.
      figures.attacks += 1;
      const probe = await service.attempt(correct);
      if (probe.result === 'locked') {
        correctWhileLocked += 1;
        figures.attacksRefused += 1;
      } else figures.problems.push('the right PIN opened the kiosk during a lock-out');
    }
    now += 1_000;
  }
  const windows = Math.ceil((guesses * 1_000) / (15 * 60_000)) + 1;
  if (checked > windows * 5)
    figures.problems.push(`${checked} PIN guesses checked in ${windows} lock-out windows`);
  if (exits > 0) figures.problems.push(`the kiosk exited ${exits} times during the brute force`);
  const lockouts = logger.entries.filter((e) => e.event === 'operator-exit.locked-out').length;
  figures.notes.push(
    `operator PIN: ${guesses} guesses in ${guesses} simulated seconds, ${checked} checked, ${lockouts} lock-outs logged, correct PIN refused ${correctWhileLocked} times while locked`,
  );

  // A dump of the kiosk database (fake-indexeddb): no personal value in the clear.
  figures.attacks += 1;
  const { store, db } = openTestStore(`proof-dump-${crypto.randomUUID()}`);
  try {
    const keys = await loadOrCreateDeviceKey(store);
    const dataKey = await importDataKey(crypto.getRandomValues(new Uint8Array(32)));
    const marker = 'Philomena Plaintextmarker';
    await commitTransaction(
      { store, kioskId: 'proof-dump-01', keys, dataKey },
      {
        ...proofInput,
        fields: { ...proofInput.fields, fullName: marker, dateOfBirth: '1933-03-03' },
      },
    );
    const dump = JSON.stringify(
      await Promise.all(db.tables.map(async (t) => [t.name, await t.toArray()] as const)),
    );
    if (!dump.includes('Plaintextmarker') && !dump.includes('1933-03-03'))
      figures.attacksRefused += 1;
    else figures.problems.push('personal data in the clear in the fake-indexeddb dump');
  } finally {
    db.close();
    await db.delete().catch(() => undefined);
  }
  return figures;
}
