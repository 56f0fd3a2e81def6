// An incoming HTTP request as API Gateway sees it: headers with their first-seen spelling (last value
// wins in `headers`, every value kept in `multiValueHeaders`), the query string decoded the same way,
// and the X-Forwarded-* headers API Gateway adds in front of every integration.
import type { IncomingMessage } from 'node:http';

export interface ApiRequest {
  readonly requestId: string;
  /** Epoch milliseconds. */
  readonly receivedAt: number;
  readonly httpMethod: string;
  /** The path as sent, still percent-encoded, without the query string. */
  readonly rawPath: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly multiValueHeaders: Readonly<Record<string, readonly string[]>>;
  /** null when the request has no query string, as in a proxy event. */
  readonly query: Readonly<Record<string, string>> | null;
  readonly multiValueQuery: Readonly<Record<string, readonly string[]>> | null;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
}

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

/** `a=1&a=2&b` → `{a: ['1', '2'], b: ['']}`; null for an empty query string. */
export function parseQuery(search: string): Record<string, string[]> | null {
  const out: Record<string, string[]> = {};
  for (const pair of search.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    (out[key] ??= []).push(value);
  }
  return Object.keys(out).length === 0 ? null : out;
}

/** Groups raw header pairs case-insensitively under the spelling first seen. */
export function groupHeaders(rawHeaders: readonly string[]): Record<string, string[]> {
  const spelling = new Map<string, string>();
  const out: Record<string, string[]> = {};
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) {
    const name = rawHeaders[i]!;
    const key = spelling.get(name.toLowerCase()) ?? name;
    spelling.set(name.toLowerCase(), key);
    (out[key] ??= []).push(rawHeaders[i + 1]!);
  }
  return out;
}

const lastOf = (multi: Record<string, readonly string[]>): Record<string, string> =>
  Object.fromEntries(Object.entries(multi).map(([k, v]) => [k, v.at(-1)!]));

export function toApiRequest(req: IncomingMessage, body: Buffer, requestId: string, receivedAt: number): ApiRequest {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = (q < 0 ? url : url.slice(0, q)) || '/';
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  const multi = groupHeaders(req.rawHeaders);
  const forwarded = Object.keys(multi).find((k) => k.toLowerCase() === 'x-forwarded-for');
  multi[forwarded ?? 'X-Forwarded-For'] = [[...(forwarded ? multi[forwarded]! : []), sourceIp].join(', ')];
  multi['X-Forwarded-Port'] = [String(req.socket.localPort ?? '')];
  multi['X-Forwarded-Proto'] = ['http'];
  const multiQuery = parseQuery(q < 0 ? '' : url.slice(q + 1));
  return {
    requestId,
    receivedAt,
    httpMethod: (req.method ?? 'GET').toUpperCase(),
    rawPath,
    headers: lastOf(multi),
    multiValueHeaders: multi,
    query: multiQuery && lastOf(multiQuery),
    multiValueQuery: multiQuery,
    body,
    sourceIp,
    protocol: `HTTP/${req.httpVersion}`,
  };
}

/** A header's value by case-insensitive name: the last one sent (as `headers` holds) or the first. */
export function headerValue(request: Pick<ApiRequest, 'multiValueHeaders'>, name: string, which: 'first' | 'last' = 'last'): string | undefined {
  const lower = name.toLowerCase();
  for (const [k, values] of Object.entries(request.multiValueHeaders)) {
    if (k.toLowerCase() === lower) return which === 'first' ? values[0] : values.at(-1);
  }
  return undefined;
}
