import path from 'node:path';
import { devicesConfigSchema } from '../../kiosk-config/devices-schema';
import { createBridgeRouter } from '../../sync/bridge/router';
import type { BridgeRouter } from '../../sync/bridge/router';
import { systemDeviceClock } from '../devices/device-runtime';
import { createKioskDevices } from '../devices/kiosk-devices';
import type { KioskDevices } from '../devices/kiosk-devices';
import { createFileKeyCustody } from '../services/key-custody';
import { createKioskServices } from '../services/kiosk-services';
import type { LoadedConfig } from '../services/load-config';
import { createLogRing } from '../services/log-ring';

/** What the browser shell's page talks to: the devices and the bridge's handlers over them. */
export interface KioskBackend {
  devices: KioskDevices;
  router: BridgeRouter;
}

/**
 * The browser shell's privileged side: the printer and card reader from the site's `devices`
 * section (simulated where absent) and the bridge's handlers (config, keys, speech, printing,
 * operator files…). Its own chunk of the launcher's bundle (pdfkit, the ESC/POS encoder, node-hid
 * …): `npm start` loads it while Chromium starts; the page's first bridge call waits for it.
 */
export async function startKioskBackend(input: {
  config: LoadedConfig;
  dataDir: string;
  gatewayUrl: string;
  enrolmentToken: string | undefined;
  appVersion: string;
  log: (message: string) => void;
}): Promise<KioskBackend> {
  const { config, dataDir, log } = input;
  // The operator console's recent events (`log:tail`): device and page events, no personal data.
  const logRing = createLogRing();
  const devices = await createKioskDevices({
    config: devicesConfigSchema.parse(config.site.devices ?? {}),
    dataDir: path.join(dataDir, 'devices'),
    clock: systemDeviceClock,
    logger: {
      log: (level, event) => {
        logRing.push(level, `device ${event}`);
        if (level === 'warn' || level === 'error') log(`device ${level}: ${event}`);
      },
    },
  });
  devices.start();
  const services = createKioskServices({
    config,
    shell: 'browser',
    appVersion: input.appVersion,
    gatewayUrl: input.gatewayUrl,
    enrolmentToken: input.enrolmentToken,
    devices,
    simulatedDevices: devices.simulated,
    log: (level, message) => log(`page ${level}: ${message}`),
    keyCustody: createFileKeyCustody(path.join(dataDir, 'data-key')),
    dataDir,
    logRing,
  });
  return { devices, router: createBridgeRouter(services) };
}
