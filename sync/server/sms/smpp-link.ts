import smpp from 'smpp';
import type { PDU, Session } from 'smpp';
import { messageFields } from './sms-text';

/** How to reach one SMS centre (SMSC) over SMPP v3.4. */
export interface SmscConfig {
  /** `smpp://host:port`, or `ssmpp://host:port` for SMPP over TLS. */
  url: string;
  systemId: string;
  password: string;
  /** Sent in the bind when the SMSC asks for one (often empty). */
  systemType?: string;
  /** The sender the citizen sees: a short code, a number, or an alphanumeric name (≤ 11). */
  sourceAddr: string;
  /** Messages per second this process hands to the SMSC, at most. */
  ratePerSecond: number;
  /** How long to wait for submit_sm_resp before the message is in doubt (default 30 s). */
  submitTimeoutMs?: number;
  /** TLS: the CA that signed the SMSC's certificate (PEM), when it is not a public one. */
  tlsCa?: string;
}

/** What became of one submit_sm. */
export type SubmitOutcome =
  /** The SMSC took it: its message id (delivery receipts name it). */
  | { result: 'accepted'; smscMessageId: string }
  /** The SMSC answered with an error: not sent. `temporary`: try again later. */
  | { result: 'refused'; status: number; temporary: boolean; detail: string }
  /** Never written to the SMSC (no connection, bind refused): safe to try again. */
  | { result: 'not-sent'; detail: string }
  /** Written, but no answer came (timeout, connection lost): it may have been sent. */
  | { result: 'in-doubt'; detail: string };

/** The fields of a deliver_sm the SMSC sent (a delivery receipt or a citizen's message). */
export type DeliverHandler = (pdu: PDU) => Promise<number>;

/** SMPP command_status values that mean "not now" (SMPP v3.4 §5.1.3). */
const TEMPORARY = new Set([
  0x08, // ESME_RSYSERR
  0x14, // ESME_RMSGQFUL
  0x58, // ESME_RTHROTTLED
  0x64, // ESME_RX_T_APPN
]);
/** A destination the SMSC says cannot be reached: the number is wrong. */
const BAD_DESTINATION = new Set([0x0b /* ESME_RINVDSTADR */, 0x50 /* ESME_RINVDSTTON */]);

export function isBadDestination(status: number): boolean {
  return BAD_DESTINATION.has(status);
}

/**
 * Spaces sends to at most `ratePerSecond`: each send waits for its slot (a token bucket of
 * depth one), so a burst of alerts never exceeds what the SMSC allows this account.
 */
export class SendRate {
  private next = 0;
  constructor(
    private readonly ratePerSecond: number,
    private readonly clock: () => number = () => Date.now(),
  ) {
    if (!(ratePerSecond > 0)) throw new RangeError('the SMS rate must be above 0 per second');
  }
  /** Milliseconds to wait before the next send, and books that slot. */
  book(): number {
    const now = this.clock();
    const slot = Math.max(now, this.next);
    this.next = slot + 1000 / this.ratePerSecond;
    return slot - now;
  }
}

/**
 * One bound SMPP transceiver session to an SMSC: binds on first use, rebinds after a loss,
 * answers enquire_link and unbind, rate-limits submit_sm, and hands every deliver_sm (receipts
 * and citizens' replies) to `onDeliver`, answering with the status it returns (so a receipt the
 * gateway could not record is redelivered by the SMSC).
 */
export class SmppLink {
  private session: Session | undefined;
  private binding: Promise<Session> | undefined;
  private closed = false;
  /** A bind again after the session was lost, so receipts and replies keep coming in. */
  private rebindTimer: NodeJS.Timeout | undefined;
  private rebindDelayMs: number;
  private readonly rate: SendRate;
  /** Submits written and not answered yet, failed as in doubt if the session drops. */
  private readonly pending = new Set<(outcome: SubmitOutcome) => void>();

  constructor(
    readonly config: SmscConfig,
    private readonly onDeliver: DeliverHandler,
    private readonly log: (message: string) => void = () => undefined,
    /** Back-off of binds again after a lost session: from this, doubling, at most a minute. */
    private readonly rebindBaseMs = 1_000,
  ) {
    this.rate = new SendRate(config.ratePerSecond);
    this.rebindDelayMs = rebindBaseMs;
  }

  /** Whether a session is bound now. */
  get isBound(): boolean {
    return this.session !== undefined;
  }

  /**
   * After a bound session is lost (the SMSC restarted or dropped it, the network broke), binds
   * again with back-off until it succeeds or the link is closed: an SMSC holds receipts and
   * citizens' replies (STOP) for an ESME that is not bound, so they must not wait for the next
   * message this gateway happens to send.
   */
  private scheduleRebind(): void {
    if (this.closed || this.rebindTimer) return;
    const delay = this.rebindDelayMs;
    this.rebindDelayMs = Math.min(this.rebindDelayMs * 2, 60_000);
    this.rebindTimer = setTimeout(() => {
      this.rebindTimer = undefined;
      if (this.closed || this.session) return;
      this.bound().then(
        () => {
          this.rebindDelayMs = this.rebindBaseMs;
          this.log('SMSC bound again');
        },
        (error: Error) => {
          this.log(`SMSC bind failed: ${error.message}; trying again`);
          this.scheduleRebind();
        },
      );
    }, delay);
    this.rebindTimer.unref?.();
  }

