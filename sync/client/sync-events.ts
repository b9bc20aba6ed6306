import type { EngineStatus } from './engine';

export type SyncEventLevel = 'info' | 'warn' | 'error';

/** The part of a status message that names what went wrong, without its varying details. */
const errorKind = (message: string): string => message.split(' (')[0] ?? message;

/**
 * Turns the sync engine's status stream into log lines for the operator console's recent events
 * and the shell log: one line when the link goes up or down and one when syncing starts to fail
 * (or fails in a new way), never one per retry. Lines carry the engine's coded error text only
 * (sync-error.ts), never a record or a citizen's data. Returns the listener for
 * `SyncEngine.subscribe`.
 */
export function syncEventLogger(
  log: (level: SyncEventLevel, message: string) => void,
): (status: EngineStatus) => void {
  let link: EngineStatus['link'] = 'unknown';
  let failing: string | undefined;
  return (status) => {
    if (status.link !== link) {
      if (status.link === 'offline') log('warn', 'sync: link down (the gateway does not answer)');
      else if (status.link === 'online') {
        log('info', link === 'offline' ? 'sync: link up again' : 'sync: link up');
      }
      link = status.link;
    }
    const kind = status.lastError === undefined ? undefined : errorKind(status.lastError);
    if (kind !== failing) {
      if (status.lastError !== undefined) {
        log('error', `sync failed: ${status.lastError.slice(0, 200)} (retrying with back-off)`);
      } else if (status.state === 'idle') {
        log('info', 'sync: delivering again');
      } else {
        return;
      }
      failing = kind;
    }
  };
}
