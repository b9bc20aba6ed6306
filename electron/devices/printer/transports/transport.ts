/**
 * How bytes reach a receipt printer. Every transport writes a whole job; those with a back
 * channel also answer real-time status requests (one reply byte per request).
 */
export interface PrinterTransport {
  /** For logs and the operator screen, e.g. `tcp 10.0.0.5:9100`. Never contains job data. */
  readonly description: string;
  write(job: Uint8Array): Promise<void>;
  /**
   * Sends each request and reads its one-byte reply; `null` where none came within `timeoutMs`.
   * Absent when the transport cannot read back (a CUPS queue).
   */
  exchange?(requests: readonly Uint8Array[], timeoutMs: number): Promise<Array<number | null>>;
  close?(): Promise<void>;
}

/**
 * Runs operations one at a time: a status poll must not open a second connection or interleave
 * its bytes with a job being written to the same printer.
 */
export function createSerialRunner(): <T>(operation: () => Promise<T>) => Promise<T> {
  let tail: Promise<unknown> = Promise.resolve();
  return (operation) => {
    const run = tail.then(operation, operation);
    tail = run.catch(() => undefined);
    return run;
  };
}
