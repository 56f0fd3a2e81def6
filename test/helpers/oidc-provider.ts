// panva's oidc-provider (OpenID Certified) run in-process on loopback as a real issuer, with JWT access
// tokens for resource servers (RFC 8707, RFC 9068), the client-credentials grant, and the code flow with
// PKCE driven through its dev interactions like a browser would. Keys are swappable without changing the
// issuer URL: `setKeys` replaces the Provider behind the same port, which is how rotation is exercised.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, type JWK } from 'jose';
import type { TestKey } from './keys';

export interface ResourceServer {
  /** Space-delimited scopes the resource server accepts. */
  readonly scope: string;
  readonly alg: 'ES256' | 'RS256' | 'PS256' | 'EdDSA';
}

export interface ProviderOptions {
  /** Resource indicator (becomes `aud`) → what its tokens look like. */
  readonly resources: Readonly<Record<string, ResourceServer>>;
  /** Login → claims; the dev login form accepts any password. */
  readonly accounts: Readonly<Record<string, { email: string }>>;
  /** Signing keys, newest first: the first key fitting a resource's alg signs its tokens. */
  readonly keys: readonly TestKey[];
  /**
   * Sender-constrained tokens: DPoP (RFC 9449, oidc-provider's `features.dPoP`) and certificate-bound ones
   * (RFC 8705, `features.mTLS`, for a second client; the test hands the client certificate in a header, as a
   * TLS-terminating proxy would). @default false
   */
  readonly senderConstrained?: boolean;
}

/** What binds a token the client-credentials grant issues. */
export interface Binding {
  /** Makes the DPoP proof for the token request (htu, htm): the token is bound to its key. */
  readonly dpop?: (htu: string, htm: string) => Promise<string>;
  /** The client certificate (PEM) the token is bound to. */
  readonly certificate?: string;
}

export interface RealProvider {
  readonly issuer: string;
  readonly clientId: string;
  /** Requests the authorizer made to discovery and the JWKS. */
  readonly hits: { discovery: number; jwks: number };
  /** Republishes the key set (first key signs); the issuer URL and port stay the same. */
  setKeys(keys: readonly TestKey[]): Promise<void>;
  clientCredentials(options: { resource: string; scope: string } & Binding): Promise<string>;
  authorizationCode(options: { login: string; scope: string; resource: string }): Promise<string>;
  close(): Promise<void>;
}

const CLIENT_ID = 'e2e-client';
const MTLS_CLIENT_ID = 'e2e-mtls-client';
const CERT_HEADER = 'x-test-client-cert';
const CLIENT_SECRET = randomBytes(24).toString('base64url');
const REDIRECT_URI = 'http://127.0.0.1:9/callback';

async function privateJwk(key: TestKey): Promise<JWK> {
  return { ...(await exportJWK(key.privateKey)), kid: key.kid, alg: key.alg, use: 'sig' };
}

const oidc = quietly(() => require('oidc-provider') as typeof import('oidc-provider'));

function configuration(options: ProviderOptions, jwks: JWK[]) {
  return {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        grant_types: ['client_credentials', 'authorization_code'],
        response_types: ['code'],
        redirect_uris: [REDIRECT_URI],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: jwks[0]!.alg,
      },
      ...(options.senderConstrained
        ? [{ client_id: MTLS_CLIENT_ID, client_secret: CLIENT_SECRET, grant_types: ['client_credentials'], response_types: [], redirect_uris: [], token_endpoint_auth_method: 'client_secret_post', id_token_signed_response_alg: jwks[0]!.alg, tls_client_certificate_bound_access_tokens: true }]
        : []),
    ],
    jwks: { keys: jwks },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, ClientCredentials: 600, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    features: {
      devInteractions: { enabled: true },
      ...(options.senderConstrained
        ? {
            dPoP: { enabled: true },
            mTLS: { enabled: true, certificateBoundAccessTokens: true, getCertificate: (ctx: { get(name: string): string }) => decodeURIComponent(ctx.get(CERT_HEADER)) || undefined },
          }
        : {}),
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx: unknown, indicator: string) => {
          const rs = options.resources[indicator];
          if (!rs) throw new oidc.errors.InvalidTarget();
          return { scope: rs.scope, audience: indicator, accessTokenFormat: 'jwt', accessTokenTTL: 600, jwt: { sign: { alg: rs.alg } } };
        },
      },
    },
    findAccount: (_ctx: unknown, sub: string) => {
      const account = options.accounts[sub];
      return account ? { accountId: sub, claims: () => ({ sub, email: account.email, email_verified: true }) } : undefined;
    },
    // JWT access tokens carry only registered claims; the username claim is added the way IdPs do.
    extraTokenClaims: (_ctx: unknown, token: { kind: string; accountId?: string }) => {
      const account = token.accountId ? options.accounts[token.accountId] : undefined;
      return token.kind === 'AccessToken' && account ? { email: account.email } : undefined;
    },
  };
}

