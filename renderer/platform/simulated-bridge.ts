import { isValidReferenceNumber } from '../../sync/client/reference-number';
import { embeddedCatalogue, embeddedSite } from '../../kiosk-config';
import { parseSiteConfig } from '../../kiosk-config/load';
import { createBridgeRouter } from '../../electron/bridge/router';
import { BridgeError } from '../../electron/bridge/kiosk-bridge';
import type { KioskBridge } from '../../electron/bridge/kiosk-bridge';

/**
 * The simulated shell: the same router and channel schemas, answered in the page from the
 * embedded config. Used for demos in a plain browser and for renderer unit tests.
 */
export function createSimulatedBridge(
  overrides: { gatewayUrl?: string; enrolmentToken?: string } = {},
): KioskBridge {
  const site = parseSiteConfig(embeddedSite);
  if (!site.ok) throw new Error(site.error);
  const gatewayUrl = overrides.gatewayUrl ?? site.value.gatewayUrl;
  const simulatedDataKey = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');
  const router = createBridgeRouter({
    'kiosk:info': async () => ({
      kioskId: site.value.kioskId,
      shell: 'simulated',
      appVersion: 'simulated',
      gatewayUrl,
      enrolmentToken: overrides.enrolmentToken,
      simulatedDevices: ['printer', 'card-reader'],
    }),
    'config:get': async () => ({
      site: { ...site.value, gatewayUrl },
      catalogue: embeddedCatalogue,
    }),
    'log:write': async () => undefined,
    // Simulated custody: a key for this page's life only (a reload cannot reprint personal data).
    'keys:data-key': async () => ({ key: simulatedDataKey }),
    // A page in a plain browser has no kiosk mode to leave and no shell that restarts.
    'operator:exit': async () => ({ result: 'disabled' }),
    'session:state': async () => undefined,
    // The in-page shell has no printer; `npm start` serves the simulated printer from Node.
    'printer:print': async () => {
      throw new BridgeError('unavailable', 'the in-page simulated shell has no printer');
    },
    // The in-page shell knows receipt references only; card tracks need the shell's parsers.
    'card-reader:wedge-read': async ({ text }) => {
      const ref = text.trim().toUpperCase().replace(/^SP:/, '');
      return isValidReferenceNumber(ref)
        ? { kind: 'reference', ref, source: 'keyboard-wedge' }
        : {
            kind: 'rejected',
            code: 'unrecognised',
            message: 'This card or code is not recognised.',
            source: 'keyboard-wedge',
          };
    },
    'printer:status': async () => ({
      state: 'unknown',
      detail: 'in-page-simulation',
      checkedAt: null,
      simulated: true,
      heldJobs: 0,
      uncertainJobs: 0,
    }),
  });
  return {
    async invoke(channel, ...request) {
      const reply = await router.handle(channel, request[0]);
      if (!reply.ok) throw new BridgeError(reply.error.code, reply.error.message);
      return reply.value as never;
    },
    on() {
      return () => undefined;
    },
  } satisfies KioskBridge;
}
