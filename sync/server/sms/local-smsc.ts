import { randomBytes } from 'node:crypto';
import { appendFileSync } from 'node:fs';
import smpp from 'smpp';
import type { PDU, PduValue, Server, Session } from 'smpp';
import { messageText } from './sms-text';

/** One message the local SMSC received (a submit_sm). */
export interface ReceivedSms {
  smscMessageId: string;
  /** E.164 without the plus, as submit_sm carries it. */
  to: string;
  from: string;
  text: string;
  dataCoding: number;
  at: string;
  /** The receipt word it was (or will be) answered with. */
  stat: string;
  /** Which bind it came in on: 1 for the first session accepted, 2 for the next, and so on. */
  session: number;
}

export interface LocalSmscOptions {
  host?: string;
  /** 0 (default) picks a free port. */
  port?: number;
  systemId: string;
  password: string;
  /** How long before a delivery receipt is sent (default 200 ms; a real network takes seconds). */
  receiptDelayMs?: number;
  /** The receipt word for a message (default DELIVRD): test numbers that fail. */
  outcome?: (message: { to: string; text: string }) => string;
  /** Appends each message received as one JSON line (the demo's "phone"). */
  logFile?: string;
}

const STATE_OF: Record<string, number> = {
  ENROUTE: 1,
  DELIVRD: 2,
  EXPIRED: 3,
  DELETED: 4,
  UNDELIV: 5,
  ACCEPTD: 6,
  UNKNOWN: 7,
  REJECTD: 8,
};

