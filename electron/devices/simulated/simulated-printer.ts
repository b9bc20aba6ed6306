import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PrinterState } from '../../../sync/bridge/device-payloads';
import { DeviceError } from '../device-runtime';
import type { DeviceLogger } from '../device-runtime';
import type { ReceiptSink } from '../printer/print-queue';
import type { PrinterTransport } from '../printer/transports/transport';
import { renderReceiptPdf } from '../printer/pdf-receipt';
import type { ReceiptFonts } from '../printer/receipt-fonts';
import { layoutReceipt } from '../printer/receipt-layout';

export interface SimulatedPrintout {
  jobId: string;
  pdf: string;
  /** Absent when pdftoppm (poppler-utils) is not installed. */
  png?: string;
}

export interface SimulatedPrinter extends ReceiptSink {
  readonly simulated: true;
  /** What the simulated printer reports, so paper-out handling can be demonstrated. */
  setState(state: Exclude<PrinterState, 'unknown'>): void;
  /**
   * Makes the next job fail the way a real printer's connection does when it breaks mid-job
   * (`job-interrupted`), so the uncertain-receipt decision can be tried without hardware.
   */
  breakNextJob(): void;
  /**
   * Answers real-time status requests (`DLE EOT n`) with the bytes a real printer in the chosen
   * state sends, so the simulated printer goes through the same status service and parser.
   */
  readonly statusTransport: PrinterTransport;
  onPrinted(listener: (printout: SimulatedPrintout) => void): () => void;
  printouts(): readonly SimulatedPrintout[];
}

export interface SimulatedPrinterOptions {
  dataDir: string;
  fonts: ReceiptFonts;
  logger: DeviceLogger;
  /** `pdftoppm`; injectable for tests. */
  pdftoppm?: string;
}

const statusBytes: Record<
  Exclude<PrinterState, 'unknown'>,
  [number, number, number, number] | null
> = {
  online: [0x12, 0x12, 0x12, 0x12],
  'paper-low': [0x12, 0x12, 0x12, 0x1e],
  'paper-out': [0x1a, 0x32, 0x12, 0x72],
  'cover-open': [0x1a, 0x16, 0x12, 0x12],
  offline: null,
};

function statusByte(state: Exclude<PrinterState, 'unknown'>, n: number): number | null {
  return statusBytes[state]?.[n - 1] ?? null;
}

function rasterise(pdftoppm: string, pdf: string, pngBase: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(
      pdftoppm,
      ['-png', '-r', '110', '-singlefile', pdf, pngBase],
      { timeout: 20_000 },
      (error) => resolve(!error),
    );
  });
}

type SimulatedState = Exclude<PrinterState, 'unknown'>;

/** The file that keeps the simulated printer's state across restarts (JSON `{"state": …}`). */
export const SIMULATED_STATE_FILE = 'state.json';

/**
 * The state a simulated printer was left in, from `<outDir>/state.json`: a real printer left
 * without paper is still without paper when the kiosk starts again. No file: `online`. A file
 * that cannot be read or names no state is logged (`printer.simulated-state-unreadable`, with
 * what it held) and left in place, and the printer starts `online`.
 */
function readSimulatedState(file: string, logger: DeviceLogger): SimulatedState {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      logger.log('warn', 'printer.simulated-state-unreadable', { file, error: String(error) });
    }
    return 'online';
  }
  try {
    const state = (JSON.parse(text) as { state?: unknown }).state;
    if (typeof state === 'string' && state in statusBytes) return state as SimulatedState;
  } catch {
    // said below
  }
  logger.log('warn', 'printer.simulated-state-unreadable', { file, content: text.slice(0, 200) });
  return 'online';
}

/**
 * A printer that is not there: each job becomes an 80 mm PDF and a PNG of it under
 * `<dataDir>/simulated-printer/`, stamped "SIMULATED PRINTER" so no one mistakes it for a
 * receipt the kiosk really printed. The state an operator sets (paper out, cover open…) is kept
 * in that folder's `state.json` and holds across restarts, as a real printer's does.
 */
export function createSimulatedPrinter(options: SimulatedPrinterOptions): SimulatedPrinter {
  const outDir = path.join(options.dataDir, 'simulated-printer');
  const stateFile = path.join(outDir, SIMULATED_STATE_FILE);
  const listeners = new Set<(printout: SimulatedPrintout) => void>();
  const done: SimulatedPrintout[] = [];
  let state: SimulatedState = readSimulatedState(stateFile, options.logger);
  let breakNext = false;
  return {
    simulated: true,
    setState(next) {
      state = next;
      try {
        mkdirSync(outDir, { recursive: true });
        // Written whole, then renamed: a power cut leaves the old state or the new, never half.
        writeFileSync(`${stateFile}.tmp`, `${JSON.stringify({ state: next })}\n`);
        renameSync(`${stateFile}.tmp`, stateFile);
      } catch (error) {
        // The state holds until the kiosk stops; said, not thrown: the operator's choice stands.
        options.logger.log('warn', 'printer.simulated-state-unsaved', {
          file: stateFile,
          error: String(error),
        });
      }
    },
    breakNextJob() {
      breakNext = true;
    },
    statusTransport: {
      description: 'simulated printer',
      write: () => Promise.reject(new Error('the simulated printer takes receipts, not bytes')),
      converse: (talk) => {
        // Answers each `DLE EOT n` with the byte a real printer in this state sends.
        const pending: number[] = [];
        return talk({
          lost: () => false,
          send: (bytes) => {
            if (bytes[0] === 0x10 && bytes[1] === 0x04) {
              const reply = statusByte(state, bytes[2] ?? 0);
              if (reply !== null) pending.push(reply);
            }
            return Promise.resolve();
          },
          receive: () => Promise.resolve(Uint8Array.from(pending.splice(0))),
        });
      },
    },
    async print({ jobId, content, marks }) {
      if (state !== 'online' && state !== 'paper-low') {
        throw new Error(`simulated printer is ${state}`);
      }
      if (breakNext) {
        breakNext = false;
        throw new DeviceError('job-interrupted', 'simulated printer: connection broke mid-job');
      }
      mkdirSync(outDir, { recursive: true });
      const layout = layoutReceipt(content, marks);
      layout.blocks.unshift({ kind: 'notice', text: 'SIMULATED PRINTER' });
      const base = path.join(outDir, `receipt-${jobId.replace(/[^A-Za-z0-9-]/g, '_')}`);
      const pdf = `${base}.pdf`;
      writeFileSync(
        pdf,
        await renderReceiptPdf(layout, {
          paper: 'roll-80mm',
          fonts: options.fonts,
          createdAt: new Date(content.issuedAt),
        }),
      );
      const printout: SimulatedPrintout = (await rasterise(
        options.pdftoppm ?? 'pdftoppm',
        pdf,
        base,
      ))
        ? { jobId, pdf, png: `${base}.png` }
        : { jobId, pdf };
      if (!printout.png) options.logger.log('warn', 'printer.simulated-no-png', { jobId });
      done.push(printout);
      options.logger.log('info', 'printer.simulated-printed', { jobId });
      for (const listener of listeners) listener(printout);
    },
    onPrinted(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    printouts: () => [...done],
  };
}
