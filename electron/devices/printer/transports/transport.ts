/**
 * How bytes reach a receipt printer. Every transport writes a whole job; those with a back
 * channel (TCP, USB printer class, serial) also hold a conversation over one connection, which is
 * how status is asked and how a job's completion is confirmed.
 */
export interface PrinterTransport {
  /** For logs and the operator screen, e.g. `tcp 10.0.0.5:9100`. Never contains job data. */
  readonly description: string;
  /** Hands a whole job over with no answer expected (a CUPS queue). */
  write(job: Uint8Array): Promise<void>;
  /**
   * Opens one connection, lets `talk` send and receive, and closes it. Runs one at a time with
   * every other use of the transport, so a status poll never interleaves with a job. Rejects with
   * `transport-failed` / `transport-timeout` when no connection could be made (nothing was sent).
   * Absent when the transport cannot read back (a CUPS queue).
   */
  converse?<T>(talk: (link: PrinterLink) => Promise<T>): Promise<T>;
}

/** One open connection to a printer. */
export interface PrinterLink {
  /**
   * Sends bytes. Rejects with `link-lost` (and `bytesSent`, what the connection had taken of
   * this call before it broke) when the printer or the cable drops the connection.
   */
  send(bytes: Uint8Array): Promise<void>;
  /**
   * Waits until the bytes received so far satisfy `enough`, or `timeoutMs` passes, or the link
   * is lost, and returns (and consumes) everything received.
   */
  receive(enough: (received: Uint8Array) => boolean, timeoutMs: number): Promise<Uint8Array>;
  /** True once the printer closed or reset the connection, or a send failed. */
  lost(): boolean;
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
