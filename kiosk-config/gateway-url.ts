/**
 * Where a kiosk may send its data. Outside the machine it runs on, only over TLS: a gateway or
 * update feed on another host must be `https`. Plain `http` is allowed on the loopback address
 * only (the demo's embedded gateway, a gateway started by hand for set-up, tests).
 */
const loopbackHosts = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** True for `http(s)://127.0.0.1`, `localhost` or `[::1]` (any port). */
export function isLoopbackUrl(url: string): boolean {
  try {
    return loopbackHosts.has(new URL(url).hostname);
  } catch {
    return false;
  }
}

/** True when the URL is `https`, or `http` on the loopback address. */
export function isAllowedKioskUrl(url: string): boolean {
  try {
    const { protocol } = new URL(url);
    return protocol === 'https:' || (protocol === 'http:' && isLoopbackUrl(url));
  } catch {
    return false;
  }
}

export const httpsRequiredMessage =
  'must be https (plain http is allowed only on this machine: 127.0.0.1 or localhost)';
