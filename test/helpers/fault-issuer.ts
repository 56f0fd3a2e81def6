// A loopback OIDC issuer (discovery + JWKS) that can fail in every way an issuer does — down (nothing
// listening), 500, hanging, garbage JSON, oversized, HTML, a discovery naming another issuer, a jwks_uri
// that moved (to a working or a dead place) — and be brought back on the same port. Counts every request.
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export type IssuerFault =
  | 'none'
  | 'down'
  | 'error500'
  | 'hang'
  | 'garbage'
  | 'huge'
  | 'html'
  | 'wrong-issuer'
  /** Discovery names a jwks_uri that answers 404. */
  | 'jwks-gone'
  /** Discovery names a new jwks_uri, which serves the keys. */
  | 'jwks-moved';

export interface FaultIssuer {
  readonly url: string;
  keys: JWK[];
  /** Every request path that reached the server, in order. */
  readonly requests: string[];
  setFault(fault: IssuerFault): Promise<void>;
  close(): Promise<void>;
}

export async function startFaultIssuer(keys: JWK[]): Promise<FaultIssuer> {
  let fault: IssuerFault = 'none';
  const hanging = new Set<ServerResponse>();
  const requests: string[] = [];
  const state = { keys };
  const json = (res: ServerResponse, body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));

  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    requests.push(path);
    switch (fault) {
      case 'error500':
        return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"internal"}');
      case 'hang':
        hanging.add(res);
        return;
      case 'garbage':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"issuer": "http://127.0.0.1", "keys": [ {"kty": ');
      case 'huge':
        return void json(res, { issuer: url, jwks_uri: `${url}/jwks`, keys: state.keys, pad: 'x'.repeat(2 * 1024 * 1024) });
      case 'html':
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html><body>Please sign in</body></html>');
    }
    if (path === '/.well-known/openid-configuration') {
      const jwksPath = fault === 'jwks-gone' ? '/gone/jwks' : fault === 'jwks-moved' ? '/moved/jwks' : '/jwks';
      return void json(res, { issuer: fault === 'wrong-issuer' ? 'https://evil.example.com' : url, jwks_uri: `${url}${jwksPath}` });
    }
    if (path === '/jwks' || (path === '/moved/jwks' && fault === 'jwks-moved')) return void json(res, { keys: state.keys });
    res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    for (const r of hanging) r.destroy();
    hanging.clear();
    server.closeAllConnections();
    if (server.listening) await new Promise<void>((resolve) => server.close(() => resolve()));
  };

  return {
    url,
    get keys() {
      return state.keys;
    },
    set keys(k) {
      state.keys = k;
    },
    requests,
    async setFault(next) {
      if (fault === 'hang') for (const r of hanging) r.destroy();
      if (next === 'down') await stop();
      else if (!server.listening) await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
      fault = next;
    },
    close: stop,
  };
}
