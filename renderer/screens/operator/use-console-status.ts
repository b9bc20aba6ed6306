import { useCallback, useEffect, useState } from 'react';
import type { PrinterStatus } from '../../../sync/bridge/device-payloads';
import type { LogLine } from '../../../sync/bridge/operator-payloads';
import type { EngineStatus } from '../../../sync/client/engine';
import type { QueueFigures } from '../../../sync/client/store/outbox-store';
import type { KioskRuntime } from '../../app/kiosk-runtime';
import type { Translator } from '../../i18n/translator';

/** How often the console reads the printer, the queue and the shell's log again. */
const REFRESH_MS = 5000;

export interface ConsoleStatus {
  printer: PrinterStatus | 'unavailable' | undefined;
  /** A printer state the console itself set (the simulated printer's controls). */
  setPrinter(status: PrinterStatus): void;
  figures: QueueFigures | undefined;
  engine: EngineStatus;
  /** The shell's recent events, oldest first. */
  lines: LogLine[];
  /** When the figures were read (ages are shown relative to it). */
  now: number;
  /** The last card read, as the console shows it (kind and staff/receipt number only). */
  lastRead: string | undefined;
  /** Reads the printer, the queue and the log again now. */
  refresh(): Promise<void>;
}

/**
 * What the operator console shows, kept current: printer status (read every REFRESH_MS and as
 * the shell pushes it), queue figures, the sync engine's status, the shell's log tail and the
 * last card read.
 */
export function useConsoleStatus(runtime: KioskRuntime, tr: Translator): ConsoleStatus {
  const [printer, setPrinter] = useState<PrinterStatus | 'unavailable' | undefined>();
  const [figures, setFigures] = useState<QueueFigures | undefined>();
  const [engine, setEngine] = useState<EngineStatus>(runtime.engine.status);
  const [lines, setLines] = useState<LogLine[]>([]);
  const [now, setNow] = useState(() => Date.now());
  const [lastRead, setLastRead] = useState<string | undefined>();

  const refresh = useCallback(async () => {
    const [status, queue, tail] = await Promise.all([
      runtime.bridge.invoke('printer:status').catch(() => 'unavailable' as const),
      runtime.store.figures(),
      runtime.bridge
        .invoke('log:tail', { limit: 30 })
        .then((reply) => reply.lines)
        .catch(() => []),
    ]);
    setNow(Date.now());
    setPrinter(status);
    setFigures(queue);
    setLines(tail);
  }, [runtime]);

  useEffect(() => {
    const first = setTimeout(() => void refresh(), 0);
    const timer = setInterval(() => void refresh(), REFRESH_MS);
    const offEngine = runtime.engine.subscribe(setEngine);
    // The reader works if it reads: the console shows the last read (kind and staff/receipt
    // number only; a bank card shows its kind alone).
    const offReads = runtime.cardReads.subscribe((read) =>
      setLastRead(
        read.kind === 'officer'
          ? `${tr.t('operator.read.officer')} ${read.officerId}`
          : read.kind === 'reference'
            ? `${tr.t('operator.read.reference')} ${read.ref}`
            : read.kind === 'bank-card'
              ? tr.t('operator.read.bankCard')
              : `${tr.t('operator.read.rejected')} (${read.code})`,
      ),
    );
    const offPrinter = runtime.bridge.on('printer:status', setPrinter);
    return () => {
      clearTimeout(first);
      clearInterval(timer);
      offEngine();
      offPrinter();
      offReads();
    };
  }, [refresh, runtime, tr]);

  return { printer, setPrinter, figures, engine, lines, now, lastRead, refresh };
}
