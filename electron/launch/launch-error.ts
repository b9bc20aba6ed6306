import { findPortHolder } from './port-holder';
import type { PortHolder } from './port-holder';

/**
 * A start-up problem the person running `npm start` can fix (a busy port, a bad enrolment file):
 * printed as one sentence, without a stack trace.
 */
export class LaunchError extends Error {
  override readonly name = 'LaunchError';
}

/**
 * Listening failed: a clear sentence for a busy or forbidden port, never a silent move to
 * another port (the page's origin, and so its queue, and the gateway's address must not change).
 * A busy port names the process that holds it where /proc shows it (port-holder.ts), and says
 * when that is an earlier Service Point left running (a closed terminal, a killed `npm`).
 */
export function listenError(
  error: unknown,
  what: string,
  port: number,
  hint: string,
  holderOf: (port: number) => PortHolder | undefined = findPortHolder,
): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    const holder = holderOf(port);
    if (holder?.servicePoint) {
      return new LaunchError(
        `port ${port} (${what}) is busy: an earlier Service Point is still running there ` +
          `(process ${holder.pid}: ${holder.command}). Stop it first: kill ${holder.pid}`,
      );
    }
    const who = holder
      ? `process ${holder.pid} listens there (${holder.command || 'command unknown'})`
      : 'another program listens there';
    return new LaunchError(`port ${port} (${what}) is busy: ${who}. ${hint}`);
  }
  if (code === 'EACCES') {
    return new LaunchError(`port ${port} (${what}) may not be used by this user. ${hint}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
