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
 */
export function listenError(error: unknown, what: string, port: number, hint: string): Error {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new LaunchError(
      `port ${port} (${what}) is busy: another program listens there. ${hint}`,
    );
  }
  if (code === 'EACCES') {
    return new LaunchError(`port ${port} (${what}) may not be used by this user. ${hint}`);
  }
  return error instanceof Error ? error : new Error(String(error));
}
