// CORS for browser apps on other origins: the one parser of the allowed origins (run by infra/config.ts at
// synth and by the Lambdas at cold start) and the headers a Lambda answer carries for a request's Origin.
// Credentials (cookies) are never allowed: callers authenticate with a bearer token, which is a header.
import { ConfigError } from './errors';

/** The environment variable the stack sets on route Lambdas; unset means no CORS headers. */
export const CORS_ORIGINS_ENV = 'CORS_ALLOWED_ORIGINS';
/** What a preflight lets the page send beyond the CORS-safelisted headers: the token, and its DPoP proof (RFC 9449). */
export const CORS_ALLOW_HEADERS = 'Authorization, Content-Type, DPoP';
/** What a page may read beyond the safelisted response headers: the challenge and the back-off. */
export const CORS_EXPOSE_HEADERS = 'WWW-Authenticate, Retry-After';

/** `*` (any origin, no Vary) or an exact list of serialized origins such as `https://app.example.com`. */
export type CorsOrigins = { readonly any: true } | { readonly any: false; readonly origins: readonly string[] };

const EXAMPLE = 'https://app.example.com';

/**
 * Parses a comma-separated list of origins, or `*`. Throws a ConfigError naming `setting` that says
 * what to write instead, for a path or trailing slash, a wildcard inside a host, a scheme other than http(s),
 * the `null` origin, a spelling browsers never send (upper case, a default port), a duplicate, or `*` in a list.
 */
export function parseCorsOrigins(value: string, setting: string): CorsOrigins {
  const entries = value.split(',').map((e) => e.trim());
  if (entries.some((e) => e === '')) throw new ConfigError(setting, `must be * or comma-separated origins such as ${EXAMPLE},http://localhost:5173, got ${JSON.stringify(value)}`);
  if (entries.includes('*')) {
    if (entries.length > 1) throw new ConfigError(setting, `* already allows every origin; give * alone or list origins without it`);
    return Object.freeze({ any: true });
  }
  const origins: string[] = [];
  for (const entry of entries) {
    const origin = checkOrigin(entry, setting);
    if (origins.includes(origin)) throw new ConfigError(setting, `${origin} is listed twice`);
    origins.push(origin);
  }
  return Object.freeze({ any: false, origins: Object.freeze(origins) });
}

function checkOrigin(entry: string, setting: string): string {
  const bad = (why: string) => new ConfigError(setting, `${JSON.stringify(entry)} ${why}`);
  if (entry === 'null') throw bad('is the opaque origin of sandboxed frames and file: pages, which any page can claim; it cannot be allowed');
  if (entry.includes('*')) throw bad(`has a wildcard; browsers send one exact origin, so list each one (${EXAMPLE},https://admin.example.com)`);
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw bad(`is not an origin; write scheme://host[:port], such as ${EXAMPLE}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw bad(`is not an http or https origin; write scheme://host[:port], such as ${EXAMPLE}`);
  if (url.username || url.password || url.search || url.hash || /^[a-z]+:\/\/[^/]*\/./i.test(entry)) {
    throw bad(`has more than an origin (a path, query, fragment or credentials); an origin is scheme://host[:port], such as ${url.origin}`);
  }
  if (entry.endsWith('/')) throw bad(`ends with a slash, which browsers never send in Origin; write ${url.origin}`);
  if (entry !== url.origin) throw bad(`is not spelled as browsers send it (lower case, no default port); write ${url.origin}`);
  return url.origin;
}

/** The value parseCorsOrigins reads back: `*`, or the origins comma-separated. */
export const formatCorsOrigins = (cors: CorsOrigins): string => (cors.any ? '*' : cors.origins.join(','));

/** The CORS setting of a route Lambda, read once at cold start; undefined when CORS is off. */
export function readCorsOrigins(env: Readonly<Record<string, string | undefined>>): CorsOrigins | undefined {
  const raw = env[CORS_ORIGINS_ENV];
  if (raw === undefined || raw.trim() === '') return undefined;
  return parseCorsOrigins(raw, `${CORS_ORIGINS_ENV} (set by the stack from the CDK context value corsOrigins)`);
}

/** True when `origin` may read answers. */
export const originAllowed = (cors: CorsOrigins, origin: string | undefined): boolean =>
  origin !== undefined && (cors.any || cors.origins.includes(origin));

/**
 * The CORS headers of an answer to a request from `origin` (the request's Origin header, if any): the origin
 * echoed when it is allowed, nothing for one that is not, and `Vary: Origin` whenever the answer depends on it.
 */
export function corsResponseHeaders(cors: CorsOrigins, origin: string | undefined): Record<string, string> {
  if (cors.any) return { 'Access-Control-Allow-Origin': '*', 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS };
  if (!originAllowed(cors, origin)) return { Vary: 'Origin' };
  return { 'Access-Control-Allow-Origin': origin!, 'Access-Control-Expose-Headers': CORS_EXPOSE_HEADERS, Vary: 'Origin' };
}
