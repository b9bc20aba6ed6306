import type { ReceiptSink } from './print-queue';
import { encodeReceiptEscPos } from './escpos-receipt';
import type { EscPosOptions } from './escpos-receipt';
import { layoutReceipt } from './receipt-layout';
import type { PrinterTransport } from './transports/transport';

/** The real printer: lays the receipt out, encodes it as ESC/POS and hands it to the transport. */
export function createEscPosSink(transport: PrinterTransport, options: EscPosOptions): ReceiptSink {
  return {
    print: async ({ content }) => {
      await transport.write(encodeReceiptEscPos(layoutReceipt(content), options));
    },
  };
}
