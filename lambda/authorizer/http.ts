// GET a JSON document from the issuer with a hard deadline and a size cap, over node:http(s).
// Not `fetch`: its first use loads undici (~20 ms of cold start), and it cannot cap a body as it streams.
// Redirects are not followed: discovery and JWKS URLs are configuration, not something a server may move.
// Unless loopback is allowed, a host that resolves to a loopback address is refused at connect time too, so
// a DNS name cannot reach what a literal address may not, and the address the socket did connect to is
// checked before the request is sent. Messages name URLs without credentials or query.
import { lookup as dnsLookup } from 'node:dns';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import type { LookupFunction, Socket } from 'node:net';
import { FetchError } from './errors';
import { isLoopbackAddress, isLoopbackHost, redact } from './url';

export interface FetchJsonOptions {
  /** Whole-request deadline: connect, headers and body. */
  readonly timeoutMs: number;
  readonly maxBytes: number;
  /** Whether a loopback host or address may be reached (a loopback issuer was configured). @default false */
  readonly allowLoopback?: boolean;
  /**
   * How host names are resolved. @default refuseLoopback (dns.lookup without loopback answers), or dns.lookup
   * when loopback is allowed. Whatever it answers, the connected address is checked too.
   */
  readonly lookup?: LookupFunction;
}

export type FetchJson = (url: string, options: FetchJsonOptions) => Promise<unknown>;

/** dns.lookup, failing for any loopback answer: both the single-address and the `all` forms Node asks for. */
export const refuseLoopback: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, options, (err, address, family) => {
    if (err) return callback(err, address as string, family);
    const addresses = Array.isArray(address) ? address.map((a) => a.address) : [address];
    if (addresses.some(isLoopbackAddress)) {
      return callback(Object.assign(new Error(`${hostname} resolves to a loopback address`), { code: 'ELOOPBACK' }), '', 4);
    }
    callback(null, address as string, family);
  });
};

export const fetchJson: FetchJson = async (rawUrl, { timeoutMs, maxBytes, allowLoopback = false, lookup }) => {
  let parsed: URL;
  try {
    parsed = new URL(rawUrl);
  } catch {
    throw new FetchError('FETCH_NETWORK', `${JSON.stringify(redact(rawUrl))} is not a URL`);
  }
  const url = redact(parsed);
  // Chosen by the parsed protocol, as the config check judged it: "HTTPS://…" is https.
  const get = parsed.protocol === 'https:' ? httpsGet : parsed.protocol === 'http:' ? httpGet : undefined;
  if (!get) throw new FetchError('FETCH_NETWORK', `${parsed.protocol} is not http or https`);
  if (!allowLoopback && isLoopbackHost(parsed.hostname)) throw new FetchError('FETCH_NETWORK', `${url} is a loopback address`);
  return new Promise((resolve, reject) => {
    let settled = false;
    let req: ReturnType<typeof httpsGet> | undefined;
    const fail = (error: FetchError) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req?.destroy();
      reject(error);
    };
    const timer = setTimeout(() => fail(new FetchError('FETCH_TIMEOUT', `no complete answer from ${url} within ${timeoutMs} ms`)), timeoutMs);
    try {
      const resolver = lookup ?? (allowLoopback ? undefined : refuseLoopback);
      req = get(parsed, { headers: { accept: 'application/json' }, ...(resolver ? { lookup: resolver } : {}) }, (res: IncomingMessage) => {
        if (res.statusCode !== 200) {
          res.resume();
          return fail(new FetchError('FETCH_STATUS', `${url} answered HTTP ${res.statusCode}`));
        }
        const type = res.headers['content-type'] ?? '';
        if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) {
          res.resume();
          return fail(new FetchError('FETCH_NOT_JSON', `${url} answered content-type ${JSON.stringify(type)}, not JSON`));
        }
        const declared = Number(res.headers['content-length']);
        if (declared > maxBytes) return fail(new FetchError('FETCH_TOO_LARGE', `${url} declared ${declared} bytes, over ${maxBytes}`));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (size > maxBytes) return fail(new FetchError('FETCH_TOO_LARGE', `${url} sent more than ${maxBytes} bytes`));
          chunks.push(chunk);
        });
        res.on('error', (e) => fail(new FetchError('FETCH_NETWORK', `${url}: ${e.message}`, { cause: e })));
        res.on('end', () => {
          if (settled) return;
          try {
            const body: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            settled = true;
            clearTimeout(timer);
            resolve(body);
          } catch (e) {
            fail(new FetchError('FETCH_NOT_JSON', `${url} sent a body that is not JSON`, { cause: e }));
          }
        });
      });
      req.on('error', (e) => fail(new FetchError('FETCH_NETWORK', `${url}: ${e.message}`, { cause: e })));
      // The last word on where the request goes: a name check can be fooled (a spelling it missed, a resolver
      // of its own), the socket's peer cannot. A reused socket is already connected.
      if (!allowLoopback) {
        req.on('socket', (socket: Socket) => {
          const check = () => {
            if (isLoopbackAddress(socket.remoteAddress ?? '')) fail(new FetchError('FETCH_NETWORK', `${url} connected to a loopback address`));
          };
          if (socket.remoteAddress === undefined) socket.once('connect', check);
          else check();
        });
      }
    } catch (e) {
      // http.get throws synchronously for what it cannot even attempt (a bad header, an unusable URL).
      fail(new FetchError('FETCH_NETWORK', `${url}: ${(e as Error).message}`, { cause: e }));
    }
  });
};
