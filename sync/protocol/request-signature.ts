/**
 * Signed requests: after enrolment every call carries the kiosk id, a timestamp, a one-time
 * nonce and the SHA-256 of the (uncompressed) body, signed by the device key. The gateway refuses
 * a request whose signature fails (forged), whose nonce it has seen (replayed) or whose timestamp
 * is outside the window (stale).
 */
export const signatureHeaders = {
  kiosk: 'x-sp-kiosk',
  timestamp: 'x-sp-timestamp',
  nonce: 'x-sp-nonce',
  digest: 'x-sp-content-sha256',
  signature: 'x-sp-signature',
} as const;

/** How far a request's timestamp may be from the gateway's clock. */
export const SIGNATURE_WINDOW_MS = 5 * 60_000;

export interface SignedRequestParts {
  method: string;
  /** Path and query exactly as sent, e.g. `/v1/status?refs=AB12-CD34-5`. */
  path: string;
  kioskId: string;
  timestamp: number;
  nonce: string;
  digest: string;
}

export function requestSigningText(parts: SignedRequestParts): string {
  return [
    'SP1',
    parts.method.toUpperCase(),
    parts.path,
    parts.kioskId,
    String(parts.timestamp),
    parts.nonce,
    parts.digest,
  ].join('\n');
}
