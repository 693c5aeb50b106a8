/**
 * The Origin allow-list shared by the socket handshake and CORS. Entries are exact origins
 * or a scheme wildcard such as `moz-extension://*` (Thunderbird gives each install its own id).
 */
export function originChecker(allowed: readonly string[]): (origin: string | undefined) => boolean {
  const exact = new Set(allowed.filter((o) => !o.endsWith('*')));
  const prefixes = allowed.filter((o) => o.endsWith('*')).map((o) => o.slice(0, -1));
  return (origin) => {
    // Non-browser clients (mail add-in backends, scripts) send no Origin; browsers always do.
    if (origin === undefined) return true;
    return exact.has(origin) || prefixes.some((p) => origin.startsWith(p));
  };
}

export function defaultOrigins(publicUrl: string, extra: readonly string[]): string[] {
  return [new URL(publicUrl).origin, 'moz-extension://*', ...extra];
}

/** The ws:/wss: origin of the server's public URL, for CSP connect-src. */
export function socketOrigin(publicUrl: string): string {
  const u = new URL(publicUrl);
  return `${u.protocol === 'https:' ? 'wss:' : 'ws:'}//${u.host}`;
}
