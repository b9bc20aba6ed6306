/**
 * The renderer's Content-Security-Policy: no inline script, no eval, no plugins, no framing;
 * the page may talk to itself and to the gateway only.
 */
export function contentSecurityPolicy(
  connectSources: string[],
  options: { bridgeWebSocket?: boolean } = {},
): string {
  const connect = ["'self'", ...connectSources.map((source) => new URL(source).origin)];
  // The browser shell's bridge WebSocket is on the page's own host; older engines do not let
  // 'self' cover ws:, so it is named. The Electron shell's bridge is IPC and needs none.
  const wsSources =
    options.bridgeWebSocket === false ? [] : ['ws://127.0.0.1:*', 'ws://localhost:*'];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data: blob:",
    "font-src 'self'",
    `connect-src ${[...connect, ...wsSources].join(' ')}`,
    "worker-src 'self'",
    "manifest-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}
