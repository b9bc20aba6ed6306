/** Messages between the bench page and the Workbox baseline's service worker. */
export type SwRequest =
  | { type: 'setup'; kioskId: string; privateJwk: JsonWebKey }
  | { type: 'enqueue'; url: string; bodies: string[] }
  | { type: 'replay-step'; maxMs: number };

export type SwReply =
  | {
      ok: true;
      queued?: number;
      progress?: Array<[number, number]>;
      left?: number;
      failed?: string;
    }
  | { ok: false; error: string };
