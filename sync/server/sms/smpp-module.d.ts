/**
 * The part of the `smpp` package (node-smpp, SMPP v5.0 / v3.4; it ships no types) that the
 * gateway uses. Parameter names are the SMPP specification's (submit_sm, deliver_sm, TLVs).
 */
declare module 'smpp' {
  import type { EventEmitter } from 'node:events';
  import type { Server as NetServer, Socket } from 'node:net';

  export type PduValue = string | number | Buffer | Date | Record<string, unknown> | undefined;

  export class PDU {
    constructor(command: string, options?: Record<string, PduValue>);
    command: string;
    command_status: number;
    sequence_number: number;
    [field: string]: unknown;
    isResponse(): boolean;
    response(options?: Record<string, PduValue>): PDU;
  }

  export class Session extends EventEmitter {
    socket: Socket;
    send(pdu: PDU, responseCallback?: (pdu: PDU) => void, sendCallback?: () => void): boolean;
    close(callback?: () => void): void;
    destroy(callback?: () => void): void;
    pause(): void;
    resume(): void;
    bind_transceiver(options: Record<string, PduValue>, callback?: (pdu: PDU) => void): boolean;
    submit_sm(options: Record<string, PduValue>, callback?: (pdu: PDU) => void): boolean;
    deliver_sm(options: Record<string, PduValue>, callback?: (pdu: PDU) => void): boolean;
    enquire_link(options?: Record<string, PduValue>, callback?: (pdu: PDU) => void): boolean;
    unbind(options?: Record<string, PduValue>, callback?: (pdu: PDU) => void): boolean;
  }

  export class Server extends NetServer {
    sessions: Session[];
  }

  export interface ConnectOptions {
    url?: string;
    host?: string;
    port?: number;
    tls?: boolean;
    auto_enquire_link_period?: number;
    rejectUnauthorized?: boolean;
    ca?: string | Buffer;
    servername?: string;
  }

  export function connect(options: ConnectOptions, listener?: () => void): Session;
  export function createServer(
    options: Record<string, unknown>,
    listener?: (session: Session) => void,
  ): Server;

  export const encodings: {
    ASCII: { match(value: string): boolean; encode(value: string): Buffer };
    UCS2: { match(value: string): boolean; encode(value: string): Buffer };
  };

  const smpp: {
    PDU: typeof PDU;
    Session: typeof Session;
    connect: typeof connect;
    createServer: typeof createServer;
    encodings: typeof encodings;
    [constant: string]: unknown;
  };
  export default smpp;
}
