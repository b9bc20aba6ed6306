import type { ReceiptSink } from './print-queue';
import { encodeReceiptEscPos } from './escpos-receipt';
import type { EscPosOptions } from './escpos-receipt';
import { protocolFor } from './printer-protocol';
import { printerCapabilities } from './printer-models';
import { layoutReceipt } from './receipt-layout';
import type { PrinterTransport } from './transports/transport';

export interface EscPosSinkOptions extends EscPosOptions {
  /** How long the printer has to confirm a job it took whole (printing takes a few seconds). */
  confirmTimeoutMs?: number;
}

/**
 * The real printer: lays the receipt out, encodes it in the model's command language and sends
 * it. Where the transport can read back, the job counts only once the printer confirms it (see
 * `PrinterProtocol.sendJob`); a broken or unconfirmed job throws `job-interrupted` or
 * `job-unconfirmed`, which the print queue records as uncertain. A CUPS queue cannot answer:
 * there the spooler's acceptance is all the kiosk can know.
 */
export function createEscPosSink(
  transport: PrinterTransport,
  options: EscPosSinkOptions,
): ReceiptSink {
  const protocol = protocolFor(printerCapabilities(options.model).family);
  return {
    print: async ({ content, marks }) => {
      const job = encodeReceiptEscPos(layoutReceipt(content, marks), options);
      if (!transport.converse) {
        await transport.write(job);
        return;
      }
      await transport.converse((link) =>
        protocol.sendJob(link, job, options.confirmTimeoutMs ?? 20_000),
      );
    },
  };
}
