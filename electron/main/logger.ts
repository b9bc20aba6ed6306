import { appendFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** One structured event; `event` is a stable name (`watchdog.reload`) that tests and ops grep for. */
export interface LogEntry {
  level: LogLevel;
  event: string;
  detail?: Record<string, unknown>;
}

/** The main process's logger. The kiosk has no console anyone reads, so events go to a file. */
export interface ShellLogger {
  log(level: LogLevel, event: string, detail?: Record<string, unknown>): void;
}

/** A logger that appends JSON lines to `file`; a failing disk must never crash the kiosk. */
export function createFileLogger(file: string, now: () => number = Date.now): ShellLogger {
  let dirReady = false;
  return {
    log(level, event, detail) {
      const line = JSON.stringify({ at: new Date(now()).toISOString(), level, event, ...detail });
      try {
        if (!dirReady) {
          mkdirSync(path.dirname(file), { recursive: true });
          dirReady = true;
        }
        appendFileSync(file, `${line}\n`, { mode: 0o600 });
      } catch {
        // Logging is best effort: a full disk is reported by the device health check instead.
      }
    },
  };
}

/** A logger that keeps entries in memory; for tests and for the operator screen's recent events. */
export function createMemoryLogger(): ShellLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  return {
    entries,
    log(level, event, detail) {
      entries.push(detail ? { level, event, detail } : { level, event });
    },
  };
}
