import type { KioskInfo } from '../../sync/bridge/channels';
import type { BridgeHandlers } from '../../sync/bridge/router';
import { BridgeError } from '../../sync/bridge/kiosk-bridge';
import { createDataKeyRelease } from './key-custody';
import type { KeyCustody } from './key-custody';
import type { KioskDevices } from '../devices/kiosk-devices';
import { parseCardRead } from '../devices/card-reader/card-parsers';
import { DeviceError } from '../devices/device-runtime';
import type { LoadedConfig } from './load-config';
import path from 'node:path';
import { findReceiptFonts } from '../devices/printer/receipt-fonts';
import type { ReceiptFonts } from '../devices/printer/receipt-fonts';
import type { LogRing } from './log-ring';
import { createBundleWriter, writeReportPdf } from './operator-files';
import { SpeechError, createEspeakEngine } from './speech-engine';
import type { SpeechEngine } from './speech-engine';

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
  devices?: Pick<KioskDevices, 'print' | 'printerStatus'> &
    Partial<
      Pick<
        KioskDevices,
        | 'refreshPrinterStatus'
        | 'simulatedCardReader'
        | 'simulatedPrinter'
        | 'uncertainJobs'
        | 'waitingJobs'
        | 'resolveUncertain'
      >
    >;
  /** The shell's data dir: reports go to `reports/`, bundles by default to `exports/`. */
  dataDir?: string;
  /** Recent events for the operator console (`log:tail`); page log lines are added to it. */
  logRing?: LogRing;
  /** Folders under which removable drives are mounted (operator-files.ts has the default). */
  removableRoots?: readonly string[];
  /** Fonts for report PDFs; found at first use when absent. */
  fonts?: ReceiptFonts;
  /** Offline speech for languages the browser cannot speak (default: espeak-ng on the PATH). */
  speech?: SpeechEngine;
}

/** The bridge handlers both shells serve: the privileged side of every channel. */
export function createKioskServices(options: KioskServicesOptions): BridgeHandlers {
  const needDataDir = (what: string): string => {
    if (!options.dataDir) throw new BridgeError('unavailable', `this shell cannot write ${what}`);
    return options.dataDir;
  };
  let bundles: ReturnType<typeof createBundleWriter> | undefined;
  const speech = options.speech ?? createEspeakEngine();
  const dataKeys = options.keyCustody && createDataKeyRelease(options.keyCustody);
  const note = (level: 'info' | 'warn' | 'error', text: string): void => {
    options.logRing?.push(level, text);
    options.log?.(level, text);
  };
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
      options.logRing?.push(level, `page: ${message}`);
    },
    // Once per page load: see createDataKeyRelease (a refusal is logged, it may be an attack).
    'keys:data-key': async (_request, caller) => {
      if (!dataKeys) {
        throw new BridgeError('unavailable', 'this shell has no key custody for the data key');
      }
      const released = await dataKeys.release(caller);
      if (!released.ok) {
        note('warn', `data key refused to ${caller.page}: ${released.reason}`);
        throw new BridgeError(
          'forbidden',
          `the data key was already handed out (${released.reason})`,
        );
      }
      return { key: Buffer.from(released.key).toString('base64url') };
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
    'printer:uncertain-jobs': async () => ({
      jobs: options.devices?.uncertainJobs?.() ?? [],
    }),
    'printer:waiting-jobs': async () => ({
      jobs: options.devices?.waitingJobs?.() ?? [],
    }),
    'printer:resolve': async ({ jobId, decision }) => {
      const devices = options.devices;
      if (!devices?.resolveUncertain) {
        throw new BridgeError('unavailable', 'this shell has no printer');
      }
      try {
        const reply = await devices.resolveUncertain(jobId, decision);
        note(
          'info',
          `uncertain receipt ${decision === 'was-printed' ? 'marked printed' : 'printed again'}`,
        );
        return reply;
      } catch (error) {
        if (error instanceof DeviceError && error.code === 'unknown-job') {
          throw new BridgeError('bad-request', 'that receipt is no longer waiting for a decision');
        }
        throw error;
      }
    },
    'card-reader:wedge-read': async ({ text }) => {
      const read = parseCardRead(text, 'keyboard-wedge', {
        officerIssuer: options.config.site.devices?.officerCardIssuer ?? '0001',
        now: new Date(),
      });
      // What was read, never the number on it.
      note(
        'info',
        `card read: ${read.kind === 'rejected' ? `rejected (${read.code})` : read.kind} (keyboard-wedge)`,
      );
      return read;
    },
    'report:pdf': async (report) => {
      const dir = path.join(needDataDir('reports'), 'reports');
      const written = await writeReportPdf(report, {
        dir,
        fonts: options.fonts ?? findReceiptFonts(),
      });
      note('info', `report written: ${path.basename(written.path)}`);
      return written;
    },
    'card-reader:simulate-swipe': async (card) => {
      const reader = options.devices?.simulatedCardReader;
      if (!reader) throw new BridgeError('unavailable', 'the card reader is real hardware');
      return reader.swipe(
        card.kind === 'officer'
          ? { kind: 'officer', officerId: card.officerId, expires: card.expires ?? '2099-12' }
          : { kind: 'reference', ref: card.ref },
      );
    },
    'printer:simulate': async ({ state }) => {
      const devices = options.devices;
      if (!devices?.simulatedPrinter) {
        throw new BridgeError('unavailable', 'the printer is real hardware');
      }
      devices.simulatedPrinter.setState(state);
      note('info', `simulated printer set to ${state}`);
      return devices.refreshPrinterStatus
        ? devices.refreshPrinterStatus()
        : devices.printerStatus();
    },
    'bundle:write': async (request) => {
      bundles ??= createBundleWriter({
        exportDir: path.join(needDataDir('bundles'), 'exports'),
        removableRoots: options.removableRoots,
      });
      const reply = bundles.write(request);
      if (reply.state === 'written') note('info', `bundle written: ${path.basename(reply.path)}`);
      return reply;
    },
    'log:tail': async ({ limit }) => ({ lines: options.logRing?.tail(limit ?? 50) ?? [] }),
    'speech:voices': async () => ({ voices: await speech.voices() }),
    // The text may hold what a citizen typed: it is spoken, never logged, not even on failure.
    'speech:speak': async (request) => {
      try {
        const clip = await speech.synthesize(request);
        return { voice: clip.voice, wav: clip.wav.toString('base64'), durationMs: clip.durationMs };
      } catch (error) {
        if (!(error instanceof SpeechError)) throw error;
        if (error.code === 'no-voice') throw new BridgeError('unavailable', error.message);
        note('warn', `speech in ${request.language} failed: ${error.code}`);
        throw new BridgeError('failed', `speech ${error.code}`);
      }
    },
  };
}
