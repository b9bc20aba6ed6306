import type { KioskInfo } from '../bridge/channels';
import type { BridgeHandlers } from '../bridge/router';
import { BridgeError } from '../bridge/kiosk-bridge';
import type { KeyCustody } from './key-custody';
import type { KioskDevices } from '../devices/kiosk-devices';
import { parseCardRead } from '../devices/card-reader/card-parsers';
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
  /** Holds the at-rest data key (file custody in the browser shell, safeStorage in Electron). */
  keyCustody?: KeyCustody;
  /** The printer and card reader (real or simulated) from `createKioskDevices`. */
  devices?: Pick<KioskDevices, 'print' | 'printerStatus'>;
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
    'keys:data-key': async () => {
      if (!options.keyCustody) {
        throw new BridgeError('unavailable', 'this shell has no key custody for the data key');
      }
      return { key: Buffer.from(await options.keyCustody.getDataKey()).toString('base64url') };
    },
    // The Electron shell replaces these two with its operator-exit and maintenance services; the
    // browser shell cannot leave Chromium's kiosk mode from the page, so it says so.
    'operator:exit': async () => ({ result: 'disabled' }),
    'session:state': async () => undefined,
    'printer:print': async (content) => {
      if (!options.devices) throw new BridgeError('unavailable', 'this shell has no printer');
      return options.devices.print(content);
    },
    'printer:status': async () => {
      if (!options.devices) throw new BridgeError('unavailable', 'this shell has no printer');
      return options.devices.printerStatus();
    },
    'card-reader:wedge-read': async ({ text }) =>
      parseCardRead(text, 'keyboard-wedge', {
        officerIssuer: options.config.site.devices?.officerCardIssuer ?? '0001',
        now: new Date(),
      }),
  };
}
