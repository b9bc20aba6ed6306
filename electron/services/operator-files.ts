import {
  mkdirSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  appendFileSync,
  openSync,
  fsyncSync,
  closeSync,
} from 'node:fs';
import path from 'node:path';
import PDFDocument from 'pdfkit';
import type { ReportDocument } from '../../sync/bridge/operator-payloads';
import { BridgeError } from '../../sync/bridge/kiosk-bridge';
import type { ReceiptFonts } from '../devices/printer/receipt-fonts';

/**
 * Where removable drives appear: udisks (`/media/<user>`, `/run/media/<user>`), hand mounts
 * (`/mnt`), and on Windows any drive letter but the system's.
 */
export const defaultRemovableRoots = ['/media', '/run/media', '/mnt'];

function isInside(child: string, parent: string): boolean {
  const relative = path.relative(parent, child);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/**
 * The folder a bundle may be written to: the kiosk's export folder (created when missing), or
 * an existing folder on a removable drive given by the operator. The path is resolved through
 * symlinks first, so a link on the stick cannot point the write into the kiosk's own disk.
 */
export function resolveExportFolder(
  target: string | undefined,
  options: { exportDir: string; removableRoots: readonly string[] },
): string {
  if (target === undefined) {
    mkdirSync(options.exportDir, { recursive: true, mode: 0o700 });
    return realpathSync(options.exportDir);
  }
  const windowsDrive = /^[A-Za-z]:[\\/]/.test(target);
  if (!path.isAbsolute(target) && !windowsDrive) {
    throw new BridgeError('bad-request', 'give the full path of a folder on the USB drive');
  }
  if (target.includes('\0')) throw new BridgeError('bad-request', 'the path is not valid');
  let real: string;
  try {
    real = realpathSync(target);
  } catch {
    throw new BridgeError('bad-request', 'that folder does not exist: is the drive inserted?');
  }
  if (!statSync(real).isDirectory()) {
    throw new BridgeError('bad-request', 'that path is a file, not a folder');
  }
  const exportDir = path.resolve(options.exportDir);
  const allowed =
    isInside(real, exportDir) ||
    options.removableRoots.some((root) => {
      try {
        const rootReal = realpathSync(root);
        return real !== rootReal && isInside(real, rootReal);
      } catch {
        return false;
      }
    }) ||
    (windowsDrive && process.platform === 'win32' && !/^[Cc]:/.test(real));
  if (!allowed) {
    throw new BridgeError(
      'bad-request',
      `bundles go to a removable drive (under ${options.removableRoots.join(', ')}) or the export folder`,
    );
  }
  return real;
}

interface PendingWrite {
  folder: string;
  fileName: string;
  tmp: string;
  next: number;
  bytes: number;
}

/**
 * Writes bundles part by part. Parts must arrive in order; anything else drops the temporary
 * file, so the operator starts again rather than carrying a bundle with a hole in it.
 */
export function createBundleWriter(options: {
  exportDir: string;
  removableRoots?: readonly string[];
}) {
  const pending = new Map<string, PendingWrite>();
  const roots = options.removableRoots ?? defaultRemovableRoots;
  return {
    write(request: {
      writeId: string;
      fileName: string;
      target?: string;
      index: number;
      text: string;
      last: boolean;
    }): { state: 'partial'; bytes: number } | { state: 'written'; path: string; bytes: number } {
      let write = pending.get(request.writeId);
      if (request.index === 0) {
        if (write) rmSync(write.tmp, { force: true });
        const folder = resolveExportFolder(request.target, {
          exportDir: options.exportDir,
          removableRoots: roots,
        });
        write = {
          folder,
          fileName: request.fileName,
          tmp: path.join(folder, `.${request.fileName}.part`),
          next: 0,
          bytes: 0,
        };
        writeFileSync(write.tmp, '', { mode: 0o600 });
        pending.set(request.writeId, write);
      }
      if (!write || write.next !== request.index || write.fileName !== request.fileName) {
        if (write) rmSync(write.tmp, { force: true });
        pending.delete(request.writeId);
        throw new BridgeError('bad-request', 'the bundle arrived out of order: export it again');
      }
      try {
        appendFileSync(write.tmp, request.text, 'utf8');
      } catch (error) {
        rmSync(write.tmp, { force: true });
        pending.delete(request.writeId);
        throw new BridgeError(
          'failed',
          `the drive refused the file: ${(error as NodeJS.ErrnoException).code ?? 'error'}`,
        );
      }
      write.bytes += Buffer.byteLength(request.text, 'utf8');
      write.next += 1;
      if (!request.last) return { state: 'partial', bytes: write.bytes };
      pending.delete(request.writeId);
      // Flushed before the rename, so pulling the stick after "written" does not lose it.
      const fd = openSync(write.tmp, 'r+');
      try {
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      const final = path.join(write.folder, write.fileName);
      renameSync(write.tmp, final);
      return { state: 'written', path: final, bytes: write.bytes };
    },
  };
}

const mm = (value: number): number => (value * 72) / 25.4;

/** Renders a report document to A4 PDF bytes with the receipts' embedded DejaVu fonts. */
export function renderReportPdf(
  report: ReportDocument,
  fonts: ReceiptFonts,
  createdAt: Date,
): Promise<Buffer> {
  const margin = mm(15);
  const doc = new PDFDocument({
    size: 'A4',
    margin,
    info: { Title: report.title, Creator: 'Service Point', CreationDate: createdAt },
    lang: report.language,
  });
  doc.registerFont('regular', fonts.regular);
  doc.registerFont('bold', fonts.bold);
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const width = doc.page.width - margin * 2;
  doc.font('bold').fontSize(16).text(report.title);
  doc.moveDown(0.3);
  doc.font('regular').fontSize(10);
  for (const line of report.subtitle) doc.text(line);
  for (const section of report.sections) {
    doc.moveDown(0.8);
    doc.font('bold').fontSize(12).text(section.heading);
    doc.moveDown(0.2);
    const columnWidth = width / section.columns.length;
    const row = (cells: readonly string[], font: 'regular' | 'bold') => {
      if (doc.y > doc.page.height - margin - 20) doc.addPage();
      const y = doc.y;
      let tallest = y;
      doc.font(font).fontSize(9);
      cells.forEach((cell, index) => {
        doc.text(cell, margin + index * columnWidth, y, { width: columnWidth - 6 });
        tallest = Math.max(tallest, doc.y);
      });
      doc.x = margin;
      doc.y = tallest + 2;
    };
    row(section.columns, 'bold');
    if (section.rows.length === 0 && section.empty) row([section.empty], 'regular');
    for (const cells of section.rows) row(cells, 'regular');
  }
  doc.end();
  return done;
}

/** Writes the report under `<dir>/<fileStem>.pdf` (replacing an earlier one of the same day). */
export async function writeReportPdf(
  report: ReportDocument,
  options: { dir: string; fonts: ReceiptFonts; now?: Date },
): Promise<{ path: string; bytes: number }> {
  const bytes = await renderReportPdf(report, options.fonts, options.now ?? new Date());
  mkdirSync(options.dir, { recursive: true, mode: 0o700 });
  const file = path.join(options.dir, `${report.fileStem}.pdf`);
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, bytes, { mode: 0o600 });
  renameSync(tmp, file);
  return { path: file, bytes: bytes.length };
}
