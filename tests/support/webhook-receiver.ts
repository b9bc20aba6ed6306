import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HTTP } from 'cloudevents';
import { Webhook } from 'standardwebhooks';
import { agencyEventSchema } from '../../sync/protocol/agency-wire';
import type { AgencyEvent } from '../../sync/protocol/agency-wire';

/** One delivery as an agency's endpoint saw it. */
export interface ReceivedWebhook {
  id: string;
  /** Whether the Standard Webhooks signature verified with the agency's secret. */
  verified: boolean;
  event?: AgencyEvent;
  status: number;
}

export interface WebhookReceiver {
  url: string;
  readonly received: ReceivedWebhook[];
  /** Chooses the answer to the n-th delivery (0-based), e.g. 503 first, then 200. */
  answer(choose: (n: number, id: string) => number): void;
  close(): Promise<void>;
}

/**
 * An agency's webhook endpoint on 127.0.0.1, as an agency would write one with the public
 * packages: it verifies the signature with `standardwebhooks` (Webhook.verify, which also
 * refuses a timestamp more than 5 minutes off) and reads the body with `cloudevents`
 * (HTTP.toEvent), then checks it against the published event schema.
 */
export async function startWebhookReceiver(secret: string): Promise<WebhookReceiver> {
  const received: ReceivedWebhook[] = [];
  let choose: (n: number, id: string) => number = () => 200;
  const verifier = new Webhook(secret);
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const headers = Object.fromEntries(
        Object.entries(request.headers).map(([k, v]) => [
          k,
          Array.isArray(v) ? v.join(',') : (v ?? ''),
        ]),
      );
      const id = headers['webhook-id'] ?? '';
      let verified = false;
      let event: AgencyEvent | undefined;
      try {
        verifier.verify(body, headers);
        verified = true;
        const parsed = HTTP.toEvent({ headers, body });
        event = agencyEventSchema.parse(JSON.parse(JSON.stringify(parsed)));
      } catch {
        // An unverified or malformed delivery is recorded as such and refused.
      }
      const status = verified && event ? choose(received.length, id) : 400;
      received.push({ id, verified, ...(event ? { event } : {}), status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/service-point`,
    received,
    answer(next) {
      choose = next;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
