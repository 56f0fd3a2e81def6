// Authorizer settings, read once at cold start from the environment the stack sets.
// Every default is in defaults.ts; each one's unit is stated here and in docs/configuration.md's tables.
import { parseRouteTable, routeTakesProof, senderConstraintOf, type RouteRule, type SenderConstraint } from '../shared/routes';
import { SUPPORTED_ALGORITHMS } from './algorithms';
import { DEFAULTS } from './defaults';
import { CLAIM_KEY_PREFIX, MAX_CONTEXT_CLAIM_BYTES } from '../shared/claims';
import { ConfigError } from './errors';
import { contextClaimList, readIssuers, type IssuerConfig } from './issuer-config';

/**
 * What the context claims may take of the authorizer's answer, by construction: each claim at most
 * MAX_CONTEXT_CLAIM_BYTES plus its key. The whole answer is kept within 8 KB (docs/configuration.md).
 */
export const CONTEXT_CLAIMS_BUDGET_BYTES = 6144;

export interface AuthorizerConfig {
  /** The issuers whose tokens are accepted, each with its own audiences, keys and rules (issuer-config.ts). */
  readonly issuers: readonly IssuerConfig[];
  readonly routes: readonly RouteRule[];
  /** @default every algorithm in algorithms.ts */
  readonly algorithms: readonly string[];
  /** @default 60 (seconds) */
  readonly clockToleranceSeconds: number;
  /** Keys are fresh this long after a fetch. @default 600 (seconds) */
  readonly jwksMaxAgeSeconds: number;
  /** Stale keys are still used this long after the last good fetch while refreshes fail. @default 86400 (seconds) */
  readonly jwksMaxStaleSeconds: number;
  /**
   * At most one key fetch per this interval, however many unknown `kid`s arrive; also how long a key the issuer
   * signs with before publishing it may be refused. 10 s, aws-jwt-verify's penalty box: such a rotation heals
   * within seconds, and a kid flood costs each container at most 6 fetches a minute. @default 10 (seconds)
   */
  readonly jwksCooldownSeconds: number;
  /** Per HTTP request to the issuer. @default 3000 (milliseconds) */
  readonly fetchTimeoutMs: number;
  /** Largest discovery or JWKS document accepted. @default 1048576 (bytes) */
  readonly fetchMaxBytes: number;
  /** Longest Authorization credential accepted, checked before parsing. @default 16384 (bytes) */
  readonly maxTokenBytes: number;
  /** Verified tokens remembered; 0 turns the cache off. @default 1000 (entries) */
  readonly tokenCacheSize: number;
  /** CloudWatch namespace of the metrics (metrics.ts). @default 'OidcAuthorizer' */
  readonly metricsNamespace: string;
  /** The `service` dimension of every metric. @default 'oidc-authorizer' */
  readonly metricsService: string;
  /** Proof of possession for issuers and routes that set none (routes.ts). @default 'off' */
  readonly senderConstraint: SenderConstraint;
  /** A DPoP proof may be this old, beyond the clock tolerance (and ahead by the tolerance only). @default 60 (seconds) */
  readonly dpopProofMaxAgeSeconds: number;
  /** Algorithms a DPoP proof may be signed with; asymmetric only. @default every algorithm in algorithms.ts */
  readonly dpopAlgorithms: readonly string[];
  /** The DynamoDB table of DPoP proofs seen (replay-store.ts); set by the construct when a route takes proofs. */
  readonly dpopReplayTable: string | undefined;
  /** Whether any route can take a proof: whether DPoP and client certificates are looked at at all. */
  readonly takesProofs: boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number, got ${JSON.stringify(raw)}`);
  const n = Number(raw);
  if (n < min || n > max) throw new ConfigError(name, `must be between ${min} and ${max}, got ${n}`);
  return n;
}

function flag(env: Env, name: string): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '' || raw === 'false') return false;
  if (raw === 'true') return true;
  throw new ConfigError(name, `must be "true" or "false", got ${JSON.stringify(env[name])}`);
}

/**
 * A CloudWatch name: a namespace (which may hold spaces, and may not start with `AWS/`, AWS's own) or a
 * dimension value, in the characters CloudWatch documents for namespaces.
 */
function cloudWatchName(env: Env, name: string, fallback: string, kind: 'namespace' | 'dimension'): string {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const pattern = kind === 'namespace' ? /^[0-9A-Za-z.\-_/#: ]{1,255}$/ : /^[0-9A-Za-z.\-_/#:]{1,255}$/;
  if (!pattern.test(raw) || (kind === 'namespace' && raw.startsWith('AWS/'))) {
    const spaces = kind === 'namespace' ? ', spaces' : '';
    throw new ConfigError(name, `must be 1 to 255 letters, digits${spaces} or . - _ / # :${kind === 'namespace' ? ', not starting with AWS/' : ''}, got ${JSON.stringify(raw.slice(0, 300))}`);
  }
  return raw;
}

