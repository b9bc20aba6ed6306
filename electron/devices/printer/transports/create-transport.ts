import type { PrinterTransportConfig } from '../../../../kiosk-config/devices-schema';
import { createCupsTransport } from './cups-transport';
import { createDeviceFileTransport } from './device-file-transport';
import { createSerialTransport } from './serial-transport';
import { createTcpTransport } from './tcp-transport';
import type { PrinterTransport } from './transport';

/** The transport a site config names; `undefined` for the simulated printer. */
export function createPrinterTransport(
  config: PrinterTransportConfig,
  overrides: { lpCommand?: string; sttyCommand?: string } = {},
): PrinterTransport | undefined {
  switch (config.kind) {
    case 'usb':
      return createDeviceFileTransport({ device: config.device, label: 'usb' });
    case 'serial':
      return createSerialTransport({
        device: config.device,
        baudRate: config.baudRate,
        sttyCommand: overrides.sttyCommand,
      });
    case 'tcp':
      return createTcpTransport({ host: config.host, port: config.port });
    case 'cups':
      return createCupsTransport({ queue: config.queue, lpCommand: overrides.lpCommand });
    case 'simulated':
      return undefined;
  }
}
