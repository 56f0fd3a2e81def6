// The one parser for the issuer and JWKS URLs, shared by the authorizer's cold start and `cdk synth`, and
// the loopback rule for every key fetch: Lambda's Runtime API listens on 127.0.0.1:9001, so a key fetch may
// reach loopback only when the operator configured a loopback issuer or JWKS URI (local runs and tests).

import { ConfigError } from '../shared/errors';

/**
 * `hostname` as the WHATWG URL parser leaves it (so `127.1`, `0x7f000001` and `2130706433` already read
 * `127.0.0.1`, and `[::ffff:0.0.0.0]` reads `[::ffff:0:0]`): a name or address that reaches this machine.
 */
export function isLoopbackHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  if (host === 'localhost' || host.endsWith('.localhost')) return true; // RFC 6761 §6.3
  return isLoopbackAddress(host.startsWith('[') ? host.slice(1, -1) : host);
}

/**
 * An IPv4 or IPv6 address (no brackets) that reaches this machine: 127.0.0.0/8, 0.0.0.0/8 (Linux connects
 * 0.0.0.0 to 127.0.0.1), and the IPv6 forms of those, since a connection to `::ffff:0.0.0.0` lands on
 * 127.0.0.1 too. IPv6 addresses in ::ffff:0:0/96 (IPv4-mapped) and ::/96 (IPv4-compatible, which holds ::
 * and ::1) are judged by their IPv4 part, in the dotted and the hex spelling alike. A zone id is ignored.
 */
export function isLoopbackAddress(address: string): boolean {
  const a = address.toLowerCase().replace(/%.*$/, '');
  const v4 = a.includes(':') ? embeddedIpv4(a) : ipv4(a);
  return v4 !== undefined && (v4 >>> 24 === 127 || v4 >>> 24 === 0);
}

/** A dotted-decimal IPv4 address as a 32-bit number, or undefined. */
function ipv4(a: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(a);
  if (!m) return undefined;
  const octets = m.slice(1).map(Number);
  return octets.every((o) => o <= 255) ? octets.reduce((n, o) => n * 256 + o, 0) : undefined;
}

/** The IPv4 address an IPv6 address in ::ffff:0:0/96 or ::/96 carries, or undefined (any other, or not IPv6). */
function embeddedIpv4(a: string): number | undefined {
  let text = a;
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = ipv4(dotted[2]!);
    if (v4 === undefined) return undefined;
    text = `${dotted[1]}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  const gap = 8 - head.length - tail.length;
  if (halves.length === 2 ? gap < 1 : gap !== 0) return undefined;
  if (![...head, ...tail].every((g) => /^[0-9a-f]{1,4}$/.test(g))) return undefined;
  const h = [...head, ...Array<string>(gap).fill('0'), ...tail].map((g) => parseInt(g, 16));
  if (h.slice(0, 5).some((x) => x !== 0) || (h[5] !== 0 && h[5] !== 0xffff)) return undefined;
  return h[6]! * 0x10000 + h[7]!;
}

/**
 * A configured issuer or JWKS URI: https, or http for a loopback host only; no credentials, query or
 * fragment (an issuer is compared with `iss` byte for byte and has none, RFC 8414 §2). Returns the value as
 * written, since `iss` must equal it exactly; otherwise throws a ConfigError naming `setting` (and `where` within it).
 */
export function parseConfiguredUrl(value: string, setting: string, where?: string): { readonly value: string; readonly url: URL; readonly loopback: boolean } {
  const refuse = (reason: string) => new ConfigError(setting, where === undefined ? reason : `${where} ${reason}`);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw refuse(`must be an absolute URL such as https://login.example.com/, got ${JSON.stringify(redact(value))}`);
  }
  // The value as written, so the mistake is there to see; with credentials, never them.
  const credentials = url.username !== '' || url.password !== '';
  const shown = JSON.stringify(credentials ? redact(url) : value);
  const loopback = isLoopbackHost(url.hostname);
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && loopback)) {
    throw refuse(`must be an https URL (http is allowed only for a loopback host: localhost, 127.0.0.1, [::1]), got ${shown}`);
  }
  // A bare `?` or `#` leaves search and hash empty but is still part of what `iss` would have to equal.
  const extras = [credentials && 'credentials', (url.search !== '' || value.includes('?')) && 'a query', (url.hash !== '' || value.includes('#')) && 'a fragment'].filter(Boolean);
  if (extras.length > 0) {
    throw refuse(`must not carry a query, fragment or credentials, and ${shown} has ${extras.join(' and ')}${credentials ? ' (left out here)' : ''}`);
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
