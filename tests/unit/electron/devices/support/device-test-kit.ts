import type { PrinterTransport } from '../../../../../electron/devices/printer/transports/transport';
import { buildReceiptContent } from '../../../../../sync/bridge/receipt-content';
import type { ReceiptContent, ReceiptSource } from '../../../../../sync/bridge/receipt-content';
import type {
  DeviceClock,
  DeviceLogger,
  DeviceLogLevel,
} from '../../../../../electron/devices/device-runtime';

/** A clock the test moves by hand; timers fire in order when `advance` passes them. */
export function createManualClock(start = Date.parse('2026-11-14T16:30:00Z')) {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; callback: () => void }>();
  const clock: DeviceClock & { advance(ms: number): void; pending(): number } = {
    now: () => now,
    setTimeout(callback, ms) {
      const id = nextId++;
      timers.set(id, { at: now + ms, callback });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    advance(ms) {
      const until = now + ms;
      for (;;) {
        const due = [...timers.entries()]
          .filter(([, timer]) => timer.at <= until)
          .sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].callback();
      }
      now = until;
    },
    pending: () => timers.size,
  };
  return clock;
}

export interface RecordedLog {
  level: DeviceLogLevel;
  event: string;
  detail?: Record<string, unknown>;
}

export function createRecordingLogger(): DeviceLogger & { entries: RecordedLog[]; text(): string } {
  const entries: RecordedLog[] = [];
  return {
    entries,
    log(level, event, detail) {
      entries.push(detail ? { level, event, detail } : { level, event });
    },
    text: () => entries.map((entry) => JSON.stringify(entry)).join('\n'),
  };
}

/** The demo site's birth certificate service, with Setswana text that needs š, ê and ô. */
export const sampleService: ReceiptSource['service'] = {
  id: 'birth-certificate-replacement',
  title: {
    en: 'Replacement birth certificate',
    es: 'Reposición de acta de nacimiento',
    tn: 'Setlankana se sešwa sa matsalo',
  },
  receiptText: {
    en: 'Collect your certificate at the Vital Statistics Unit in 5 working days. Bring this receipt.',
    es: 'Recoja su acta en la Unidad de Estadísticas Vitales en 5 días hábiles. ¿Dudas? Traiga este recibo.',
    tn: 'Tsaya setlankana sa gago mo malatsing a le 5. Tlisa lekwalo le: ê, ô, š.',
  },
};

export function sampleReceipt(
  overrides: Partial<ReceiptSource> & { language?: string } = {},
): ReceiptContent {
  const { language, ...rest } = overrides;
  return buildReceiptContent({
    site: {
      agency: 'Ministry of Public Service',
      siteName: 'Belmopan Public Library',
      kioskId: 'demo-kiosk-01',
    },
    service: sampleService,
    transaction: {
      txId: '3f0c8a1e-6a7b-4c2d-9e8f-0a1b2c3d4e5f',
      ref: '7K3M-Q9XD-N',
      channel: 'self-service',
      fee: { amountMinor: 1000, currency: 'BZD' },
      language: language ?? 'es',
    },
    issuedAt: '2026-11-14T16:30:00.000Z',
    timeZone: 'America/Belize',
    delivery: 'queued',
    payment: { method: 'mobile-money', reference: 'MM-88231' },
    ...rest,
  });
}

/** The same receipt for a transaction an officer completed at the counter. */
export function assistedReceipt(
  overrides: Partial<ReceiptSource> & { language?: string } = {},
): ReceiptContent {
  return {
    ...sampleReceipt(overrides),
    channel: 'assisted',
    officer: { id: '00012345', name: 'Maya Cal' },
  };
}

/**
 * A printer on the other end of a `PrinterLink`, answering each request the test's `respond`
 * function answers (bytes, or nothing). Records every send. For status and protocol tests.
 */
export function scriptedTransport(respond: (request: Uint8Array) => number[] | null) {
  const sent: Uint8Array[] = [];
  let conversations = 0;
  const transport: PrinterTransport = {
    description: 'scripted',
    write: async (job) => {
      sent.push(job);
    },
    converse: async (talk) => {
      conversations += 1;
      const pending: number[] = [];
      return talk({
        lost: () => false,
        send: async (bytes) => {
          sent.push(bytes);
          const reply = respond(bytes);
          if (reply) pending.push(...reply);
        },
        receive: async () => Uint8Array.from(pending.splice(0)),
      });
    },
  };
  return { transport, sent, conversations: () => conversations };
}
