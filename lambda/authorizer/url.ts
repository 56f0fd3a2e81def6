// The one parser for the issuer and JWKS URLs, shared by the authorizer's cold start and `cdk synth`, and
// the loopback rule for every key fetch: Lambda's Runtime API listens on 127.0.0.1:9001, so a key fetch may
// reach loopback only when the operator configured a loopback issuer or JWKS URI (local runs and tests).

/** What parseConfiguredUrl refuses, with a message that says what is allowed. */
export class UrlSettingError extends Error {
  override readonly name = 'UrlSettingError';
}

/**
 * `hostname` as the WHATWG URL parser leaves it (so `127.1`, `0x7f000001` and `2130706433` already read
 * `127.0.0.1`): a name or address that reaches this machine.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true; // RFC 6761 §6.3
  return isLoopbackAddress(host.startsWith('[') ? host.slice(1, -1) : host);
}

/** An IPv4 or IPv6 address (no brackets) in 127.0.0.0/8, the unspecified address, ::1, or IPv4-mapped loopback. */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase();
  if (/^127\.\d+\.\d+\.\d+$/.test(a) || a === '0.0.0.0') return true;
  if (a === '::1' || a === '::' || a === '0:0:0:0:0:0:0:1' || a === '0:0:0:0:0:0:0:0') return true;
  // ::ffff:127.0.0.1 and its hex spelling ::ffff:7f00:1 (also the deprecated IPv4-compatible ::7f00:1).
  const mapped = /^::(?:ffff:)?(?:127\.\d+\.\d+\.\d+|7f[0-9a-f]{2}:[0-9a-f]{1,4})$/.exec(a);
  return mapped !== null;
}

/**
 * A configured issuer or JWKS URI: https, or http for a loopback host only; no credentials, query or
 * fragment (an issuer is compared with `iss` byte for byte and has none, RFC 8414 §2). Returns the value as
 * written, since `iss` must equal it exactly; throws UrlSettingError otherwise.
 */
export function parseConfiguredUrl(value: string): { readonly value: string; readonly url: URL; readonly loopback: boolean } {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UrlSettingError(`must be an absolute URL such as https://login.example.com/, got ${JSON.stringify(redact(value))}`);
  }
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw new UrlSettingError(`must be an https URL (http is allowed only for a loopback host: localhost, 127.0.0.1, [::1]), got ${JSON.stringify(redact(value))}`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new UrlSettingError(`must not carry a query, fragment or credentials, got ${JSON.stringify(redact(value))}`);
  }
  return { value, url, loopback };
}

/**
 * A URL fit for a log line or an error message: scheme, host and path only. Credentials never appear, and
 * neither does a query, which some issuers' JWKS URIs use for keys of their own.
 */
export function redact(value: string | URL): string {
  try {
    const url = typeof value === 'string' ? new URL(value) : value;
    return `${url.protocol}//${url.host}${url.pathname}`;
  } catch {
    // Not a URL: keep what precedes any `@` (a credential in a malformed URL) and cap the length.
    const text = String(value);
    const at = text.lastIndexOf('@');
    return (at < 0 ? text : `…${text.slice(at)}`).slice(0, 200);
  }
}
