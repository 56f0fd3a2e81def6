// The embedded development OIDC issuer: a loopback HTTP server with discovery and a JWKS, keys generated
// at start, and two dev-only endpoints (mint a token, bearer or DPoP-bound; rotate keys) that demand the secret written to the
// 0600 state file, so only the user who ran `npm start` can mint tokens the API accepts. Requests whose
// Host is not loopback are refused, which stops a web page from reaching it through DNS rebinding.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { DevKeyRing } from './keys';
import { mintToken, type TokenRequest } from './token';
import { isLocalError } from '../errors';
import { closeServer, listen } from '../listen';

export interface DevIssuerOptions {
  /** 0 picks a free port. */
  readonly port: number;
  /** The audience tokens carry. @default 'local-dev-api' */
  readonly audience?: string;
  /** @default 'ES256' */
  readonly alg?: string;
  /** Seconds since the epoch, for iat/exp. @default the wall clock */
  readonly nowSeconds?: () => number;
}

export interface DevIssuer {
  /** The issuer identifier, `http://127.0.0.1:<port>`; exactly what tokens carry as iss. */
  readonly issuer: string;
  readonly port: number;
  readonly audience: string;
  /** Bearer secret for the /dev endpoints. */
  readonly secret: string;
  issueToken(request?: TokenRequest): Promise<string>;
  /** A planned rotation; resolves to the new signing kid. */
  rotate(): Promise<string>;
  /** Current signing kid. */
  readonly kid: string;
  close(): Promise<void>;
}

export const DEFAULT_AUDIENCE = 'local-dev-api';
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;
const MAX_BODY_BYTES = 16 * 1024;

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers });
  res.end(text);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) req.destroy(new Error('body too large'));
      else chunks.push(c);
    });
    req.on('end', () => {
      try {
        resolve(chunks.length === 0 ? {} : JSON.parse(Buffer.concat(chunks).toString('utf8')));
      } catch {
        reject(new Error('the body is not JSON'));
      }
    });
    req.on('error', reject);
  });
}

export async function startDevIssuer(options: DevIssuerOptions): Promise<DevIssuer> {
  const keys = await DevKeyRing.create(options.alg ?? 'ES256');
  const audience = options.audience ?? DEFAULT_AUDIENCE;
  const nowSeconds = options.nowSeconds ?? (() => Math.floor(Date.now() / 1000));
  const secret = randomBytes(32).toString('base64url');
  let issuer = '';

  const authorized = (req: IncomingMessage): boolean => {
    const given = Buffer.from(req.headers.authorization ?? '');
    const expected = Buffer.from(`Bearer ${secret}`);
    return given.length === expected.length && timingSafeEqual(given, expected);
  };
  const issueToken = (request: TokenRequest = {}) => mintToken({ key: keys.active, issuer, audience, request, nowSeconds: nowSeconds() });
  // RFC 9449 §5: a bound token's type is DPoP, the scheme it is sent with.
  const tokenResponse = async (request: TokenRequest) => ({ access_token: await issueToken(request), token_type: request?.dpopJwk === undefined ? 'Bearer' : 'DPoP' });

  const server = createServer(async (req, res) => {
    try {
      if (!LOOPBACK_HOST.test(req.headers.host ?? '')) return send(res, 421, { error: 'misdirected_request' });
      const route = `${req.method} ${(req.url ?? '').split('?')[0]}`;
      switch (route) {
        case 'GET /.well-known/openid-configuration':
          // Only what a resource server's verifier reads; this issuer has no login flow.
          return send(res, 200, {
            issuer,
            jwks_uri: `${issuer}/.well-known/jwks.json`,
            id_token_signing_alg_values_supported: [keys.active.alg],
            subject_types_supported: ['public'],
            response_types_supported: ['token'],
            scopes_supported: ['openid', 'profile', 'email'],
          });
        case 'GET /.well-known/jwks.json':
          return send(res, 200, keys.jwks(), { 'Cache-Control': 'max-age=300' });
        case 'POST /dev/token':
        case 'POST /dev/rotate':
          if (!authorized(req)) return send(res, 401, { error: 'invalid_client' }, { 'WWW-Authenticate': 'Bearer' });
          if (route === 'POST /dev/rotate') return send(res, 200, { kid: (await keys.rotate()).kid });
          return send(res, 200, await tokenResponse((await readJson(req)) as TokenRequest));
        default:
          return send(res, 404, { error: 'not_found' });
      }
    } catch (e) {
      const message = isLocalError(e) ? e.message : (e as Error).message;
      send(res, 400, { error: 'invalid_request', error_description: message });
    }
  });

  const port = await listen(server, options.port, '127.0.0.1', 'the dev OIDC issuer', 'stop whatever holds it or set ISSUER_PORT');
  issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    port,
    audience,
    secret,
    issueToken,
    rotate: async () => (await keys.rotate()).kid,
    get kid() {
      return keys.active.kid;
    },
    close: () => closeServer(server),
  };
}