function words(value: string | undefined, separator: RegExp): string[] {
  return (value ?? '').split(separator).map((s) => s.trim()).filter(Boolean);
}

/** An allowlist of JWS algorithms from `name`, each one algorithms.ts supports (never none or HS*). */
function algorithmList(env: Env, name: string, fallback: readonly string[]): readonly string[] {
  const algorithms = env[name]?.trim() ? words(env[name], /[\s,]+/) : [...fallback];
  for (const alg of algorithms) {
    if (!SUPPORTED_ALGORITHMS.includes(alg)) {
      throw new ConfigError(name, `${JSON.stringify(alg)} is not allowed; choose from ${SUPPORTED_ALGORITHMS.join(' ')} (never none or HS*)`);
    }
  }
  if (algorithms.length === 0) throw new ConfigError(name, 'must name at least one algorithm');
  return algorithms;
}

export function readConfig(env: Env): AuthorizerConfig {
  const rawConstraint = env.OIDC_SENDER_CONSTRAINT?.trim();
  const senderConstraint = rawConstraint ? senderConstraintOf(rawConstraint, 'OIDC_SENDER_CONSTRAINT', 'the value') : DEFAULTS.senderConstraint;
  const issuers = readIssuers(env, {
    requiredScopes: env.OIDC_REQUIRED_SCOPES === undefined ? DEFAULTS.requiredScopes : Object.freeze(words(env.OIDC_REQUIRED_SCOPES, /\s+/)),
    usernameClaim: env.OIDC_USERNAME_CLAIM?.trim() || DEFAULTS.usernameClaim,
    clientIdAsAudience: flag(env, 'OIDC_CLIENT_ID_AS_AUDIENCE'),
    requireAtJwt: flag(env, 'OIDC_REQUIRE_AT_JWT'),
    contextClaims: contextClaimList('OIDC_CONTEXT_CLAIMS', env.OIDC_CONTEXT_CLAIMS ?? ''),
    senderConstraint,
  });

  const routes = parseRouteTable(env.OIDC_ROUTES);

  const algorithms = algorithmList(env, 'OIDC_ALGORITHMS', DEFAULTS.algorithms);
  const takesProofs = routes.some((r) => routeTakesProof(r, issuers));
  const dpopReplayTable = env.OIDC_DPOP_REPLAY_TABLE?.trim() || undefined;
  if (takesProofs && dpopReplayTable === undefined) {
    throw new ConfigError('OIDC_DPOP_REPLAY_TABLE', 'is required when a route takes proofs of possession (senderConstraint allowed or required): the OidcAuthorizer construct creates the table and sets it');
  }

  const config: AuthorizerConfig = {
    issuers,
    routes,
    algorithms,
    clockToleranceSeconds: integer(env, 'OIDC_CLOCK_TOLERANCE_SECONDS', DEFAULTS.clockToleranceSeconds, 0, 600),
    jwksMaxAgeSeconds: integer(env, 'OIDC_JWKS_MAX_AGE_SECONDS', DEFAULTS.jwksMaxAgeSeconds, 1, 86400),
    jwksMaxStaleSeconds: integer(env, 'OIDC_JWKS_MAX_STALE_SECONDS', DEFAULTS.jwksMaxStaleSeconds, 0, 7 * 86400),
    jwksCooldownSeconds: integer(env, 'OIDC_JWKS_COOLDOWN_SECONDS', DEFAULTS.jwksCooldownSeconds, 1, 3600),
    fetchTimeoutMs: integer(env, 'OIDC_FETCH_TIMEOUT_MS', DEFAULTS.fetchTimeoutMs, 100, 10000),
    fetchMaxBytes: integer(env, 'OIDC_FETCH_MAX_BYTES', DEFAULTS.fetchMaxBytes, 1024, 10 * 1048576),
    maxTokenBytes: integer(env, 'OIDC_MAX_TOKEN_BYTES', DEFAULTS.maxTokenBytes, 512, 65536),
    tokenCacheSize: integer(env, 'OIDC_TOKEN_CACHE_SIZE', DEFAULTS.tokenCacheSize, 0, 100000),
    metricsNamespace: cloudWatchName(env, 'OIDC_METRICS_NAMESPACE', DEFAULTS.metricsNamespace, 'namespace'),
    metricsService: cloudWatchName(env, 'OIDC_METRICS_SERVICE', DEFAULTS.metricsService, 'dimension'),
    senderConstraint,
    dpopProofMaxAgeSeconds: integer(env, 'OIDC_DPOP_PROOF_MAX_AGE_SECONDS', DEFAULTS.dpopProofMaxAgeSeconds, 1, 3600),
    dpopAlgorithms: algorithmList(env, 'OIDC_DPOP_ALGORITHMS', DEFAULTS.dpopAlgorithms),
    dpopReplayTable,
    takesProofs,
  };
  checkKeyTimings(config);
  checkRouteIssuers(config);
  checkContextSize(config);
  return Object.freeze(config);
}