  /** Binds now (the gateway does at start, so receipts and replies can come in). */
  async open(): Promise<void> {
    await this.bound();
  }

  private bound(): Promise<Session> {
    if (this.closed) return Promise.reject(new Error('the SMPP link is closed'));
    if (this.session) return Promise.resolve(this.session);
    this.binding ??= this.bind().finally(() => {
      this.binding = undefined;
    });
    return this.binding;
  }

  private bind(): Promise<Session> {
    return new Promise((resolve, reject) => {
      const url = new URL(this.config.url);
      const tls = url.protocol === 'ssmpp:';
      if (!tls && url.protocol !== 'smpp:') {
        reject(new Error(`the SMSC URL must be smpp:// or ssmpp://, not ${url.protocol}`));
        return;
      }
      const session = smpp.connect({
        host: url.hostname,
        port: Number(url.port) || (tls ? 3550 : 2775),
        tls,
        auto_enquire_link_period: 30_000,
        ...(tls ? { servername: url.hostname, rejectUnauthorized: true } : {}),
        ...(tls && this.config.tlsCa ? { ca: this.config.tlsCa } : {}),
      });
      let settled = false;
      const fail = (error: Error): void => {
        if (!settled) {
          settled = true;
          session.destroy();
          reject(error);
        }
      };
      const timer = setTimeout(() => fail(new Error('the SMSC did not answer the bind')), 15_000);
      session.on('error', (error: Error) => {
        this.log(`SMPP session error: ${error.message}`);
        clearTimeout(timer);
        fail(error);
      });
      session.on('close', () => {
        clearTimeout(timer);
        if (this.session === session) {
          this.session = undefined;
          this.log('SMSC session lost; binding again');
          this.scheduleRebind();
        }
        for (const settle of [...this.pending]) {
          settle({ result: 'in-doubt', detail: 'the SMSC connection closed before it answered' });
        }
        fail(new Error('the SMSC closed the connection'));
      });
      session.on('enquire_link', (pdu: PDU) => session.send(pdu.response()));
      session.on('unbind', (pdu: PDU) => {
        session.send(pdu.response());
        session.close();
      });
      session.on('deliver_sm', (pdu: PDU) => {
        void this.onDeliver(pdu)
          .catch(() => 0x64)
          .then((status) => session.send(pdu.response({ command_status: status })));
      });
      session.on(tls ? 'secureConnect' : 'connect', () => {
        session.bind_transceiver(
          {
            system_id: this.config.systemId,
            password: this.config.password,
            system_type: this.config.systemType ?? '',
            interface_version: 0x34,
          },
          (reply: PDU) => {
            clearTimeout(timer);
            if (reply.command_status !== 0) {
              fail(new Error(`the SMSC refused the bind (command_status ${reply.command_status})`));
              return;
            }
            settled = true;
            this.session = session;
            resolve(session);
          },
        );
      });
    });
  }

  /**
   * Sends one SMS: waits for its slot under the rate, binds if needed, and submits with a
   * delivery receipt requested (registered_delivery 1). Never throws: see SubmitOutcome.
   */
  async submit(to: string, text: string): Promise<SubmitOutcome> {
    const wait = this.rate.book();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    let session: Session;
    try {
      session = await this.bound();
    } catch (error) {
      return { result: 'not-sent', detail: `no SMSC session: ${(error as Error).message}` };
    }
    const alphanumeric = /[A-Za-z]/.test(this.config.sourceAddr);
    return new Promise<SubmitOutcome>((resolve) => {
      let done = false;
      const settle = (outcome: SubmitOutcome): void => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        this.pending.delete(settle);
        resolve(outcome);
      };
      const timer = setTimeout(
        () => settle({ result: 'in-doubt', detail: 'no submit_sm_resp in time' }),
        this.config.submitTimeoutMs ?? 30_000,
      );
      this.pending.add(settle);
      const written = session.submit_sm(
        {
          source_addr_ton: alphanumeric ? 5 : 1,
          source_addr_npi: alphanumeric ? 0 : 1,
          source_addr: this.config.sourceAddr,
          dest_addr_ton: 1,
          dest_addr_npi: 1,
          destination_addr: to.replace(/^\+/, ''),
          registered_delivery: 1,
          ...messageFields(text),
        },
        (reply: PDU) => {
          if (reply.command_status === 0) {
            settle({ result: 'accepted', smscMessageId: String(reply.message_id ?? '') });
            return;
          }
          const status = reply.command_status;
          settle({
            result: 'refused',
            status,
            temporary: TEMPORARY.has(status),
            detail: `the SMSC refused it (command_status 0x${status.toString(16)})`,
          });
        },
      );
      if (!written) settle({ result: 'not-sent', detail: 'the SMSC connection is not writable' });
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.rebindTimer);
    this.rebindTimer = undefined;
    const session = this.session ?? (await this.binding?.catch(() => undefined));
    this.session = undefined;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        session.destroy();
        resolve();
      }, 2_000);
      session.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      const sent = session.unbind({}, () => session.close());
      if (!sent) session.destroy();
    });
  }
}
