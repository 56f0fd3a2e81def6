// A loopback OIDC issuer the tests start themselves: discovery + JWKS, with switchable failure modes.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JWK } from 'jose';

export type IssuerMode = 'ok' | 'error500' | 'hang' | 'garbage' | 'huge' | 'html';

export interface TestIssuer {
  readonly url: string;
  readonly jwksUri: string;
  keys: JWK[];
  /** Applies to both discovery and JWKS. */
  mode: IssuerMode;
  /** Overrides of the discovery document (e.g. another issuer, a moved jwks_uri). */
  discovery: Record<string, unknown>;
  readonly hits: { discovery: number; jwks: number };
  close(): Promise<void>;
}

export async function startIssuer(keys: JWK[] = []): Promise<TestIssuer> {
  const hanging = new Set<ServerResponse>();
  const state = { keys, mode: 'ok' as IssuerMode, discovery: {} as Record<string, unknown>, hits: { discovery: 0, jwks: 0 } };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') state.hits.discovery++;
    else if (path === '/jwks' || path === '/moved/jwks') state.hits.jwks++;
    else return void res.writeHead(404).end();
    switch (state.mode) {
      case 'error500':
        return void res.writeHead(500, { 'content-type': 'application/json' }).end('{"error":"boom"}');
      case 'hang':
        hanging.add(res);
        return;
      case 'garbage':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"keys": [ {"kty": ');
      case 'html':
        return void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
      case 'huge':
        return void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [], pad: 'x'.repeat(2 * 1024 * 1024) }));
    }
    const body =
      path === '/.well-known/openid-configuration'
        ? { issuer: issuer.url, jwks_uri: issuer.jwksUri, ...state.discovery }
        : { keys: state.keys };
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}`;
  const issuer: TestIssuer = {
    url,
    jwksUri: `${url}/jwks`,
    get keys() {
      return state.keys;
    },
    set keys(k) {
      state.keys = k;
    },
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    get discovery() {
      return state.discovery;
    },
    set discovery(d) {
      state.discovery = d;
    },
    hits: state.hits,
    async close() {
      for (const r of hanging) r.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return issuer;
}
