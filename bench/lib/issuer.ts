// The loopback issuer the bench starts itself: discovery and JWKS over http on 127.0.0.1 and, when the
// openssl CLI is there to make a throwaway certificate, over https on localhost too.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface BenchIssuer {
  readonly http: string;
  /** Undefined when no certificate could be made. */
  readonly https: string | undefined;
  /** PEM file of the self-signed certificate, for NODE_EXTRA_CA_CERTS. */
  readonly caFile: string | undefined;
  readonly hits: { discovery: number; jwks: number };
  close(): Promise<void>;
}

/** A self-signed RSA-2048 certificate for localhost (what most issuers still present), or undefined. */
function makeCertificate(dir: string): { key: string; cert: string; file: string } | undefined {
  const keyFile = join(dir, 'tls-key.pem');
  const certFile = join(dir, 'tls-cert.pem');
  try {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', '/CN=localhost',
        '-addext', 'subjectAltName=DNS:localhost'],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(keyFile, 'utf8'), cert: readFileSync(certFile, 'utf8'), file: certFile };
  } catch {
    return undefined;
  }
}

function discovery(base: string) {
  return {
    issuer: base,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/oauth/token`,
    userinfo_endpoint: `${base}/userinfo`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    response_types_supported: ['code', 'id_token', 'code id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256', 'ES256'],
    scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'private_key_jwt'],
    claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'email', 'email_verified', 'name'],
    code_challenge_methods_supported: ['S256'],
  };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

export async function startIssuer(jwks: unknown, dir: string): Promise<BenchIssuer> {
  const hits = { discovery: 0, jwks: 0 };
  const body = JSON.stringify(jwks);
  const handler = (base: () => string) => (req: IncomingMessage, res: ServerResponse) => {
    const send = (text: string) =>
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'public, max-age=600' }).end(text);
    if (req.url === '/.well-known/openid-configuration') {
      hits.discovery++;
      return send(JSON.stringify(discovery(base())));
    }
    if (req.url === '/.well-known/jwks.json') {
      hits.jwks++;
      return send(body);
    }
    res.writeHead(404).end();
  };

  let httpBase = '';
  const plain = createHttpServer(handler(() => httpBase));
  httpBase = `http://127.0.0.1:${await listen(plain)}`;

  const tls = makeCertificate(dir);
  let httpsBase: string | undefined;
  const secure = tls ? createHttpsServer({ key: tls.key, cert: tls.cert }, handler(() => httpsBase!)) : undefined;
  if (secure) httpsBase = `https://localhost:${await listen(secure)}`;

  const stop = (s: Server) =>
    new Promise<void>((resolve) => {
      s.closeAllConnections();
      s.close(() => resolve());
    });
  return {
    http: httpBase,
    https: httpsBase,
    caFile: tls?.file,
    hits,
    close: async () => {
      await stop(plain);
      if (secure) await stop(secure);
    },
  };
}