/** A route may name only configured issuers: a typo would otherwise shut the route for everyone. */
function checkRouteIssuers(c: AuthorizerConfig): void {
  const known = new Set(c.issuers.map((i) => i.issuer));
  for (const r of c.routes) {
    for (const issuer of r.issuers) {
      if (!known.has(issuer)) {
        throw new ConfigError('OIDC_ROUTES', `route ${r.method} ${r.resourcePath} names the issuer ${JSON.stringify(issuer)}, which is not configured (configured: ${[...known].join(', ')})`);
      }
    }
  }
}

/**
 * The claims an issuer's tokens put in the context (its context claims, and every claim a route rule reads,
 * which the route's Lambda re-checks) must fit the budget even at their largest.
 */
export function contextClaimRefs(c: Pick<AuthorizerConfig, 'routes'>, issuer: Pick<IssuerConfig, 'contextClaims'>): readonly string[] {
  return [...new Set([...issuer.contextClaims, ...c.routes.flatMap((r) => Object.keys(r.claims))])];
}

function checkContextSize(c: AuthorizerConfig): void {
  for (const issuer of c.issuers) {
    const refs = contextClaimRefs(c, issuer);
    // Per claim: its key, its value at the cap, and its entry in the claimTypes record.
    const worst = refs.reduce((n, ref) => n + CLAIM_KEY_PREFIX.length + ref.length + MAX_CONTEXT_CLAIM_BYTES + ref.length + 8, 0);
    if (worst > CONTEXT_CLAIMS_BUDGET_BYTES) {
      throw new ConfigError(
        'OIDC_CONTEXT_CLAIMS',
        `${refs.length} context claims for ${issuer.issuer} (${refs.join(', ')}) could take ${worst} bytes of the authorizer's answer at ${MAX_CONTEXT_CLAIM_BYTES} bytes each, over the ${CONTEXT_CLAIMS_BUDGET_BYTES}-byte budget: hand on fewer claims`,
      );
    }
  }
}

/**
 * Refuses key-cache timings that answer 503 while the issuer is healthy. A set is refreshed no sooner than a
 * cooldown after the last fetch, and usable until max age + max stale after it: were the cooldown longer,
 * every request between the two would find keys too old to use and a refresh not yet allowed.
 */
function checkKeyTimings(c: AuthorizerConfig): void {
  const usable = c.jwksMaxAgeSeconds + c.jwksMaxStaleSeconds;
  if (c.jwksCooldownSeconds > usable) {
    throw new ConfigError(
      'OIDC_JWKS_COOLDOWN_SECONDS',
      `is ${c.jwksCooldownSeconds} s, longer than the keys' max age plus max stale age (${c.jwksMaxAgeSeconds} + ${c.jwksMaxStaleSeconds} s): keys would expire while a refresh is not yet allowed, answering 503 with the issuer healthy. Lower the cooldown or raise the max age or max stale age`,
    );
  }
}