/** Loads and builds a Provider quietly: it warns about the Node version on import and dev interactions on every build. */
function quietly<T>(f: () => T): T {
  const warn = console.warn;
  const info = console.info;
  console.warn = () => undefined;
  console.info = () => undefined;
  try {
    return f();
  } finally {
    console.warn = warn;
    console.info = info;
  }
}

interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  body: string;
}

function send(url: string, options: { method?: string; form?: Record<string, string>; cookies?: Map<string, string>; headers?: Record<string, string> } = {}): Promise<Answer> {
  const body = options.form ? new URLSearchParams(options.form).toString() : undefined;
  const headers: Record<string, string> = { ...options.headers };
  if (body !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  if (options.cookies?.size) headers.cookie = [...options.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? (body ? 'POST' : 'GET'), headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

function keepCookies(jar: Map<string, string>, answer: Answer): void {
  for (const line of answer.headers['set-cookie'] ?? []) {
    const [pair, ...attributes] = line.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const expired = attributes.some((a) => /^\s*expires=Thu, 01 Jan 1970/i.test(a) || /^\s*max-age=0\b/i.test(a));
    if (expired) jar.delete(name);
    else jar.set(name, pair!.slice(eq + 1).trim());
  }
}

async function token(issuer: string, form: Record<string, string>, binding: Binding = {}): Promise<string> {
  const headers: Record<string, string> = {};
  if (binding.dpop) headers.dpop = await binding.dpop(`${issuer}/token`, 'POST');
  if (binding.certificate) headers[CERT_HEADER] = encodeURIComponent(binding.certificate);
  const client_id = binding.certificate ? MTLS_CLIENT_ID : CLIENT_ID;
  const answer = await send(`${issuer}/token`, { form: { client_id, client_secret: CLIENT_SECRET, ...form }, headers });
  const parsed = JSON.parse(answer.body) as { access_token?: string; error?: string; error_description?: string };
  if (answer.status !== 200 || !parsed.access_token) throw new Error(`token endpoint: ${answer.status} ${parsed.error} ${parsed.error_description}`);
  return parsed.access_token;
}

export async function startProvider(options: ProviderOptions): Promise<RealProvider> {
  const hits = { discovery: 0, jwks: 0 };
  let current: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === '/.well-known/openid-configuration') hits.discovery++;
    if (path === '/jwks') hits.jwks++;
    current!(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const setKeys = async (keys: readonly TestKey[]) => {
    const jwks = await Promise.all(keys.map(privateJwk));
    current = quietly(() => new oidc.Provider(issuer, configuration(options, jwks))).callback();
  };
  await setKeys(options.keys);

  return {
    issuer,
    clientId: CLIENT_ID,
    hits,
    setKeys,
    clientCredentials: ({ resource, scope, ...binding }) => token(issuer, { grant_type: 'client_credentials', resource, scope }, binding),

    async authorizationCode({ login, scope, resource }) {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const state = randomBytes(8).toString('hex');
      const jar = new Map<string, string>();
      const query = new URLSearchParams({
        client_id: CLIENT_ID,
        response_type: 'code',
        redirect_uri: REDIRECT_URI,
        scope,
        resource,
        state,
        code_challenge: challenge,
        code_challenge_method: 'S256',
      });
      let url = `${issuer}/auth?${query}`;
      // Follow redirects, and fill in the login then the consent form, until the client's redirect_uri.
      for (let step = 0; step < 20; step++) {
        const answer = await send(url, { cookies: jar });
        keepCookies(jar, answer);
        let next = answer;
        if (answer.status === 200) {
          const action = /<form[^>]*action="([^"]+)"/.exec(answer.body)?.[1];
          const prompt = /name="prompt" value="(\w+)"/.exec(answer.body)?.[1];
          if (!action || !prompt) throw new Error(`unexpected page at ${url}: ${answer.body.slice(0, 200)}`);
          const form: Record<string, string> = prompt === 'login' ? { prompt, login, password: 'any' } : { prompt };
          next = await send(new URL(action.replace(/&amp;/g, '&'), url).toString(), { form, cookies: jar });
          keepCookies(jar, next);
        }
        const location = next.headers.location;
        if (!location) throw new Error(`no redirect from ${url} (${next.status}): ${next.body.slice(0, 200)}`);
        const target = new URL(location, url);
        if (target.toString().startsWith(REDIRECT_URI)) {
          const code = target.searchParams.get('code');
          if (!code || target.searchParams.get('state') !== state) throw new Error(`authorization failed: ${target.search}`);
          return token(issuer, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier, resource });
        }
        url = target.toString();
      }
      throw new Error('authorization did not finish within 20 steps');
    },

    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
