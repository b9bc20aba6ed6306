import { isValidReferenceNumber } from '../../sync/client/reference-number';
import { embeddedCatalogues, embeddedSite } from '../../kiosk-config';
import { parseSiteConfig } from '../../kiosk-config/load';
import { createBridgeRouter } from '../../sync/bridge/router';
import { BridgeError } from '../../sync/bridge/kiosk-bridge';
import type { KioskBridge } from '../../sync/bridge/kiosk-bridge';
import type { ChannelName, EventName, EventPayload, RequestArgs } from '../../sync/bridge/channels';
import { parseEventPayload, unwrapReply } from '../../sync/bridge/bridge-client';
import type { LogLine } from '../../sync/bridge/operator-payloads';

/**
 * The simulated shell: the same router and channel schemas, answered in the page from the
 * embedded config. Only the demo build (`npm run demo`) and tests use it: its data key lives as
 * long as the page, so anything personal committed under it cannot be sent after a reload.
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
  // In-page stand-ins for the shell's events and its recent log lines.
  const listeners = new Map<string, Set<(payload: unknown) => void>>();
  const emit = <E extends EventName>(event: E, payload: EventPayload<E>): void => {
    for (const listener of listeners.get(event) ?? []) listener(payload);
  };
  const recent: LogLine[] = [];
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
      catalogue: embeddedCatalogues[site.value.country],
    }),
    'log:write': async ({ level, message }) => {
      recent.push({ at: new Date().toISOString(), level, text: message.slice(0, 300) });
      if (recent.length > 200) recent.shift();
    },
    'log:tail': async ({ limit }) => ({ lines: recent.slice(-(limit ?? 50)) }),
    // No file system in a plain page: the report stays on screen, bundles need a shell.
    'report:pdf': async () => {
      throw new BridgeError('unavailable', 'the in-page simulated shell cannot write files');
    },
    'bundle:write': async () => {
      throw new BridgeError('unavailable', 'the in-page simulated shell cannot write files');
    },
    'printer:simulate': async () => {
      throw new BridgeError('unavailable', 'the in-page simulated shell has no printer');
    },
    // The reader is simulated here too: a swipe reaches the page like a read from the shell.
    'card-reader:simulate-swipe': async (card) => {
      const read =
        card.kind === 'officer'
          ? {
              kind: 'officer' as const,
              officerId: card.officerId,
              expires: card.expires ?? '2099-12',
              source: 'simulated' as const,
            }
          : {
              kind: 'reference' as const,
              ref: card.ref.replace(/^SP:/, ''),
              source: 'simulated' as const,
            };
      emit('card-reader:read', read);
      return read;
    },
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
    // A plain page has no offline speech engine: the page uses the browser's voices, or says a
    // language cannot be spoken here.
    'speech:voices': async () => ({ voices: [] }),
    'speech:speak': async () => {
      throw new BridgeError('unavailable', 'the in-page simulated shell has no speech engine');
    },
    'printer:uncertain-jobs': async () => ({ jobs: [] }),
    'printer:waiting-jobs': async () => ({ jobs: [] }),
    'printer:resolve': async () => {
      throw new BridgeError('unavailable', 'the in-page simulated shell has no printer');
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
  // The whole page is one caller: it lives as long as this object does.
  const page = { page: 'in-page', alive: () => true };
  return {
    async invoke<C extends ChannelName>(channel: C, ...request: RequestArgs<C>) {
      return unwrapReply(channel, await router.handle(channel, request[0], page));
    },
    on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void) {
      const wrapped = (payload: unknown): void => {
        const parsed = parseEventPayload(event, payload);
        if (parsed !== undefined) listener(parsed);
      };
      const set = listeners.get(event) ?? new Set();
      set.add(wrapped);
      listeners.set(event, set);
      return () => {
        set.delete(wrapped);
      };
    },
  } satisfies KioskBridge;
}
