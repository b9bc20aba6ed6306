import { isIP } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { z } from 'zod';
import type { ClaimedJob } from '../jobs/job-queue';
import type { JobHandler } from '../jobs/job-runner';
import { JobError } from '../jobs/job-runner';
import type { SealingKey } from '../sealing-key';
import type { GatewayStore } from '../store';
import { agencyEvent } from './events';

/** The job queue webhook deliveries go through; a job's payload names a feed entry. */
export { WEBHOOK_QUEUE } from '../db/agency-store';
const webhookJobSchema = z.object({ agencyId: z.string(), position: z.number().int().min(1) });

/** The `webhook-…` headers of the Standard Webhooks specification. */
export const WEBHOOK_HEADERS = {
  id: 'webhook-id',
  timestamp: 'webhook-timestamp',
  signature: 'webhook-signature',
} as const;

function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '');
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

/**
 * Why a webhook URL cannot be used, or undefined: it must be `https://`, except `http://` to
 * this machine (127.0.0.0/8, ::1, localhost), which never leaves it (tests, a local relay).
 */
export function webhookUrlProblem(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `"${url}" is not a URL`;
  }
  if (parsed.username || parsed.password) return 'a webhook URL must not carry credentials';
  if (parsed.protocol === 'https:') return undefined;
  if (parsed.protocol === 'http:' && isLoopback(parsed.hostname)) return undefined;
  return 'a webhook URL must be https:// (http:// only to this machine)';
}

export interface WebhookDeliveryOptions {
  store: GatewayStore;
  sealing: SealingKey;
  now?: () => Date;
  /** Longest wait for the agency's endpoint to answer (default 10 s; keep under the lease). */
  timeoutMs?: number;
}

/**
 * A Retry-After (RFC 9110 §10.2.3): delay-seconds, or an HTTP-date (`Sun, 06 Nov 1994 08:49:37
 * GMT`), at most a day. Anything else (`soon`, `-5`, which Date.parse would read as the year -5)
 * is ignored and the usual back-off applies.
 */
function retryAfterMs(header: string | null, now: Date): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text), 86_400) * 1000;
  if (!/^[A-Za-z]{3}, \d{2} [A-Za-z]{3} \d{4} \d{2}:\d{2}:\d{2} GMT$/.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.min(at - now.getTime(), 86_400_000));
}

/**
 * Delivers one feed entry to its agency's webhook: the entry's CloudEvent (JSON format,
 * `application/cloudevents+json`) signed per Standard Webhooks (`webhook-id` is the event id,
 * so a receiver can drop a repeat; `webhook-signature` is `v1,` HMAC-SHA256 over
 * `id.timestamp.body` with the agency's `whsec_` secret). A 2xx answer acknowledges the entry in
 * the feed (by `webhook`). An entry already acknowledged (taken from the pull feed), an agency
 * disabled or without a webhook: nothing is sent. 410 Gone gives the job up; any other answer
 * or no answer is retried with back-off (a `Retry-After` is honoured). Redirects are not
 * followed.
 */
export function webhookDelivery(options: WebhookDeliveryOptions): JobHandler {
  const now = options.now ?? (() => new Date());
  const timeoutMs = options.timeoutMs ?? 10_000;
  return async (job: ClaimedJob) => {
    const { agencyId, position } = webhookJobSchema.parse(job.payload);
    const agency = await options.store.agencies.get(agencyId);
    if (!agency || agency.disabledAt || !agency.webhookUrl || !agency.webhookSecret) return;
    const problem = webhookUrlProblem(agency.webhookUrl);
    if (problem) throw new JobError(problem, { permanent: true });
    const entry = await options.store.agencies.feedEntry(agencyId, position);
    if (!entry)
      throw new JobError(`no feed entry ${position} for ${agencyId}`, { permanent: true });
    if (entry.ackedAt) return;
    const event = await agencyEvent(entry, agency, options.sealing);
    const body = JSON.stringify(event);
    const at = now();
    const signature = new Webhook(agency.webhookSecret).sign(event.id, at, body);
    let response: Response;
    try {
      response = await fetch(agency.webhookUrl, {
        method: 'POST',
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
        headers: {
          'content-type': 'application/cloudevents+json; charset=utf-8',
          [WEBHOOK_HEADERS.id]: event.id,
          [WEBHOOK_HEADERS.timestamp]: String(Math.floor(at.getTime() / 1000)),
          [WEBHOOK_HEADERS.signature]: signature,
          'user-agent': 'service-point-gateway',
        },
        body,
      });
    } catch (error) {
      throw new Error(`no answer from the webhook: ${(error as Error).message}`);
    }
    await response.body?.cancel().catch(() => undefined);
    if (response.status >= 200 && response.status < 300) {
      await options.store.agencies.ackFeed(agencyId, 'webhook', [position]);
      return;
    }
    if (response.status === 410) {
      throw new JobError('the webhook answered 410 Gone', { permanent: true });
    }
    const wait = retryAfterMs(response.headers.get('retry-after'), at);
    throw new JobError(`the webhook answered ${response.status}`, {
      ...(wait !== undefined ? { retryAfterMs: wait } : {}),
    });
  };
}