function smppDate(at: Date): string {
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(at.getUTCFullYear() % 100)}${two(at.getUTCMonth() + 1)}${two(at.getUTCDate())}${two(at.getUTCHours())}${two(at.getUTCMinutes())}`;
}

function decode(pdu: PDU): string {
  const raw = pdu.message_payload ?? pdu.short_message;
  const coding = typeof pdu.data_coding === 'number' ? pdu.data_coding : 0;
  // The smpp package decodes short_message by data_coding; message_payload comes as bytes.
  if (Buffer.isBuffer(raw)) {
    if (coding === 8) return Buffer.from(raw).swap16().toString('utf16le');
    return raw.toString('latin1');
  }
  return messageText(raw);
}

/**
 * A small SMS centre on 127.0.0.1 built on the `smpp` package's server side, for tests and the
 * demo: it accepts binds with one system_id and password, answers each submit_sm with a message
 * id, sends a delivery receipt (deliver_sm, esm_class 0x04, with receipted_message_id and
 * message_state TLVs and the v3.4 Appendix B text) after `receiptDelayMs`, and can send a
 * citizen's reply (a mobile-originated deliver_sm). It never reaches a phone.
 */
export class LocalSmsc {
  readonly received: ReceivedSms[] = [];
  private server: Server | undefined;
  private readonly sessions = new Set<Session>();
  private readonly bound = new Set<Session>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly waiters = new Set<() => void>();
  /** Test hooks: answer the next n submits with this command_status, or not at all. */
  private faults: Array<{ kind: 'status'; status: number } | { kind: 'no-answer' }> = [];
  port = 0;
  private accepted = 0;

  constructor(private readonly options: LocalSmscOptions) {}

  async start(): Promise<number> {
    this.server = smpp.createServer({}, (session) => this.accept(session));
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', () =>
        resolve(),
      );
    });
    const address = this.server.address();
    this.port = address && typeof address === 'object' ? address.port : 0;
    return this.port;
  }

  get url(): string {
    return `smpp://127.0.0.1:${this.port}`;
  }

  /** The next submit is answered with `status` (not sent), or never answered ('no-answer'). */
  fault(fault: { kind: 'status'; status: number } | { kind: 'no-answer' }): void {
    this.faults.push(fault);
  }

  private accept(session: Session): void {
    let bound = false;
    this.accepted += 1;
    const sessionNumber = this.accepted;
    this.sessions.add(session);
    session.on('close', () => {
      this.sessions.delete(session);
      this.bound.delete(session);
    });
    session.on('error', () => undefined);
    const bind = (pdu: PDU) => {
      const ok = pdu.system_id === this.options.systemId && pdu.password === this.options.password;
      session.send(pdu.response({ command_status: ok ? 0 : 0x0d, system_id: 'local-smsc' }));
      bound = ok;
      if (ok) {
        this.bound.add(session);
        this.bindCount += 1;
      } else session.close();
    };
    session.on('bind_transceiver', bind);
    session.on('bind_transmitter', bind);
    session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('submit_sm', (pdu: PDU) => {
      if (!bound) {
        session.send(pdu.response({ command_status: 0x04 }));
        return;
      }
      const fault = this.faults.shift();
      if (fault?.kind === 'status') {
        session.send(pdu.response({ command_status: fault.status }));
        return;
      }
      const message: ReceivedSms = {
        smscMessageId: randomBytes(8).toString('hex'),
        to: String(pdu.destination_addr ?? ''),
        from: String(pdu.source_addr ?? ''),
        text: decode(pdu),
        dataCoding: typeof pdu.data_coding === 'number' ? pdu.data_coding : 0,
        at: new Date().toISOString(),
        stat: 'DELIVRD',
        session: sessionNumber,
      };
      message.stat = this.options.outcome?.({ to: message.to, text: message.text }) ?? 'DELIVRD';
      this.received.push(message);
      if (this.options.logFile) {
        appendFileSync(this.options.logFile, `${JSON.stringify(message)}\n`, { mode: 0o600 });
      }
      for (const wake of [...this.waiters]) wake();
      // A lost answer: the message was taken, the client never hears so (the in-doubt window).
      if (fault?.kind === 'no-answer') return;
      session.send(pdu.response({ message_id: message.smscMessageId }));
      if (pdu.registered_delivery) this.receiptLater(session, message, pdu);
    });
  }

  private receiptLater(session: Session, message: ReceivedSms, pdu: PDU): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      const now = new Date();
      const delivered = message.stat === 'DELIVRD' ? '001' : '000';
      session.deliver_sm({
        source_addr_ton: pdu.dest_addr_ton as number,
        source_addr_npi: pdu.dest_addr_npi as number,
        source_addr: message.to,
        dest_addr_ton: pdu.source_addr_ton as number,
        dest_addr_npi: pdu.source_addr_npi as number,
        destination_addr: message.from,
        esm_class: 0x04,
        short_message: `id:${message.smscMessageId} sub:001 dlvrd:${delivered} submit date:${smppDate(new Date(message.at))} done date:${smppDate(now)} stat:${message.stat} err:${message.stat === 'DELIVRD' ? '000' : '001'} text:${message.text.slice(0, 20).replace(/[^\x20-\x7e]/g, '?')}`,
        receipted_message_id: message.smscMessageId,
        message_state: STATE_OF[message.stat] ?? 7,
      });
    }, this.options.receiptDelayMs ?? 200);
    this.timers.add(timer);
  }

  /** How many gateway sessions are bound now. */
  get boundSessions(): number {
    return this.bound.size;
  }

  /** How many binds this SMSC has accepted since it started. */
  bindCount = 0;

  /** Drops every session, as an SMSC restart or a broken network would. */
  dropSessions(): void {
    for (const session of this.sessions) session.destroy();
  }

  /** A citizen's reply from `from` (E.164, with or without +) to the gateway's sender. */
  async reply(from: string, text: string, to = ''): Promise<number> {
    return this.deliver({
      source_addr_ton: 1,
      source_addr_npi: 1,
      source_addr: from.replace(/^\+/, ''),
      destination_addr: to,
      esm_class: 0,
      short_message: text,
    });
  }

  /**
   * Any deliver_sm to the bound gateway (tests of what an SMSC may send: a receipt that names
   * no message, one for a message the gateway never sent, a reply from a foreign number);
   * resolves with the command_status of the gateway's deliver_sm_resp.
   */
  async deliver(fields: Record<string, PduValue>): Promise<number> {
    const session = [...this.bound][0];
    if (!session) throw new Error('no gateway is bound to the local SMSC');
    return new Promise((resolve) => {
      session.deliver_sm(fields, (answer: PDU) => resolve(answer.command_status));
    });
  }

  /** Waits until `count` messages match `filter` (default: any), up to `timeoutMs`. */
  async waitFor(
    filter: (message: ReceivedSms) => boolean = () => true,
    count = 1,
    timeoutMs = 15_000,
  ): Promise<ReceivedSms[]> {
    const found = () => this.received.filter(filter);
    if (found().length >= count) return found();
    return new Promise((resolve, reject) => {
      const wake = () => {
        if (found().length < count) return;
        cleanup();
        resolve(found());
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`the local SMSC got ${found().length} of ${count} messages in time`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.waiters.delete(wake);
      };
      this.waiters.add(wake);
    });
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const session of this.sessions) session.destroy();
    await new Promise<void>((resolve) => {
      if (!this.server) resolve();
      else this.server.close(() => resolve());
    });
  }
}
