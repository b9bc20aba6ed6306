import type { KioskInfo } from '../bridge/channels';
import type { BridgeHandlers } from '../bridge/router';
import type { LoadedConfig } from './load-config';

export interface KioskServicesOptions {
  config: LoadedConfig;
  shell: KioskInfo['shell'];
  appVersion: string;
  /** Where the gateway really is (the launcher may override the site's URL). */
  gatewayUrl: string;
  enrolmentToken?: string;
  simulatedDevices: KioskInfo['simulatedDevices'];
  log?: (level: string, message: string) => void;
}

/** The bridge handlers both shells serve: the privileged side of every channel. */
export function createKioskServices(options: KioskServicesOptions): BridgeHandlers {
  return {
    'kiosk:info': async () => ({
      kioskId: options.config.site.kioskId,
      shell: options.shell,
      appVersion: options.appVersion,
      gatewayUrl: options.gatewayUrl,
      enrolmentToken: options.enrolmentToken,
      simulatedDevices: options.simulatedDevices,
    }),
    'config:get': async () => ({
      site: { ...options.config.site, gatewayUrl: options.gatewayUrl },
      catalogue: options.config.catalogue,
    }),
    'log:write': async ({ level, message }) => {
      options.log?.(level, message);
    },
    // The Electron shell replaces these two with its operator-exit and maintenance services; the
    // browser shell cannot leave Chromium's kiosk mode from the page, so it says so.
    'operator:exit': async () => ({ result: 'disabled' }),
    'session:state': async () => undefined,
  };
}
